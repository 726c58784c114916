"""A model host on loopback for the model manager's tests: serves files from a folder over HTTP with
Range requests (206 / 416), and injects faults per path: drop the connection after N bytes, corrupt a
byte, or pace the body so a test can cancel in the middle. Every request is logged (path, Range)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Fault:
    drop_after: int | None = None  # close the connection after this many body bytes
    corrupt_at: int | None = None  # flip the byte at this offset of the file
    pace_s: float = 0.0  # sleep between 64 KiB chunks
    times: int = 1  # how many requests the fault applies to (drop/pace); corrupt applies always


@dataclass
class ModelHost:
    root: Path
    port: int = 0
    faults: dict[str, Fault] = field(default_factory=dict)
    log: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(host: ModelHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            rel = self.path.split("?", 1)[0].lstrip("/")
            rng = self.headers.get("Range")
            host.log.append((rel, rng))
            path = host.root / rel  # the files may be symlinks to the PyPI-shipped ones
            if ".." in Path(rel).parts or not path.is_file():
                self.send_error(404)
                return
            data = bytearray(path.read_bytes())
            fault = host.faults.get(rel)
            if fault is not None and fault.corrupt_at is not None:
                data[fault.corrupt_at] ^= 0xFF
            start = 0
            if rng and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = memoryview(data)[start:]
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            active = fault is not None and fault.times > 0
            if active and fault is not None:
                fault.times -= 1
            sent = 0
            for i in range(0, len(body), 1 << 16):
                chunk = body[i : i + (1 << 16)]
                if active and fault is not None and fault.drop_after is not None and sent + len(chunk) > fault.drop_after:
                    self.wfile.write(chunk[: max(0, fault.drop_after - sent)])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    return
                sent += len(chunk)
                if active and fault is not None and fault.pace_s:
                    time.sleep(fault.pace_s)

    return Handler


@contextmanager
def model_host(root: Path) -> Iterator[ModelHost]:
    host = ModelHost(root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(host))
    server.daemon_threads = True
    host.port = server.server_address[1]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()
