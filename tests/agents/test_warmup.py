"""The warm-up (agents/warmup.py): each agent's prompt is sent once with a one-token bound; nothing runs."""

from __future__ import annotations

from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agents import domains
from agents.assistant import Assistant

from .conftest import NOW
from .scripted import call
from .test_agents_llm import with_model


def test_each_agent_reads_its_prompt_once_and_nothing_runs(assistant: Assistant) -> None:
    seen: list[tuple[frozenset[str], object]] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append((frozenset(t.name for t in info.function_tools), (info.model_settings or {}).get("max_tokens")))
        return call("set_timer", seconds=60)  # what a one-token answer could never be: still, nothing runs

    with_model(assistant, FunctionModel(model))
    delegates = [d for d in domains.domains() if d.delegate]
    assert assistant.warm_up() == 1 + len(delegates)
    assert len(seen) == 1 + len(delegates) and all(bound == 1 for _, bound in seen)
    assert "ask_communication" in seen[0][0]  # the orchestrator first
    assert assistant.memory.active_timers(NOW) == [] and assistant.memory.count_turns() == 0


def test_no_model_no_warm_up(assistant: Assistant) -> None:
    assistant.model_factory = lambda: None
    assert assistant.warm_up() == 0
