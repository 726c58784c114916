"""A first step that can only be a tool call, from its first token, on an OpenAI-compatible server.

:class:`agents.toolkit.ToolFirst` asks for ``tool_choice="required"`` on a request's first step. llama.cpp's
server (the local model's) builds for that a grammar of *optional free text up to the tool-call marker*, then
the call: the call is required, the text before it is not forbidden. A 1.5B model then often starts with
"To find out who emailed you about lunch, I'll search …" and writes until the step's token bound (256 tokens,
~15 s on 2 cores), the slowest turns of the real-model eval. Every such server also offers a JSON schema
for the reply (``response_format``), which it enforces from the first token; llama.cpp keeps the tools in
the prompt beside it (the same prompt the later steps see, so its cache still serves).

:class:`agents.toolkit.ToolFirst` sends such a first step with a schema of the shape the chat template asks
for, one ``{"name": <tool>, "arguments": {...}}`` of the tools that step may call, and :class:`StrictFirstCall`
turns the JSON it gets back into the tool call it stands for. Because the grammar, not the tool list, holds
the step to those tools, the first step shows the model the same tools as the steps after it (the output
tool, ``ask_user``): the server's cache of the prompt then serves the second step too, where a shorter first
list made it read the whole prompt again (~500 tokens, 4-5 s on 2 cores). Measured on the eval's m-lunch-en
first step: 256 tokens in 16.8 s before, 37 tokens in 2.3 s with the schema. A reply that is already a tool
call (a server that prefers the tools) or that is not such JSON (cut at the bound) passes through unchanged;
pydantic-ai then handles it as before."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from pydantic_ai import RunContext
from pydantic_ai.exceptions import ModelAPIError, ModelConnectionError, ModelHTTPError, ModelTimeoutError
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    ModelResponseStreamEvent,
    TextPart,
    ToolCallPart,
)
from pydantic_ai.models import ModelRequestParameters, StreamedResponse
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


FORMAT_NAME = "tool_call"  # the name of the response format that holds a step to one call


def strict_settings(settings: ModelSettings, tools: list[ToolDefinition]) -> ModelSettings:
    """``settings`` with the response format that allows one call of ``tools`` and nothing else."""
    body = dict(cast(dict[str, Any], settings.get("extra_body") or {}))
    body["response_format"] = {"type": "json_schema",
                               "json_schema": {"name": FORMAT_NAME, "schema": call_schema(tools)}}
    return cast(ModelSettings, {**settings, "extra_body": body})


# where a free step's reply ends: a 1.5B model went on after its call with "\n\nI'm sorry, but I can't assist
# with that." or an imitated "<tool_response>", which llama.cpp's parser rejects (500 "does not match the
# expected ... format"), costing the step and a second one held to a call (3 of 10 turns of the eval's slowest
# cases). A call is one line of JSON, so a blank line ends it; a text answer ends at its first paragraph (the
# replies the model words are a sentence or two: lists and read-outs are worded by code, agents/worded.py)
FREE_STEP_STOPS = ("\n\n", "<tool_response>")


def ends_at_call(settings: ModelSettings) -> ModelSettings:
    """``settings`` with the stops of a free step added."""
    stops = [*(settings.get("stop_sequences") or []), *FREE_STEP_STOPS]
    return cast(ModelSettings, {**settings, "stop_sequences": list(dict.fromkeys(stops))})


def _allowed(settings: ModelSettings | None) -> set[str] | None:
    """The tools a strict step may call (from its response format); None for a free step."""
    fmt = (cast(dict[str, Any], (settings or {}).get("extra_body") or {})).get("response_format") or {}
    spec = fmt.get("json_schema") or {}
    if spec.get("name") != FORMAT_NAME:
        return None
    schema = spec.get("schema") or {}
    return {c["properties"]["name"]["const"] for c in schema.get("anyOf", [schema])}


def uses_strict_calls(model: object) -> bool:
    """Whether ``model`` (or a model it wraps) is a :class:`StrictFirstCall`."""
    while isinstance(model, WrapperModel):
        if isinstance(model, StrictFirstCall):
            return True
        model = model.wrapped
    return False


def _hoisted(schema: dict[str, Any], prefix: str, defs: dict[str, Any]) -> dict[str, Any]:
    """One tool's parameter schema with its ``$defs`` moved to the root's under ``prefix`` (a ref is
    resolved from the root of the whole schema, not from the tool's)."""
    own = schema.get("$defs") or {}
    text = json.dumps({k: v for k, v in schema.items() if k != "$defs"})
    for name in own:
        text = text.replace(f'"#/$defs/{name}"', f'"#/$defs/{prefix}{name}"')
    for name, sub in own.items():
        sub_text = json.dumps(sub)
        for other in own:
            sub_text = sub_text.replace(f'"#/$defs/{other}"', f'"#/$defs/{prefix}{other}"')
        defs[f"{prefix}{name}"] = json.loads(sub_text)
    return cast(dict[str, Any], json.loads(text))


def call_schema(tools: list[ToolDefinition]) -> dict[str, Any]:
    """The JSON schema of one call of one of ``tools``: ``{"name": <its name>, "arguments": <its parameters>}``."""
    defs: dict[str, Any] = {}
    choices = [{"type": "object",
                "properties": {"name": {"const": t.name},
                               "arguments": _hoisted(t.parameters_json_schema, f"t{i}_", defs)},
                "required": ["name", "arguments"], "additionalProperties": False}
               for i, t in enumerate(tools)]
    schema: dict[str, Any] = {"anyOf": choices} if len(choices) > 1 else choices[0]
    if defs:
        schema = {**schema, "$defs": defs}
    return schema


def as_call(response: ModelResponse, names: set[str]) -> ModelResponse:
    """The response with its JSON text turned into the tool call it names (unchanged when it is not one)."""
    if any(isinstance(p, ToolCallPart) for p in response.parts):
        return response
    text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
    try:
        call = json.loads(_FENCE.sub("", text))
    except ValueError:
        return response
    if not (isinstance(call, dict) and call.get("name") in names and isinstance(call.get("arguments"), dict)):
        return response
    part = ToolCallPart(tool_name=str(call["name"]), args=cast(dict[str, Any], call["arguments"]))
    return replace(response, parts=[part], finish_reason="tool_call")


def _unparsed(error: ModelAPIError) -> bool:
    """The server could not read the model's reply as text or a tool call (llama.cpp's parser)."""
    return isinstance(error, ModelHTTPError) and error.status_code == 500 and "does not match" in str(
        error.body or error)


def _passing(error: ModelAPIError) -> bool:
    """An error that a second try may not meet (what the OpenAI client retries: a lost connection, 409,
    429, a 5xx); not a time-out, which would only make the user wait as long again."""
    if isinstance(error, ModelTimeoutError):
        return False
    if isinstance(error, ModelHTTPError):
        return error.status_code in (409, 429) or error.status_code >= 500
    return isinstance(error, ModelConnectionError)


@dataclass
class _Replayed(StreamedResponse):
    """A response already complete, handed out as a stream (the orchestrator's run streams its text)."""

    _response: ModelResponse = field(default_factory=lambda: ModelResponse(parts=[]))

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        self._usage = self._response.usage
        for i, part in enumerate(self._response.parts):
            for event in self._events(i, part):
                yield event

    def _events(self, index: int, part: Any) -> Iterator[ModelResponseStreamEvent]:
        if isinstance(part, ToolCallPart):
            yield self._parts_manager.handle_tool_call_part(vendor_part_id=index, tool_name=part.tool_name,
                                                            args=part.args, tool_call_id=part.tool_call_id)
        elif isinstance(part, TextPart):
            yield from self._parts_manager.handle_text_delta(vendor_part_id=index, content=part.content)

    @property
    def model_name(self) -> str:
        return self._response.model_name or ""

    @property
    def provider_name(self) -> str | None:
        return self._response.provider_name

    @property
    def provider_url(self) -> str | None:
        return self._response.provider_url

    @property
    def timestamp(self) -> datetime:
        return self._response.timestamp


@dataclass(init=False)
class StrictFirstCall(WrapperModel):
    """The wrapped OpenAI-compatible model; a step sent with :func:`strict_settings` (the first step of a
    request: agents/toolkit.py ``ToolFirst``) comes back as the one tool call its JSON names."""

    async def request(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                      model_request_parameters: ModelRequestParameters) -> ModelResponse:
        names = _allowed(model_settings)
        params = model_request_parameters
        # no second try inside the client: a reply the server could not parse comes back the same when asked
        # the same way (temperature 0), and cost as long again (6-12 s on 2 cores, twice in a turn of the eval)
        once = cast(ModelSettings, {**(model_settings or {}), "max_retries": 0})
        try:
            response = await super().request(messages, once if names is not None else ends_at_call(once), params)
        except ModelAPIError as exc:
            if not _unparsed(exc):
                if not _passing(exc):
                    raise
                # a server or network hiccup: once more
                response = await super().request(messages, once if names is not None else ends_at_call(once), params)
                return response if names is None else as_call(response, names)
            # a later, free step whose call the server could not parse (llama.cpp answers 500 "does not match
            # the expected ... format": the 1.5B model wrote a sentence after its call, or imitated a tool's
            # result): asked once more, held to one call of its tools or its output tool (a delegate's answer is
            # one), so the turn goes on
            tools = [*params.function_tools, *params.output_tools]
            if names is not None or not params.output_tools:
                raise
            names = {t.name for t in tools}
            response = await super().request(messages, strict_settings(once, tools), params)
        return response if names is None else as_call(response, names)

    @asynccontextmanager
    async def request_stream(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                             model_request_parameters: ModelRequestParameters,
                             run_context: RunContext[Any] | None = None) -> AsyncIterator[StreamedResponse]:
        if _allowed(model_settings) is None:
            async with super().request_stream(messages, ends_at_call(model_settings or {}), model_request_parameters,
                                              run_context) as stream:
                yield stream
            return
        # a tool call is not read out as it comes: the whole call, then handed on as a stream
        response = await self.request(messages, model_settings, model_request_parameters)
        yield _Replayed(model_request_parameters=model_request_parameters, _response=response)
