"""Warm a local model server's prompt cache: each agent's instructions and tools read once at start.

On 2 cores reading the prompt is most of a turn (some 1,000 tokens of instructions and tool schemas), and
the first request of each agent found nothing in ``llama-server``'s cache: the eval's timeouts were such
first calls. :func:`warm_up` sends each agent (the orchestrator, then every domain's delegate) one request
with its usual instructions and tool list and lets the model write a single token, so nothing runs and
nothing is answered; the server keeps the processed prefix. The app calls it in the background after its
models loaded (app/engine/local: the preload), never on the path of a request."""

from __future__ import annotations

import logging
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
    """Send each agent's prompt once (one token out); how many the server answered. Errors are logged and
    skipped: a server that is down is reported by the first real request."""
    from agents.orchestrator import orchestrator

    agents: list[Agent[AssistantDeps, Any]] = [orchestrator]
    agents += [a for a in (d.delegate_agent() for d in domains.domains()) if a is not None]
    warmed = 0
    for agent in agents:
        try:
            agent.run_sync(situated(deps, "hello"), deps=deps, model=model, model_settings=_ONE_TOKEN,
                           usage_limits=_ONE_REQUEST, timeout=timeout_s)
            warmed += 1
        except Exception as exc:
            if type(exc).__name__ in ("UnexpectedModelBehavior", "UsageLimitExceeded", "ToolRetryError"):
                warmed += 1
            else:
                log.info("warm-up of %s: %r", agent.name, exc)
    return warmed
