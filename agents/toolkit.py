"""Helpers shared by the agent tools: logging calls for `--json`, resolving times."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic_ai import Agent, DeferredToolRequests, ModelRetry, RunContext
from pydantic_ai.capabilities import AbstractCapability, PrepareTools
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition, ToolsPrepareFunc

from agents.deps import AssistantDeps
from agents.replies import DomainResult
from agents.tool_guard import ToolGuard

Delegate = Agent[AssistantDeps, DomainResult | str | DeferredToolRequests]

# every model call is bounded: a delegate answers with a short spoken and a screen text (the orchestrator's
# own bound is in agents/orchestrator.py); a model that runs on is cut there, not after minutes
DELEGATE_SETTINGS = ModelSettings(max_tokens=700)


def situated(deps: AssistantDeps, request: str) -> str:
    """The request with today's date and time, the dates of the next seven days ("Fri 2026-03-06": a
    small model counting weekdays got "Friday" wrong), the user's time zone and language after it, so
    that a small model needs no round trip to learn them (and dates no year it made up).

    They go with the request, not into the instructions: the instructions and the tool list then stay
    the same from one request to the next, and a local server (llama.cpp) reuses their processed prompt
    from its cache instead of reading some thousand tokens again on every call (on 2 cores that is most of
    the time a turn takes)."""
    now = deps.now()
    lang = "German" if deps.language == "de" else "English"
    zone = str(getattr(deps.tz, "key", "") or now.tzname() or now.strftime("%z"))
    week = ", ".join(f"{d:%a} {d:%Y-%m-%d}" for d in (now + timedelta(days=i) for i in range(1, 8)))
    return (f"{request}\n\n(Now it is {now:%A, %Y-%m-%d %H:%M} in my time zone, {zone}; times I say are in "
            f"that zone. The next days: {week}. Answer in {lang}.)")


def log_call(ctx: RunContext[AssistantDeps], name: str, **args: Any) -> None:
    ctx.deps.record_tool(name, {k: str(v) for k, v in args.items()})


def aware(ctx: RunContext[AssistantDeps], dt: datetime) -> datetime:
    """Times from the model without a zone are in the user's zone."""
    return dt.replace(tzinfo=ctx.deps.tz) if dt.tzinfo is None else dt


def need(service: object, what: str) -> None:
    if service is None:
        raise ModelRetry(f"No {what} is connected; tell the user it is not set up.")


def tool_groups(groups: dict[str, tuple[str, frozenset[str]]]) -> ToolsPrepareFunc[AssistantDeps]:
    """Few tools per call: ``groups`` maps a group to (a regex of its words, its tool names). When the
    request names exactly one group ("mail", "Termin", "WhatsApp"), the model sees only that group's
    tools; otherwise all of them. (A small model picks better from three tools than from nine, and the
    prompt is shorter.)"""
    compiled = {g: (re.compile(rx, re.IGNORECASE), tools) for g, (rx, tools) in groups.items()}

    async def prepare(ctx: RunContext[AssistantDeps], defs: list[ToolDefinition]) -> list[ToolDefinition]:
        request = (ctx.prompt if isinstance(ctx.prompt, str) else "").split("\n\n(Now it is")[0]
        hits = [tools for rx, tools in compiled.values() if rx.search(request)]
        if len(hits) != 1:
            return defs
        return [d for d in defs if d.name in hits[0]]

    return prepare


@dataclass
class ToolFirst(AbstractCapability[AssistantDeps]):
    """A delegate's first step must call one of its tools (``tool_choice="required"``; an OpenAI-compatible
    server such as llama.cpp then constrains the reply to a tool call by grammar). A delegate is asked only
    for what its tools do, and a small model left free answered with made-up text instead ("<tools></tools>",
    a tool's description, "Tom wants to know what he wants to do"). Later steps are free: they answer from
    the tools' results, or ask the user for what is missing."""

    def get_model_settings(self) -> Callable[[RunContext[AssistantDeps]], ModelSettings]:
        def settings(ctx: RunContext[AssistantDeps]) -> ModelSettings:
            if ctx.run_step <= 1 and ctx.prompt is not None:  # a new request (not an approved run resuming)
                return ModelSettings(tool_choice="required")
            return ModelSettings()

        return settings


def new_delegate(name: str, instructions: str,
                 prepare_tools: ToolsPrepareFunc[AssistantDeps] | None = None) -> Delegate:
    """A domain's delegate as every domain builds it: typed deps, a short spoken + screen answer (or
    plain text: small models often answer without the output tool) or the
    deferred calls that wait for approval, the output bound (today's date, zone and language come with
    each request: :func:`situated`), and the
    tool guard (arguments checked, repeats stopped, actions noted: agents/tool_guard.py)."""
    agent: Delegate = Agent(deps_type=AssistantDeps, output_type=[DomainResult, str, DeferredToolRequests],
                            model_settings=DELEGATE_SETTINGS, name=name, instructions=instructions,
                            capabilities=[ToolGuard(), ToolFirst(),
                                          *([PrepareTools(prepare_tools)] if prepare_tools else [])],
                            retries=2)
    return agent
