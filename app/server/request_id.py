"""One id per request, carried through: a pure ASGI middleware (outermost) sets ``app.logs.request_id``
for everything the request runs (the route, the turn, the access log line) and answers it in the
``X-Request-ID`` header. A client's own ``X-Request-ID`` is kept when it is a plain short token (letters,
digits, ``-_.``, at most 64), so a proxy's or a phone's id finds the server's log lines; anything
else gets a fresh id. With traces on, the request's server span carries it as ``pa.request_id``."""

from __future__ import annotations

import re
import uuid

from opentelemetry import trace
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import request_id

HEADER = "X-Request-ID"
_PLAIN = re.compile(r"[A-Za-z0-9._\-]{1,64}")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(HEADER, "")
        rid = given if _PLAIN.fullmatch(given) else new_request_id()
        token = request_id.set(rid)
        trace.get_current_span().set_attribute("pa.request_id", rid)  # the server span, when traces are on

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
