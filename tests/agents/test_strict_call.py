"""A request's first step held to one tool call by a JSON schema (agents/strict_call.py): the schema a
server is sent accepts exactly a call of the step's tools, the JSON reply becomes that tool call (the tool
runs, in a plain and in a streamed run), later steps are free, and a reply that is not such JSON passes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel
from pydantic_ai.tools import ToolDefinition

from agents.assistant import Assistant
from agents.deps import ServiceDeps
from agents.orchestrator import orchestrator
from agents.strict_call import StrictFirstCall, as_call, call_schema
from tests.agents.scripted import Script, Step, call, final, tool_returns
from tests.agents.test_agents_llm import dentist_tomorrow

pytestmark = pytest.mark.unit


def _format(info: AgentInfo) -> Any:
    """The response format a request was sent with (None when free)."""
    body: Any = (info.model_settings or {}).get("extra_body") or {}
    return body.get("response_format")


@dataclass
class Seen:
    strict: list[bool] = field(default_factory=list)  # per request: a schema came
    shown: list[list[str]] = field(default_factory=list)  # the tools the model was shown
    allowed: list[list[str]] = field(default_factory=list)  # those the schema allows ([] without one)


def json_server(step: Step) -> tuple[FunctionModel, Seen]:
    """A scripted model that answers as llama.cpp does when sent a ``response_format``: the call it would
    make, as JSON text that the schema must accept. Also notes what each request showed and allowed."""
    seen = Seen()

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        fmt = _format(info)
        seen.strict.append(fmt is not None)
        seen.shown.append(sorted(t.name for t in info.function_tools + info.output_tools))
        schema = fmt["json_schema"]["schema"] if fmt else {"anyOf": []}
        seen.allowed.append(sorted(c["properties"]["name"]["const"] for c in schema.get("anyOf", [schema])))
        response = step(messages, info)
        if fmt is None:
            return response
        made = next(p for p in response.parts if isinstance(p, ToolCallPart))
        doc = {"name": made.tool_name, "arguments": made.args_as_dict()}
        jsonschema.validate(doc, fmt["json_schema"]["schema"])
        return ModelResponse(parts=[TextPart(json.dumps(doc))])

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str | DeltaToolCalls]:
        for i, part in enumerate(respond(messages, info).parts):
            if isinstance(part, TextPart):
                yield part.content
            elif isinstance(part, ToolCallPart):
                yield {i: DeltaToolCall(name=part.tool_name, json_args=part.args_as_json_str())}

    return FunctionModel(respond, stream_function=stream), seen


def test_a_streamed_run_gets_its_first_steps_as_calls_and_its_answer_free(assistant: Assistant,
                                                                          services: ServiceDeps) -> None:
    model, seen = json_server(Script(dentist_tomorrow(services)))
    deps = assistant.deps()

    async def run() -> str:
        async with orchestrator.run_stream("anything special tomorrow in my agenda?", deps=deps,
                                           model=StrictFirstCall(model)) as result:
            return await result.get_output()

    assert asyncio.run(run()) == "Tomorrow you have the dentist."
    assert [c.name for c in deps.tool_calls] == ["calendar_events"]
    # orchestrator's first step, the delegate's first step: schema; the delegate's and orchestrator's answers: free
    assert seen.strict == [True, True, False, False]
    # each agent shows the same tools on its first step as after it (the server's prompt cache serves both);
    # the schema allows the delegate's own tools, not its output tool
    assert seen.shown[0] == seen.shown[3] and seen.shown[1] == seen.shown[2]
    assert "final_result" in " ".join(seen.shown[1]) and "calendar_events" in seen.allowed[1]
    assert not any(n.startswith("final_result") for n in seen.allowed[1])


def test_a_direct_delegate_runs_the_tool_the_json_names(assistant: Assistant) -> None:
    def delegate(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if "search_mail" not in tool_returns(messages):
            return call("search_mail", text="lunch")
        return final(info, "Nobody wrote about lunch.")

    model, seen = json_server(Script(delegate))
    assistant.model_factory = lambda: StrictFirstCall(model)
    reply = assistant.ask("Who emailed me about lunch?")
    assert reply.source == "llm", reply
    assert [c.name for c in reply.tool_calls] == ["search_mail"]
    assert seen.strict[0] is True and seen.strict.count(True) == 1


def test_a_change_shows_ask_user_on_the_first_step_but_cannot_call_it(assistant: Assistant) -> None:
    def delegate(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return call("send_mail", to=["bob@example.com"], subject="Hi", body="see you at 5")

    model, seen = json_server(Script(delegate))
    assistant.model_factory = lambda: StrictFirstCall(model)
    reply = assistant.ask("write bob@example.com that I'll see him at 5")
    assert reply.approval is not None, reply
    assert "ask_user" in seen.shown[0] and "ask_user" not in seen.allowed[0] and "send_mail" in seen.allowed[0]


def _tool(name: str, kind: list[str]) -> ToolDefinition:
    return ToolDefinition(name=name, parameters_json_schema={
        "type": "object", "additionalProperties": False, "required": ["kind", "text"],
        "properties": {"kind": {"$ref": "#/$defs/Kind"}, "text": {"type": "string"}},
        "$defs": {"Kind": {"enum": kind}}})


def test_the_schema_takes_a_call_of_one_tool_and_nothing_else() -> None:
    schema = call_schema([_tool("post", ["public", "private"]), _tool("mail", ["plain", "html"])])
    jsonschema.validate({"name": "post", "arguments": {"kind": "public", "text": "hi"}}, schema)
    jsonschema.validate({"name": "mail", "arguments": {"kind": "html", "text": "hi"}}, schema)
    for wrong in ({"name": "post", "arguments": {"kind": "html", "text": "hi"}},  # the other tool's $defs
                  {"name": "pay", "arguments": {"kind": "public", "text": "hi"}},
                  {"name": "post", "arguments": {"kind": "public"}},
                  "To find out who emailed you, I'll search"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, schema)


@pytest.mark.parametrize("text", ['```json\n{"name": "post", "arguments": {"kind": "public", "text": "hi"}}\n```',
                                  ' {"name": "post", "arguments": {"kind": "public", "text": "hi"}}'])
def test_json_becomes_the_call(text: str) -> None:
    out = as_call(ModelResponse(parts=[TextPart(text)]), {"post"})
    assert len(out.parts) == 1 and isinstance(part := out.parts[0], ToolCallPart)
    assert (part.tool_name, part.args) == ("post", {"kind": "public", "text": "hi"})


@pytest.mark.parametrize("text", ['{"name": "post", "arguments": {"kind": "pub',  # cut at the token bound
                                  '{"name": "delete_all", "arguments": {}}', "Hello"])
def test_a_reply_that_is_no_call_passes_unchanged(text: str) -> None:
    response = ModelResponse(parts=[TextPart(text)])
    assert as_call(response, {"post"}) is response


def test_only_the_local_servers_model_is_wrapped() -> None:
    from agents.llm import build_model
    from agents.llm_settings import LlmSettings

    m: Any = build_model(LlmSettings(provider="openai-compatible", base_url="http://127.0.0.1:1/v1", model="q"),
                         lambda kind, name: None)
    assert isinstance(m, StrictFirstCall)
    m = build_model(LlmSettings(provider="openai", model="gpt-4o-mini"), lambda kind, name: "sk-test")
    assert not isinstance(m, StrictFirstCall)


def test_a_later_step_the_server_could_not_parse_is_asked_again_held_to_one_call(assistant: Assistant) -> None:
    """llama.cpp answers 500 when the model writes a sentence after its call on a free step; the step is
    asked once more, held to its tools and its output tool, and the turn goes on."""
    from pydantic_ai.exceptions import ModelHTTPError

    def delegate(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if "search_mail" not in tool_returns(messages):
            return call("search_mail", text="lunch")
        if not _format(info):
            raise ModelHTTPError(500, "qwen", {"code": 500, "message": "The model produced output that does not "
                                                                        "match the expected peg-native format"})
        return final(info, "Nobody wrote about lunch.")

    model, seen = json_server(Script(delegate))
    assistant.model_factory = lambda: StrictFirstCall(model)
    assistant.tool_answers = False  # the model words the answer: a second, free step
    reply = assistant.ask("Who emailed me about lunch?")
    assert reply.error is None and "Nobody wrote about lunch" in reply.text, reply
    assert seen.strict == [True, False, True]
    assert any(n.startswith("final_result") for n in seen.allowed[2]) and "search_mail" in seen.allowed[2]


class _LlamaLike:
    """A real HTTP server on 127.0.0.1 that answers a chat completion as llama.cpp's does: a free request with
    ``fail`` (status, message), a request held by a response format with the output tool's call as JSON. It
    counts the requests."""

    def __init__(self, fail: tuple[int, str]) -> None:
        import http.server
        import threading

        self.free = 0
        self.strict = 0
        self.stops: list[Any] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.stops.append(body.get("stop"))
                if body.get("response_format"):
                    outer.strict += 1
                    status, reply = 200, {
                        "id": "c1", "object": "chat.completion", "created": 0, "model": "q",
                        "choices": [{"index": 0, "finish_reason": "stop", "message": {
                            "role": "assistant",
                            "content": json.dumps({"name": "final_result", "arguments": {"text": "Done."}})}}]}
                else:
                    outer.free += 1
                    status, reply = fail[0], {"error": {"code": fail[0], "message": fail[1], "type": "server_error"}}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


_UNPARSED = (500, "The model produced output that does not match the expected peg-native format")


@pytest.mark.parametrize(("fail", "free", "strict", "raises"), [
    (_UNPARSED, 1, 1, False),  # the same request would get the same reply: straight to one held to a call
    ((503, "Loading model"), 2, 0, True),  # a server hiccup: one more try, no more
    ((400, "the request exceeds the available context size"), 1, 0, True),  # a bad request: no second try
])
def test_a_failed_step_is_tried_again_only_where_a_second_try_can_differ(
        fail: tuple[int, str], free: int, strict: int, raises: bool) -> None:
    from pydantic_ai.exceptions import ModelHTTPError
    from pydantic_ai.messages import ModelRequest
    from pydantic_ai.models import ModelRequestParameters, override_allow_model_requests

    from agents.llm import build_model
    from agents.llm_settings import LlmSettings

    server = _LlamaLike(fail)
    try:
        model: Any = build_model(LlmSettings(provider="openai-compatible", base_url=server.url, model="q"),
                                 lambda kind, name: None)
        text_param = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
        params = ModelRequestParameters(
            function_tools=[ToolDefinition(name="search_mail", parameters_json_schema=text_param)],
            output_tools=[ToolDefinition(name="final_result", parameters_json_schema=text_param, kind="output")],
            allow_text_output=False)
        messages: list[ModelMessage] = [ModelRequest.user_text_prompt("Who emailed me about lunch?")]
        with override_allow_model_requests(True), contextlib.ExitStack() as stack:
            if raises:
                stack.enter_context(pytest.raises(ModelHTTPError))
            response = asyncio.run(model.request(messages, None, params))
        if not raises:
            assert [p.tool_name for p in response.parts if isinstance(p, ToolCallPart)] == ["final_result"]
        assert (server.free, server.strict) == (free, strict)
        # a free step ends at a blank line or an imitated tool result, the one held to a call where its JSON ends
        assert server.stops == [["\n\n", "<tool_response>"]] * free + [None] * strict
    finally:
        server.close()
