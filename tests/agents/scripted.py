"""A scripted stand-in for a language model (pydantic-ai FunctionModel): the orchestrator and each
delegate follow a small script keyed by the tools they see, so tests drive real agent runs with
real tool calls, delegation, deferred approvals and resumption, with no model request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCalls, FunctionModel

Step = Callable[[list[ModelMessage], AgentInfo], ModelResponse]


def last_request_parts(messages: list[ModelMessage]) -> list[Any]:
    last = messages[-1]
    return list(last.parts) if isinstance(last, ModelRequest) else []


def tool_returns(messages: list[ModelMessage]) -> dict[str, str]:
    """tool name -> content of its latest return in this conversation."""
    out: dict[str, str] = {}
    for m in messages:
        if isinstance(m, ModelRequest):
            for p in m.parts:
                if isinstance(p, ToolReturnPart):
                    out[p.tool_name] = p.content if isinstance(p.content, str) else json.dumps(p.content, default=str)
    return out


def user_prompt(messages: list[ModelMessage]) -> str:
    for m in reversed(messages):
        if isinstance(m, ModelRequest):
            for p in m.parts:
                if isinstance(p, UserPromptPart) and isinstance(p.content, str):
                    return p.content
    return ""


def final(info: AgentInfo, spoken: str, text: str | None = None) -> ModelResponse:
    """The delegate's structured answer through its output tool."""
    name = next(t.name for t in info.output_tools if "DomainResult" in t.name or t.name.startswith("final_result"))
    return ModelResponse(parts=[ToolCallPart(name, {"spoken": spoken, "text": text or spoken})])


def call(tool: str, **args: Any) -> ModelResponse:
    return ModelResponse(parts=[ToolCallPart(tool, args)])


@dataclass
class Script:
    """``orchestrator(messages, info)`` and ``delegate(messages, info)`` steps; counts requests."""

    delegate: Step
    route: str = "ask_communication"
    requests: int = 0
    seen: list[str] = field(default_factory=list)

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        self.requests += 1
        names = {t.name for t in info.function_tools}
        if "ask_communication" in names:  # the orchestrator
            returns = tool_returns(messages)
            if self.route in returns:
                return ModelResponse(parts=[TextPart(returns[self.route].splitlines()[0])])
            return call(self.route, request=user_prompt(messages))
        self.seen.append(",".join(sorted(names)))
        return self.delegate(messages, info)

    def model(self) -> FunctionModel:
        return FunctionModel(self)


def streaming_model(text_chunks: list[str]) -> FunctionModel:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str | DeltaToolCalls]:
        for chunk in text_chunks:
            yield chunk

    return FunctionModel(stream_function=stream)
