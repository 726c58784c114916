"""Warm a local model server's prompt cache: each agent's instructions and tools read once at start.

On 2 cores reading the prompt is most of a turn (some 1,000 tokens of instructions and tool schemas), and
the first request of each agent found nothing in ``llama-server``'s cache: the eval's timeouts were such
first calls. :func:`warm_up` sends each agent (the orchestrator, then every domain's delegate) one request
with its usual instructions and tool list, and each delegate its ``warm_requests`` (agents/domains.py): a
first step sees only the tools of the group its request names and of the change it asks for, and each such
list is a prompt of its own for the server (a change request's first step read ~550-720 tokens anew, 4-5 s
on 2 cores). The model writes a single token, so nothing runs and nothing is answered; the server keeps
the processed prefixes. The app calls it in the background after its
models loaded (app/engine/local: the preload), never on the path of a request."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from pydantic_ai import Agent
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import UsageLimits

from agents import domains
from agents.deps import AssistantDeps
from agents.toolkit import situated

log = logging.getLogger(__name__)

_ONE_TOKEN = ModelSettings(max_tokens=1)
_ONE_REQUEST = UsageLimits(request_limit=1)


def warm_up(model: Model, deps: AssistantDeps, timeout_s: float = 120.0) -> int:
    """Send each agent's prompt once (one token out); how many the server answered. The run stops at the
    model's answer: a tool call in it never runs (a warm request may show a tool that changes something).
    Errors are logged and skipped: a server that is down is reported by the first real request."""
    from agents.orchestrator import orchestrator

    prompts: list[tuple[Agent[AssistantDeps, Any], str]] = [(orchestrator, "hello")]
    for domain in domains.domains():
        agent = domain.delegate_agent()
        if agent is not None:
            prompts += [(agent, request) for request in ("hello", *domain.warm_requests)]

    async def read_all() -> int:
        warmed = 0
        for agent, request in prompts:
            try:
                await asyncio.wait_for(_read_once(agent, request, model, deps), timeout_s)
                warmed += 1
            except Exception as exc:
                if type(exc).__name__ in ("UnexpectedModelBehavior", "UsageLimitExceeded", "IncompleteToolCall"):
                    warmed += 1  # the one token could not be a whole answer: the prompt was read all the same
                else:
                    log.info("warm-up of %s (%r): %r", agent.name, request, exc)
        return warmed

    return asyncio.run(read_all())


async def _read_once(agent: Agent[AssistantDeps, Any], request: str, model: Model, deps: AssistantDeps) -> None:
    async with agent.iter(situated(deps, request), deps=replace(deps, request=request), model=model,
                          model_settings=_ONE_TOKEN, usage_limits=_ONE_REQUEST) as run:
        async for node in run:
            if Agent.is_call_tools_node(node):
                return  # the model has answered: the prompt is read, and nothing it asked for runs
