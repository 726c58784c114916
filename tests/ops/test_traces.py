"""Traces: the home server, run in this process on a loopback port with OpenTelemetry's in-memory span
exporter behind the app's own pipeline (app/tracing.py: scrubbing, sampling, instrumentation). Each
turn is one trace (the client's httpx span, the server span, the turn span and a span per stage, the
database statements under it); no span carries what the user said, a password or a token. And the
live server process with an OTLP endpoint set sends its spans over OTLP/HTTP (tests/servers/otlp.py)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.server.live import LiveServer
from tests.servers.base import free_port
from tests.servers.otlp import SERVER_KIND, OtlpReceiver, ReceivedSpan

PASSWORD = "Trace-pass-8d1f2c"
TEXTS = ("what time is it", "set a timer for 7 minutes", "tell me something about the Roman aqueducts")
STREAMED = "wie spät ist es"
VERIFY_TOKEN = "VerifyTok-tr4ce-9e1b"


@dataclass
class TracedServer:
    url: str
    exporter: InMemorySpanExporter
    username: str


@pytest.fixture
def traced_server(pa_home: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TracedServer]:
    import uvicorn

    from app.server.app import create_app
    from app.services import build_services
    from app.settings import TraceSettings
    from app.tracing import setup_tracing, shutdown_tracing

    monkeypatch.setenv("PA_STT__MODEL", str(models_dir / "whisper-base"))
    exporter = InMemorySpanExporter()
    assert setup_tracing(TraceSettings(), exporter=exporter)  # before the database opens
    sv = build_services()
    app = create_app(sv)
    username = "tracer"
    app.state.server.users.create_user(username, PASSWORD)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the in-process server did not start"
        time.sleep(0.05)
    try:
        yield TracedServer(f"http://127.0.0.1:{port}", exporter, username)
    finally:
        server.should_exit = True
        thread.join(30)
        shutdown_tracing()
        sv.close()


def _strings(span: ReadableSpan) -> list[str]:
    out = [span.name]
    for attrs in [span.attributes, *(e.attributes for e in span.events)]:
        for k, v in (attrs or {}).items():
            out.append(f"{k}={v}")
    return out


def test_one_trace_per_turn_with_a_span_per_stage(traced_server: TracedServer) -> None:
    with httpx.Client(base_url=traced_server.url, timeout=120) as http:
        r = http.post("/api/v1/auth/login", json={"username": traced_server.username, "password": PASSWORD,
                                                  "device_name": "trace test"})
        assert r.status_code == 200, r.text
        tokens = r.json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        replies: dict[str, Any] = {}
        for text in TEXTS:
            r = http.post("/api/v1/turns/text", json={"text": text}, headers=auth)
            assert r.status_code == 200, r.text
            replies[r.json()["turn_id"]] = r.json()
        with http.stream("POST", "/api/v1/turns/text/stream", json={"text": STREAMED}, headers=auth) as s:
            lines = [line for line in s.iter_lines() if line]
        assert '"reply_done"' in lines[-1]
        r = http.get("/api/v1/webhooks/whatsapp/wa", params={"hub.mode": "subscribe",
                                                             "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"})
        assert r.status_code in (403, 404)
    time.sleep(0.2)  # the last server span ends after its response went out
    spans = traced_server.exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}

    turns = [s for s in spans if s.name == "turn"]
    assert len(turns) == len(TEXTS) + 1
    assert len({t.context.trace_id for t in turns}) == len(turns)  # one trace per turn
    for turn in turns:
        server = by_id[turn.parent.span_id] if turn.parent else None
        assert server is not None and server.kind == SpanKind.SERVER, "the turn is under its request's span"
        client = by_id.get(server.parent.span_id) if server.parent else None
        assert client is not None and client.kind == SpanKind.CLIENT  # httpx's span, propagated to the server
        stages = {s.name for s in spans if s.parent and s.parent.span_id == turn.context.span_id
                  and s.name.startswith("turn.")}
        turn_id = turn.attributes["pa.turn_id"]
        reply = replies.get(turn_id)
        if reply is not None:  # the whole reply: its timings name the stages that ran
            assert stages == {f"turn.{k}" for k in reply["timings"] if k != "total"}, (stages, reply["timings"])
            assert turn.attributes["pa.source"] == reply["source"]
            for stage in stages:  # a stage entered twice is two spans; the timings add them up
                took = sum((s.end_time or 0) - (s.start_time or 0) for s in spans
                           if s.name == stage and s.parent and s.parent.span_id == turn.context.span_id) / 1e9
                assert abs(took - reply["timings"][stage.removeprefix("turn.")]) < 0.05
        else:  # the streamed turn (run from the server's thread pool between its events)
            assert "turn.intent" in stages
        in_trace = [s for s in spans if s.context.trace_id == turn.context.trace_id]
        assert any(s.attributes.get("db.system") or s.attributes.get("db.system.name") for s in in_trace), \
            "the database statements of the request are in its trace"
    assert {t.attributes["pa.source"] for t in turns} >= {"local"}

    servers = [s for s in spans if s.kind == SpanKind.SERVER]
    assert any(s.attributes.get("http.route") == "/api/v1/turns/text" for s in servers)
    assert any(str(s.attributes.get("http.route", "")).startswith("/api/v1/webhooks") for s in servers)

    everything = "\n".join(x for s in spans for x in _strings(s))
    for secret in (PASSWORD, tokens["access_token"], tokens["refresh_token"], VERIFY_TOKEN):
        assert secret not in everything
    for text in (*TEXTS, STREAMED):  # what the user said is in no span (names, attributes, events)
        assert text not in everything
        assert "aqueduct" not in everything.lower()


def test_traces_are_off_by_default(pa_home: Path) -> None:
    """A fresh process with the default settings: no tracer provider, the turn's spans are no-ops."""
    import subprocess
    import sys

    code = ("from app.settings import load_settings; from app.tracing import setup_tracing; "
            "from opentelemetry import trace; from agents.turn import StageTimer, TRACER_NAME; "
            "on = setup_tracing(load_settings().traces); "
            "span = trace.get_tracer(TRACER_NAME).start_span('turn'); "
            "print(on, type(trace.get_tracer_provider()).__name__, span.is_recording())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["False", "ProxyTracerProvider", "False"], out.stderr[-2000:]


def test_the_live_server_sends_its_traces_over_otlp(metrics_server: tuple[LiveServer, int],
                                                    otlp_receiver: OtlpReceiver, shared_audio: Path) -> None:
    """``[traces] otlp_endpoint`` set: the server process exports over OTLP/HTTP (protobuf); its request
    span carries the request id, the typed turn's stages and the audio turn's stt and tts are spans of
    the request's trace, and the log line of the request names the same trace."""
    server, _ = metrics_server
    client = server.new_client("otlp")
    r = client.post("/api/v1/turns/text", json={"text": "what time is it"},
                    headers={"X-Request-ID": "otlp-text-1"})
    assert r.status_code == 200, r.text
    with (shared_audio / "timit_ldc93s1.wav").open("rb") as f:
        spoken = client.post("/api/v1/turns/audio", files={"file": ("speech.wav", f, "audio/wav")},
                             data={"language": "en"}, headers={"X-Request-ID": "otlp-audio-1"})
    assert spoken.status_code == 200, spoken.text

    def request_span(rid: str) -> ReceivedSpan:
        return otlp_receiver.wait_for(lambda s: s.kind == SERVER_KIND and s.attributes.get("pa.request_id") == rid)

    text_req = request_span("otlp-text-1")
    assert text_req.service == "pa-ops-test" and text_req.attributes.get("http.route") == "/api/v1/turns/text"
    turn = otlp_receiver.wait_for(lambda s: s.name == "turn" and s.parent_span_id == text_req.span_id)
    assert turn.attributes["pa.turn_id"] == r.json()["turn_id"] and turn.trace_id == text_req.trace_id
    stages = {s.name for s in otlp_receiver.spans if s.parent_span_id == turn.span_id and s.name.startswith("turn.")}
    assert any(s.parent_span_id == turn.span_id and s.attributes.get("db.system") for s in otlp_receiver.spans)
    assert stages == {f"turn.{k}" for k in r.json()["timings"] if k != "total"}

    audio_req = request_span("otlp-audio-1")
    in_trace = {s.name for s in otlp_receiver.spans if s.trace_id == audio_req.trace_id}
    assert {"turn", "turn.stt", "turn.tts", "turn.intent"} <= in_trace, in_trace
    heard = spoken.json()["transcript"]
    words = [w for w in heard.split() if len(w) > 4]
    everything = "\n".join(f"{s.name} {s.attributes}" for s in otlp_receiver.spans)
    assert words and not [w for w in words if w in everything]  # what was said is in no span
    assert client.tokens["access_token"] not in everything

    log_file = server.home / "data" / "logs" / "personal-agent.log"
    deadline = time.monotonic() + 30
    while True:
        lines = [json.loads(x) for x in log_file.read_text(encoding="utf-8").splitlines() if x.strip()]
        line = next((x for x in lines if x.get("request_id") == "otlp-text-1"), None)
        if line is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert line is not None and line["trace_id"] == text_req.trace_id  # from a log line to its trace


def test_an_exception_leaves_only_its_type() -> None:
    """What the exporter sends of a failed span: the exception's type, not its message or stack trace
    (they may quote the request), and string attributes scrubbed."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.trace import Status, StatusCode

    from app.tracing import ScrubbedExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbedExporter(memory)))
    with provider.get_tracer("test").start_as_current_span("failing") as span:
        span.set_attribute("http.url", "http://127.0.0.1/x?access_token=Tok-3e7f&page=2")
        span.record_exception(ValueError("remind me to call Anna, password=Pw-9a1c"))
        span.set_status(Status(StatusCode.ERROR, "ValueError: remind me to call Anna"))
    out = memory.get_finished_spans()[0]
    assert out.attributes["http.url"] == "http://127.0.0.1/x?access_token=[redacted]&page=2"
    assert dict(out.events[0].attributes or {}) == {"exception.type": "ValueError",
                                                    "exception.escaped": "False"}
    assert out.status.status_code == StatusCode.ERROR and out.status.description is None
    provider.shutdown()
