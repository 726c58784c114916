"""Helpers shared by the agent tools: logging calls for `--json`, resolving times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic_ai import Agent, DeferredToolRequests, ModelRetry, RunContext
from pydantic_ai.settings import ModelSettings

from agents.deps import AssistantDeps
from agents.replies import DomainResult
from agents.tool_guard import ToolGuard

Delegate = Agent[AssistantDeps, DomainResult | str | DeferredToolRequests]

# every model call is bounded: a delegate answers with a short spoken and a screen text (the orchestrator's
# own bound is in agents/orchestrator.py); a model that runs on is cut there, not after minutes
DELEGATE_SETTINGS = ModelSettings(max_tokens=700)


def situated(deps: AssistantDeps, request: str) -> str:
    """The request with today's date and time, the user's time zone and language after it, so that a
    small model needs no round trip to learn them (and dates no year it made up).

    They go with the request, not into the instructions: the instructions and the tool list then stay
    the same from one request to the next, and a local server (llama.cpp) reuses their processed prompt
    from its cache instead of reading some thousand tokens again on every call (on 2 cores that is most of
    the time a turn takes)."""
    now = deps.now()
    lang = "German" if deps.language == "de" else "English"
    zone = str(getattr(deps.tz, "key", "") or now.tzname() or now.strftime("%z"))
    return (f"{request}\n\n(Now it is {now:%A, %Y-%m-%d %H:%M} in my time zone, {zone}; times I say are in "
            f"that zone. Answer in {lang}.)")


def log_call(ctx: RunContext[AssistantDeps], name: str, **args: Any) -> None:
    ctx.deps.record_tool(name, {k: str(v) for k, v in args.items()})


def aware(ctx: RunContext[AssistantDeps], dt: datetime) -> datetime:
    """Times from the model without a zone are in the user's zone."""
    return dt.replace(tzinfo=ctx.deps.tz) if dt.tzinfo is None else dt


def need(service: object, what: str) -> None:
    if service is None:
        raise ModelRetry(f"No {what} is connected; tell the user it is not set up.")


def new_delegate(name: str, instructions: str) -> Delegate:
    """A domain's delegate as every domain builds it: typed deps, a short spoken + screen answer (or
    plain text: small models often answer without the output tool) or the
    deferred calls that wait for approval, the output bound (today's date, zone and language come with
    each request: :func:`situated`), and the
    tool guard (arguments checked, repeats stopped, actions noted: agents/tool_guard.py)."""
    agent: Delegate = Agent(deps_type=AssistantDeps, output_type=[DomainResult, str, DeferredToolRequests],
                            model_settings=DELEGATE_SETTINGS, name=name, instructions=instructions,
                            capabilities=[ToolGuard()], retries=2)
    return agent
