"""Guards on every tool call of every agent, as a pydantic-ai capability (``ToolGuard``, one per agent).

- **Arguments are checked before anything runs or waits for approval.** A domain registers a check per
  tool name (:func:`checks`): a recipient must be an address or resolve to one known contact, a mail
  id must exist, an event must start in the future. A check may also resolve an argument (a name to
  the address), and the approval then shows the resolved value. A failed check goes back to the model
  as a retry with the reason, so a bad argument never reaches the user's approval prompt.
- **An identical repeated call in one turn does not run again**: the model gets the first result and
  is told to answer (a small model otherwise calls ``set_timer`` until its step limit); when the tools word
  the answers (one model call a turn, agents/worded.py), that first result is the answer.
- **Every call that changed something is noted** on the turn (``AssistantDeps.acted``): the reply lists
  the actions that ran, a run that fails afterwards names them, and a reply that claims an action is
  checked against them (agents/honesty.py).

A tool changes something when it needs approval (it runs only after the user's yes) or when it is
declared with ``metadata=EFFECT`` (timers, reminders, notes: cheap to undo, so no approval)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic_ai import ModelRetry, RunContext
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.capabilities.abstract import ValidatedToolArgs, WrapToolExecuteHandler
from pydantic_ai.messages import ToolCallPart
from pydantic_ai.tools import ToolDefinition

from agents.deps import AssistantDeps

EFFECT: dict[str, Any] = {"effect": True}  # tool metadata of a tool that changes something without approval

ArgCheck = Callable[[AssistantDeps, dict[str, Any]], dict[str, Any]]
ARG_CHECKS: dict[str, ArgCheck] = {}


class ArgumentProblem(Exception):
    """An argument is wrong; the message tells the model what to do instead (ask the user, look it up)."""


def checks(tool: str) -> Callable[[ArgCheck], ArgCheck]:
    """Register the argument check of the tool named ``tool``: it gets the deps and the validated
    arguments, returns them (possibly resolved) or raises :class:`ArgumentProblem`."""

    def register(fn: ArgCheck) -> ArgCheck:
        ARG_CHECKS[tool] = fn
        return fn

    return register


def _key(name: str, args: Any) -> str:
    return name + json.dumps(args, sort_keys=True, default=str)


def changes_something(tool_def: ToolDefinition) -> bool:
    return tool_def.kind == "unapproved" or bool((tool_def.metadata or {}).get("effect"))


@dataclass
class ToolGuard(AbstractCapability[AssistantDeps]):
    async def after_tool_validate(self, ctx: RunContext[AssistantDeps], *, call: ToolCallPart,
                                  tool_def: ToolDefinition, args: ValidatedToolArgs) -> ValidatedToolArgs:
        check = ARG_CHECKS.get(tool_def.name)
        if check is None or not isinstance(args, dict):
            return args
        try:
            fixed = check(ctx.deps, dict(args))
        except ArgumentProblem as exc:
            raise ModelRetry(str(exc)) from exc
        if fixed != args:  # resolved: the deferred call (and so the approval) carries the resolved value
            call.args = {**(call.args_as_dict()), **fixed}
            call.id = None
        return fixed

    async def wrap_tool_execute(self, ctx: RunContext[AssistantDeps], *, call: ToolCallPart,
                                tool_def: ToolDefinition, args: ValidatedToolArgs,
                                handler: WrapToolExecuteHandler) -> Any:
        key = _key(tool_def.name, args)
        seen = ctx.deps.tool_results
        if key in seen:
            if ctx.deps.one_call:  # the tools word the answer: the first result is it (the 1.5B model called
                ctx.deps.answer(ctx.tool_call_id, seen[key])  # `balance` six times, each told to answer now)
            return (f"Already done in this turn with the same arguments; the result was: {seen[key]}. "
                    "Do not call it again: answer the user now.")
        result = await handler(args)
        shown = (result if isinstance(result, str)
                 else "\n".join(result) if isinstance(result, list) and all(isinstance(r, str) for r in result)
                 else json.dumps(result, default=str, ensure_ascii=False))
        seen[key] = shown[:500]
        if changes_something(tool_def):
            ctx.deps.acted(tool_def.name, dict(args) if isinstance(args, dict) else {}, shown)
        return result


