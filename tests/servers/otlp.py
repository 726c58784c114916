"""An OTLP/HTTP trace receiver on a free loopback port: what a collector (the OpenTelemetry Collector,
Jaeger, Tempo) does at ``/v1/traces``, reduced to decoding and keeping the spans. Requests are decoded
with the OTLP protobuf messages of ``opentelemetry-proto`` (the wire format the app's exporter sends;
gzip as the exporter compresses when asked). No collector binary is packaged for Debian or PyPI here."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.servers.base import free_port

SERVER_KIND = 2  # opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER


@dataclass
class ReceivedSpan:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]
    service: str
    start_ns: int
    end_ns: int


def _value(v: AnyValue) -> Any:
    which = v.WhichOneof("value")
    if which == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, which) if which else None


@dataclass
class OtlpReceiver:
    port: int = field(default_factory=free_port)
    spans: list[ReceivedSpan] = field(default_factory=list)
    requests: int = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/traces"

    def start(self) -> OtlpReceiver:
        receiver = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
                    self.send_error(415 if self.path == "/v1/traces" else 404)
                    return
                req = ExportTraceServiceRequest.FromString(body)
                with lock:
                    receiver.requests += 1
                    for rs in req.resource_spans:
                        res = {a.key: _value(a.value) for a in rs.resource.attributes}
                        for ss in rs.scope_spans:
                            for s in ss.spans:
                                receiver.spans.append(ReceivedSpan(
                                    s.name, s.trace_id.hex(), s.span_id.hex(), s.parent_span_id.hex(), s.kind,
                                    {a.key: _value(a.value) for a in s.attributes}, str(res.get("service.name")),
                                    s.start_time_unix_nano, s.end_time_unix_nano))
                out = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def wait_for(self, match: Callable[[ReceivedSpan], bool], timeout: float = 60) -> ReceivedSpan:
        """The first span that matches, waiting for the exporter's next batch (every 5 s by default)."""
        deadline = time.monotonic() + timeout
        while True:
            found = next((s for s in list(self.spans) if match(s)), None)
            if found is not None:
                return found
            assert time.monotonic() < deadline, f"no such span among {len(self.spans)} received"
            time.sleep(0.2)
