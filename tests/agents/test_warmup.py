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
    prompts = 1 + sum(1 + len(d.warm_requests) for d in delegates)
    assert assistant.warm_up() == prompts
    assert len(seen) == prompts and all(bound == 1 for _, bound in seen)
    assert "ask_communication" in seen[0][0]  # the orchestrator first
    assert assistant.memory.active_timers(NOW) == [] and assistant.memory.count_turns() == 0


def test_the_warm_up_shows_each_tool_list_of_a_first_step(assistant: Assistant) -> None:
    """A change request's first step sees only the tools of that change, a request naming a group only that
    group's: every such list is read once at start (each change tool alone or with its kind, each group)."""
    seen: list[frozenset[str]] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(frozenset(t.name for t in info.function_tools))
        return call("ask_user", question="?")

    with_model(assistant, FunctionModel(model))
    assistant.warm_up()
    changes = {"send_mail", "reply_mail", "create_event", "delete_event", "send_message", "set_timer",
               "set_reminder", "remember_fact", "control_recording", "draft_transfer", "post", "delete_post"}
    alone = {tool for tools in seen if tools <= changes for tool in tools}  # a first step of a change
    assert alone == changes, sorted(changes - alone)
    groups = [{"search_mail", "read_mail"}, {"calendar_events"}, {"recent_messages"}]
    for group in groups:
        assert any(group <= tools and not (tools & changes) and all(not (g <= tools) for g in groups if g != group)
                   for tools in seen), group


def test_no_model_no_warm_up(assistant: Assistant) -> None:
    assistant.model_factory = lambda: None
    assert assistant.warm_up() == 0
