"""CalDAV with bearer tokens, as Google's CalDAV API takes them: a small verifying proxy in front of the
session's Radicale on a free loopback port.

Every request must carry ``Authorization: Bearer <token>``; the proxy asks the OAuth server's introspection
endpoint (RFC 7662) and answers 401 with ``WWW-Authenticate: Bearer error="invalid_token"`` unless the token
is active. An active token's ``username`` is the Radicale user the request is forwarded as (Basic auth with
that user's password, which only the proxy knows). Every verdict is counted in ``accepted``/``refused``."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.servers.base import announce, free_port
from tests.servers.oauth import OAuthServer
from tests.servers.radicale import RadicaleServer

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "authorization",
        "proxy-authorization", "te", "upgrade", "content-encoding"}  # httpx hands over the decoded body


@dataclass
class BearerCalDav:
    host: str
    port: int
    radicale: RadicaleServer
    introspection_url: str
    accepted: int = 0
    refused: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"


def _handler(proxy: BearerCalDav) -> type[BaseHTTPRequestHandler]:
    upstream = httpx.Client(base_url=proxy.radicale.url, timeout=30, trust_env=False)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            auth = self.headers.get("Authorization", "")
            info: dict[str, Any] = {}
            if auth.startswith("Bearer "):
                reply = httpx.post(proxy.introspection_url, data={"token": auth[7:].strip()}, timeout=10,
                                   trust_env=False)
                info = reply.json() if reply.status_code == 200 else {}
            user = proxy.radicale.users.get(str(info.get("username"))) if info.get("active") else None
            if user is None:
                proxy.refused += 1
                self._send(401, {"WWW-Authenticate": 'Bearer error="invalid_token"',
                                 "Content-Type": "text/plain"}, b"invalid token")
                return
            proxy.accepted += 1
            basic = base64.b64encode(f"{user.name}:{user.password}".encode()).decode()
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            headers["Authorization"] = f"Basic {basic}"
            got = upstream.request(self.command, self.path, content=body, headers=headers)
            self._send(got.status_code, {k: v for k, v in got.headers.items() if k.lower() not in _HOP},
                       got.content)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_PUT = do_DELETE = do_POST = do_HEAD = do_OPTIONS = _forward
        do_PROPFIND = do_PROPPATCH = do_REPORT = do_MKCALENDAR = do_MKCOL = do_MOVE = do_COPY = _forward

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture(scope="session")
def bearer_caldav(radicale_server: RadicaleServer, oauth_server: OAuthServer) -> Iterator[BearerCalDav]:
    proxy = BearerCalDav("127.0.0.1", free_port(), radicale_server, oauth_server.endpoint("introspect"))
    httpd = ThreadingHTTPServer((proxy.host, proxy.port), _handler(proxy))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="bearer-caldav", daemon=True)
    thread.start()
    announce("CalDAV with bearer tokens (proxy to Radicale)", proxy.url)
    try:
        yield proxy
    finally:
        httpd.shutdown()
        httpd.server_close()
