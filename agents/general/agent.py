"""The general delegate: time and date, timers, reminders, notes and user facts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic_ai import RunContext

from agents.deps import AssistantDeps
from agents.local.phrases import fmt_date, fmt_duration, fmt_time, fmt_when, tr
from agents.memory import MemoryInputError
from agents.tool_guard import EFFECT
from agents.toolkit import aware, log_call, new_delegate

from . import checks as _checks  # noqa: F401  (the tools' argument checks register themselves)
from .checks import ASKS_FOR

# the words that ask to set or store something (agents/toolkit.py: asked_for)
_W = r"(?<![\w-])(?:"
general_agent = new_delegate(
    "general",
    (
        "You handle time, date, timers, reminders and the user's notes and facts. Use the tools; "
        "answer in the user's language with a short spoken sentence and a fuller screen text."
    ),
    actions={
        **{tool: _W + words + ")" for tool, words in ASKS_FOR.items()},  # agents/general/checks.py
        "remember_fact": _W + r"remember|note|notier\w*|merk\w*|save|speicher\w*|keep in mind|write down|"
                         r"schreib\w* (?:\w+ )*auf\b)",
        "forget_facts": _W + r"forget|delete|remove|erase|vergiss|vergessen|lösch\w*|entfern\w*)",
    },
)


def _failed(ctx: RunContext[AssistantDeps], exc: MemoryInputError) -> str:
    ctx.deps.answer(ctx.tool_call_id, exc.in_language(ctx.deps.language))
    return f"error: {exc}"


@general_agent.tool
def current_time(ctx: RunContext[AssistantDeps]) -> str:
    """The current local date and time of the user (ISO 8601 with offset) and its spoken form."""
    now = ctx.deps.now()
    log_call(ctx, "current_time")
    lang = ctx.deps.language
    ctx.deps.answer(ctx.tool_call_id, tr(lang, f"It is {fmt_time(now, lang)} on {fmt_date(now.date(), lang, year=True)}.",
                                         f"Es ist {fmt_time(now, lang)}, {fmt_date(now.date(), lang, year=True)}."))
    return f"{now.isoformat()} ({fmt_date(now.date(), ctx.deps.language, year=True)}, {fmt_time(now, ctx.deps.language)})"


@general_agent.tool
def day_info(ctx: RunContext[AssistantDeps], day: date) -> str:
    """The weekday of a date and how many days it is from today."""
    log_call(ctx, "day_info", day=day)
    lang, today = ctx.deps.language, ctx.deps.now().date()
    n = (day - today).days
    if n == 0:
        rel = tr(lang, "today", "heute")
    elif n > 0:
        rel = tr(lang, f"in {n} day{'s' if n != 1 else ''}", f"in {n} Tag{'en' if n != 1 else ''}")
    else:
        rel = tr(lang, f"{-n} day{'s' if n != -1 else ''} ago", f"vor {-n} Tag{'en' if n != -1 else ''}")
    said = f"{fmt_date(day, lang, year=True)}: {rel}."
    ctx.deps.answer(ctx.tool_call_id, said)
    return said


@general_agent.tool(metadata=EFFECT)
def set_timer(ctx: RunContext[AssistantDeps], seconds: int, label: str = "") -> str:
    """Start a timer that rings after `seconds` seconds. Returns when it ends."""
    log_call(ctx, "set_timer", seconds=seconds, label=label)
    try:
        t = ctx.deps.memory.add_timer(timedelta(seconds=seconds), ctx.deps.now(), label)
    except MemoryInputError as exc:
        return _failed(ctx, exc)
    lang = ctx.deps.language
    what = f" ({label})" if label else ""
    ctx.deps.answer(ctx.tool_call_id, tr(
        lang, f"Timer set for {fmt_duration(timedelta(seconds=seconds), lang)}{what}; it rings at "
              f"{fmt_time(t.ends_at.astimezone(ctx.deps.tz), lang)}.",
        f"Timer über {fmt_duration(timedelta(seconds=seconds), lang)}{what} läuft; er klingelt um "
        f"{fmt_time(t.ends_at.astimezone(ctx.deps.tz), lang)}."))
    return f"timer {t.id} ends at {t.ends_at.astimezone(ctx.deps.tz).isoformat()}"


@general_agent.tool(metadata=EFFECT)
def set_reminder(ctx: RunContext[AssistantDeps], due_at: datetime, text: str) -> str:
    """Remind the user of `text` at `due_at` (local time of the user if no offset is given)."""
    log_call(ctx, "set_reminder", due_at=due_at, text=text)
    at = aware(ctx, due_at)
    lang = ctx.deps.language
    if at <= ctx.deps.now():
        when = fmt_when(at, ctx.deps.now(), lang)
        when = when[:1].upper() + when[1:]
        ctx.deps.answer(ctx.tool_call_id, tr(lang, f"{when} is in the past. When do you "
                                                   "want the reminder?",
                                             f"{when} liegt in der Vergangenheit: "
                                             "wann möchtest du die Erinnerung?"))
        return "error: that time is in the past; ask the user for a future time"
    try:
        r = ctx.deps.memory.add_reminder(at, text)
    except MemoryInputError as exc:
        return _failed(ctx, exc)
    ctx.deps.answer(ctx.tool_call_id, tr(lang, f"Reminder set for {fmt_when(at, ctx.deps.now(), lang)}: {text}.",
                                         f"Erinnerung für {fmt_when(at, ctx.deps.now(), lang)} gespeichert: {text}."))
    return f"reminder {r.id} set for {at.isoformat()}"


@general_agent.tool
def list_reminders(ctx: RunContext[AssistantDeps]) -> list[str]:
    """The user's open reminders, soonest first."""
    log_call(ctx, "list_reminders")
    found = ctx.deps.memory.reminders()
    lang, now = ctx.deps.language, ctx.deps.now()
    ctx.deps.answer(ctx.tool_call_id, "\n".join(f"{fmt_when(r.due_at.astimezone(ctx.deps.tz), now, lang)}: {r.text}"
                                                for r in found)
                    or tr(lang, "You have no reminders.", "Du hast keine Erinnerungen."))
    return [f"{r.due_at.astimezone(ctx.deps.tz).isoformat()}: {r.text}" for r in found]


@general_agent.tool(metadata=EFFECT)
def remember_fact(ctx: RunContext[AssistantDeps], text: str, kind: str = "note") -> str:
    """Store a fact the user told you to remember. kind: note, preference or person."""
    log_call(ctx, "remember_fact", text=text, kind=kind)
    try:
        f = ctx.deps.memory.remember(text, kind if kind in ("note", "preference", "person") else "note")
    except MemoryInputError as exc:
        return _failed(ctx, exc)
    ctx.deps.answer(ctx.tool_call_id, tr(ctx.deps.language, f"Noted: {text}", f"Notiert: {text}"))
    return f"stored fact {f.id}"


@general_agent.tool
def recall_facts(ctx: RunContext[AssistantDeps], topic: str) -> list[str]:
    """Facts and notes the user stored that relate to `topic`, best match first."""
    log_call(ctx, "recall_facts", topic=topic)
    found = [f.text for f in ctx.deps.memory.recall(topic)]
    ctx.deps.answer(ctx.tool_call_id, "\n".join(found[:5]) or tr(ctx.deps.language, f"I have no note about {topic}.",
                                                                   f"Ich habe keine Notiz zu {topic}."))
    return found


@general_agent.tool(requires_approval=True)
def forget_facts(ctx: RunContext[AssistantDeps], topic: str) -> str:
    """Delete the stored facts about `topic` (needs the user's approval)."""
    log_call(ctx, "forget_facts", topic=topic)
    gone = ctx.deps.memory.forget(topic)
    return f"deleted {len(gone)} fact(s)"
