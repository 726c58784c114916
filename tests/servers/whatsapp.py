"""A local stand-in for the WhatsApp Business Cloud API (Graph API) on a free loopback port.

It implements the documented request and response shapes the client uses:

- ``POST /{version}/{phone-number-id}/messages`` with ``Authorization: Bearer <token>`` and a JSON body
  (``messaging_product: "whatsapp"``, ``to``, ``type`` = ``text`` | ``template``); success is
  ``{"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid..."}]}``.
- ``GET /{version}/{phone-number-id}`` (phone number info: ``verified_name``, ``display_phone_number``).
- Errors in the Graph shape ``{"error": {"message", "type", "code", "error_data": {"messaging_product",
  "details"}, "fbtrace_id"}}``: 401 code 190 (invalid token), 400 code 100 (invalid parameter),
  404 code 132001 (template does not exist), 400 code 132000 (template parameter count), and, injected
  with ``fail_next``, 429 code 130429 (throughput) / 131056 (pair rate limit), 500 code 131000,
  503 code 2, a dropped connection after the request was read, and a reply slower than a time-out.

Every request is recorded in ``requests``; accepted messages in ``accepted``. Helpers build webhook
payloads as Meta posts them (``message_webhook``, ``status_webhook``) and sign them (``sign``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest

from tests.servers.base import announce, free_port

Failure = Literal["rate_limit", "pair_rate_limit", "server_error", "unavailable", "drop", "slow"]
MAX_TEXT = 4096


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Template:
    """An approved message template: name, language code and how many body parameters it takes."""

    name: str
    language: str = "en_US"
    body_params: int = 0


@dataclass
class WhatsAppServer:
    host: str
    port: int
    token: str = field(default_factory=lambda: f"EAAG{uuid.uuid4().hex}")
    phone_number_id: str = "106540352242922"
    display_phone_number: str = "15550783881"
    verified_name: str = "Personal Agent Test"
    templates: dict[str, Template] = field(default_factory=lambda: {
        "hello_world": Template("hello_world", "en_US", 0),
        "running_late": Template("running_late", "en_US", 1),
    })
    requests: list[Received] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[Failure] = field(default_factory=list)
    slow_s: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.accepted.clear()
            self.fail_next.clear()

    def new_message_id(self) -> str:
        raw = f"HBgL{next(self._seq):08d}{uuid.uuid4().hex[:16]}".encode()
        return "wamid." + base64.b64encode(raw).decode()


def graph_error(code: int, message: str, details: str | None = None, type_: str = "OAuthException") -> dict[str, Any]:
    err: dict[str, Any] = {"message": message, "type": type_, "code": code,
                           "fbtrace_id": base64.b64encode(uuid.uuid4().bytes[:12]).decode()}
    if details is not None:
        err["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": err}


def _invalid(details: str) -> tuple[int, dict[str, Any]]:
    return 400, graph_error(100, "(#100) Invalid parameter", details)


_FAILURES: dict[str, tuple[int, dict[str, Any]]] = {
    "rate_limit": (429, graph_error(130429, "(#130429) Rate limit hit",
                                    "Cloud API message throughput has been reached.")),
    "pair_rate_limit": (429, graph_error(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                                         "Message failed to send because there were too many messages sent from "
                                         "this phone number to the same phone number in a short period of time.")),
    "server_error": (500, graph_error(131000, "(#131000) Something went wrong",
                                      "Message failed to send due to an unknown error.")),
    "unavailable": (503, graph_error(2, "(#2) Service temporarily unavailable",
                                     "Service temporarily unavailable. Please try again later.")),
}


def _check_message(server: WhatsAppServer, body: Any) -> tuple[int, dict[str, Any]]:
    """Validate a send request like the Cloud API does; the accepted response or an error."""
    if not isinstance(body, dict):
        return _invalid("The request body must be a JSON object.")
    if body.get("messaging_product") != "whatsapp":
        return _invalid("The parameter messaging_product is required.")
    to = body.get("to")
    if not isinstance(to, str) or not re.fullmatch(r"\+?\d{7,15}", to.replace(" ", "")):
        return _invalid("Param to must be a valid WhatsApp phone number (digits, country code first).")
    kind = body.get("type", "text")
    if kind == "text":
        text = body.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"].strip():
            return _invalid("The parameter text['body'] is required.")
        if len(text["body"]) > MAX_TEXT:
            return _invalid(f"Param text['body'] must be at most {MAX_TEXT} characters long.")
    elif kind == "template":
        tpl = body.get("template")
        if not isinstance(tpl, dict) or not isinstance(tpl.get("name"), str):
            return _invalid("The parameter template['name'] is required.")
        lang = (tpl.get("language") or {}).get("code") if isinstance(tpl.get("language"), dict) else None
        known = server.templates.get(tpl["name"])
        if known is None or known.language != lang:
            return 404, graph_error(132001, "(#132001) Template name does not exist in the translation",
                                    f"template name ({tpl['name']}) does not exist in {lang}")
        params = [p for c in tpl.get("components") or [] if isinstance(c, dict) and c.get("type") == "body"
                  for p in c.get("parameters") or []]
        if len(params) != known.body_params:
            return 400, graph_error(132000, "(#132000) Number of parameters does not match the expected number "
                                            "of params", f"body: number of localizable_params ({len(params)}) "
                                                         f"does not match the expected number of params "
                                                         f"({known.body_params})")
    else:
        return _invalid(f"Unsupported message type: {kind}")
    msg_id = server.new_message_id()
    digits = to.replace(" ", "").lstrip("+")
    with server.lock:
        server.accepted.append({"id": msg_id, **body})
    out: dict[str, Any] = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": digits}],
                           "messages": [{"id": msg_id}]}
    if kind == "template":
        out["messages"][0]["message_status"] = "accepted"
    return 200, out


def _handler(server: WhatsAppServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle/ACK stall

        def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
            return

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> Received:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            rec = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with server.lock:
                server.requests.append(rec)
            return rec

        def _authorized(self, rec: Received) -> bool:
            auth = rec.headers.get("authorization", "")
            if auth != f"Bearer {server.token}":
                self._send(401, graph_error(190, "Invalid OAuth access token - Cannot parse access token"))
                return False
            return True

        def _route(self, rec: Received) -> tuple[str, str, str] | None:
            m = re.fullmatch(r"/(v\d+\.\d+)/([^/?]+)(/messages)?(\?.*)?", rec.path)
            if m is None:
                self._send(400, graph_error(2500, f"Unknown path components: {rec.path}"))
                return None
            if m.group(2) != server.phone_number_id:
                self._send(400, graph_error(100, f"Unsupported {rec.method.lower()} request. Object with ID "
                                                 f"'{m.group(2)}' does not exist, cannot be loaded due to missing "
                                                 "permissions, or does not support this operation",
                                            type_="GraphMethodException"))
                return None
            return m.group(1), m.group(2), m.group(3) or ""

        def do_GET(self) -> None:
            rec = self._record()
            if not self._authorized(rec):
                return
            route = self._route(rec)
            if route is None:
                return
            if route[2]:
                self._send(400, graph_error(100, "(#100) Invalid parameter", "GET is not supported on /messages"))
                return
            self._send(200, {"verified_name": server.verified_name, "display_phone_number":
                             server.display_phone_number, "id": server.phone_number_id, "quality_rating": "GREEN"})

        def do_POST(self) -> None:
            rec = self._record()
            if not self._authorized(rec):
                return
            route = self._route(rec)
            if route is None:
                return
            if not route[2]:
                self._send(400, graph_error(100, "(#100) Invalid parameter", "POST messages to /messages"))
                return
            with server.lock:
                failure = server.fail_next.pop(0) if server.fail_next else None
            if failure == "drop":  # read the request, then vanish: the client cannot know the outcome
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if failure == "slow":
                time.sleep(server.slow_s)
            elif failure is not None:
                self._send(*_FAILURES[failure])
                return
            try:
                body = json.loads(rec.body or b"null")
            except ValueError:
                self._send(*_invalid("The request body is not valid JSON."))
                return
            self._send(*_check_message(server, body))

    return Handler


# --- webhook payloads as Meta posts them -----------------------------------------------------------
def sign(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 header value Meta sends with a webhook."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _envelope(server: WhatsAppServer, value: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "value": {"messaging_product": "whatsapp", "metadata": {
            "display_phone_number": server.display_phone_number, "phone_number_id": server.phone_number_id},
            **value}, "field": "messages"}]}]}


def message_webhook(server: WhatsAppServer, wa_id: str, name: str, text: str, timestamp: int,
                    message_id: str | None = None) -> dict[str, Any]:
    return _envelope(server, {
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": message_id or server.new_message_id(), "timestamp": str(timestamp),
                      "type": "text", "text": {"body": text}}]})


def status_webhook(server: WhatsAppServer, message_id: str, recipient: str, status: str, timestamp: int,
                   error_code: int | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"id": message_id, "status": status, "timestamp": str(timestamp), "recipient_id": recipient}
    if status != "failed":
        st["conversation"] = {"id": uuid.uuid4().hex, "origin": {"type": "service"}}
        st["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    if error_code is not None:
        st["errors"] = [{"code": error_code, "title": "Re-engagement message",
                         "message": "Re-engagement message",
                         "error_data": {"details": "Message failed to send because more than 24 hours have "
                                                   "passed since the customer last replied to this number."}}]
    return _envelope(server, {"statuses": [st]})


@pytest.fixture(scope="session")
def whatsapp_server() -> Iterator[WhatsAppServer]:
    server = WhatsAppServer(host="127.0.0.1", port=free_port())
    httpd = ThreadingHTTPServer((server.host, server.port), _handler(server))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="whatsapp-cloud-api", daemon=True)
    thread.start()
    announce("WhatsApp Cloud API (local)", f"{server.base_url}/<version>/{server.phone_number_id}/messages")
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
