"""Helpers shared by the agent tools: logging calls for `--json`, resolving times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic_ai import ModelRetry, RunContext

from agents.deps import AssistantDeps


def log_call(ctx: RunContext[AssistantDeps], name: str, **args: Any) -> None:
    ctx.deps.record_tool(name, {k: str(v) for k, v in args.items()})


def aware(ctx: RunContext[AssistantDeps], dt: datetime) -> datetime:
    """Times from the model without a zone are in the user's zone."""
    return dt.replace(tzinfo=ctx.deps.tz) if dt.tzinfo is None else dt


def need(service: object, what: str) -> None:
    if service is None:
        raise ModelRetry(f"No {what} is connected; tell the user it is not set up.")
