"""The general delegate: time and date, timers, reminders, notes and user facts."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic_ai import RunContext

from agents.deps import AssistantDeps
from agents.local.phrases import fmt_date, fmt_time
from agents.memory import MemoryInputError
from agents.tool_guard import EFFECT
from agents.toolkit import aware, log_call, new_delegate

from . import checks as _checks  # noqa: F401  (the tools' argument checks register themselves)

general_agent = new_delegate(
    "general",
    (
        "You handle time, date, timers, reminders and the user's notes and facts. Use the tools; "
        "answer in the user's language with a short spoken sentence and a fuller screen text."
    ),
)


@general_agent.tool
def current_time(ctx: RunContext[AssistantDeps]) -> str:
    """The current local date and time of the user (ISO 8601 with offset) and its spoken form."""
    now = ctx.deps.now()
    log_call(ctx, "current_time")
    return f"{now.isoformat()} ({fmt_date(now.date(), ctx.deps.language, year=True)}, {fmt_time(now, ctx.deps.language)})"


@general_agent.tool(metadata=EFFECT)
def set_timer(ctx: RunContext[AssistantDeps], seconds: int, label: str = "") -> str:
    """Start a timer that rings after `seconds` seconds. Returns when it ends."""
    log_call(ctx, "set_timer", seconds=seconds, label=label)
    try:
        t = ctx.deps.memory.add_timer(timedelta(seconds=seconds), ctx.deps.now(), label)
    except MemoryInputError as exc:
        return f"error: {exc}"
    return f"timer {t.id} ends at {t.ends_at.astimezone(ctx.deps.tz).isoformat()}"


@general_agent.tool(metadata=EFFECT)
def set_reminder(ctx: RunContext[AssistantDeps], due_at: datetime, text: str) -> str:
    """Remind the user of `text` at `due_at` (local time of the user if no offset is given)."""
    log_call(ctx, "set_reminder", due_at=due_at, text=text)
    at = aware(ctx, due_at)
    if at <= ctx.deps.now():
        return "error: that time is in the past; ask the user for a future time"
    try:
        r = ctx.deps.memory.add_reminder(at, text)
    except MemoryInputError as exc:
        return f"error: {exc}"
    return f"reminder {r.id} set for {at.isoformat()}"


@general_agent.tool
def list_reminders(ctx: RunContext[AssistantDeps]) -> list[str]:
    """The user's open reminders, soonest first."""
    log_call(ctx, "list_reminders")
    return [f"{r.due_at.astimezone(ctx.deps.tz).isoformat()}: {r.text}" for r in ctx.deps.memory.reminders()]


@general_agent.tool(metadata=EFFECT)
def remember_fact(ctx: RunContext[AssistantDeps], text: str, kind: str = "note") -> str:
    """Store a fact the user told you to remember. kind: note, preference or person."""
    log_call(ctx, "remember_fact", text=text, kind=kind)
    try:
        f = ctx.deps.memory.remember(text, kind if kind in ("note", "preference", "person") else "note")
    except MemoryInputError as exc:
        return f"error: {exc}"
    return f"stored fact {f.id}"


@general_agent.tool
def recall_facts(ctx: RunContext[AssistantDeps], topic: str) -> list[str]:
    """Facts and notes the user stored that relate to `topic`, best match first."""
    log_call(ctx, "recall_facts", topic=topic)
    return [f.text for f in ctx.deps.memory.recall(topic)]


@general_agent.tool(requires_approval=True)
def forget_facts(ctx: RunContext[AssistantDeps], topic: str) -> str:
    """Delete the stored facts about `topic` (needs the user's approval)."""
    log_call(ctx, "forget_facts", topic=topic)
    gone = ctx.deps.memory.forget(topic)
    return f"deleted {len(gone)} fact(s)"
