"""The request guard: a pure ASGI middleware in front of every route that decides about a request's
body before anything reads it.

- Every route has a body limit (``body_limit``): uploads the configured ``server.max_upload_mb``, typed
  turns what ``server.max_text_chars`` needs, webhooks 1 MiB, every other JSON route 8 KiB. A declared
  ``Content-Length`` over the limit is answered 413 at once; a body without one (chunked) is counted
  while it streams and cut off with 413 as soon as it passes the limit. Nothing is buffered whole.
- A route that needs sign-in checks the ``Authorization`` token *before* the body is read: an upload
  without a valid token costs the server nothing (401, no temp file).
- A JSON body (small: under its limit) is parsed once here; a string that is not valid Unicode (a lone
  surrogate such as ``"\\ud800"``) is refused with 400 instead of failing later as a 5xx.

Its answers say their ``detail`` in the request's language (``Accept-Language``, else the server's: the
routes' rule, app/server/api_language.py).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.server.api_language import request_language
from app.server.tokens import TokenError
from storage.bilingual import Bilingual, said

JSON_LIMIT = 8 * 1024  # login, refresh, pairing ...: a few hundred bytes in practice
WEBHOOK_LIMIT = 1024 * 1024  # Meta's deliveries are a few KB
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small form fields next to the file
TEXT_ROUTES = frozenset({"/api/v1/turns/text", "/api/v1/turns/text/stream", "/api/v1/speech"})


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        self.reason = Bilingual(f"request body too large: at most {_size(limit)}",
                                de=f"Anfrage zu groß: höchstens {_size(limit)}")
        super().__init__(413, self.reason)  # the app's error handler says it in the request's language


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


@dataclass(frozen=True)
class RoutePolicy:
    limit: int
    signed_in: bool


def _needs_caller(route: APIRoute) -> bool:
    from app.server.auth import caller

    todo = [route.dependant]
    while todo:
        d = todo.pop()
        if d.call is caller:
            return True
        todo.extend(d.dependencies)
    return False


def _has_file(route: APIRoute) -> bool:
    from fastapi.params import File

    return any(isinstance(p.field_info, File) for p in route.dependant.body_params)


def route_policy(route: APIRoute, max_upload_bytes: int, max_text_chars: int) -> RoutePolicy:
    """The body limit of a route and whether it needs sign-in."""
    if _has_file(route):
        limit = max_upload_bytes + FORM_OVERHEAD
    elif route.path.startswith("/api/v1/webhooks/"):
        limit = WEBHOOK_LIMIT
    elif route.path in TEXT_ROUTES:
        limit = max(JSON_LIMIT, max_text_chars * 6 + 1024)  # a character is at most 6 bytes as JSON (\uXXXX)
    else:
        limit = JSON_LIMIT
    return RoutePolicy(limit, _needs_caller(route))


def _has_lone_surrogate(raw: bytes) -> bool:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return False  # not JSON: the route's own validation answers (422)
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (ValueError, RecursionError):
        return False
    return False


BAD_LENGTH = Bilingual("bad Content-Length", de="ungültige Content-Length")
NOT_SIGNED_IN = Bilingual("not signed in", de="nicht angemeldet")
LONE_SURROGATE = Bilingual("text must be valid Unicode (a lone surrogate such as \\ud800 is not)",
                           de="Text muss gültiges Unicode sein (ein einzelnes Surrogat wie \\ud800 ist es nicht)")


async def _answer(scope: Scope, send: Send, status: int, detail: BaseException,
                  headers: dict[str, str] | None = None) -> None:
    """Answer without reading the body, in the request's language; the connection closes (the unread body is
    not waited for)."""
    text = said(detail, request_language(Request(scope)) if "app" in scope else "en")
    response = JSONResponse({"detail": text}, status_code=status, headers={**(headers or {}), "Connection": "close"})
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class RequestGuard:
    def __init__(self, app: ASGIApp, policies: Callable[[], list[tuple[APIRoute, RoutePolicy]]],
                 check_token: Callable[[str], None]) -> None:
        self.app = app
        self._policies = policies
        self._check_token = check_token
        self._cache: list[tuple[APIRoute, RoutePolicy]] | None = None

    def policy(self, scope: Scope) -> RoutePolicy:
        if self._cache is None:
            self._cache = self._policies()
        partial: RoutePolicy | None = None
        for route, pol in self._cache:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return pol
            if match == Match.PARTIAL and partial is None:
                partial = pol
        return partial or RoutePolicy(JSON_LIMIT, False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        pol = self.policy(scope)
        declared = headers.get("content-length")
        length: int | None = None
        if declared is not None:
            if not declared.isdigit() or len(declared) > 18:
                await _answer(scope, send, 400, BAD_LENGTH)
                return
            length = int(declared)
        has_body = (length or 0) > 0 or "chunked" in headers.get("transfer-encoding", "").lower()
        if has_body and pol.signed_in:
            denied = await self._token_problem(headers.get("authorization", ""))
            if denied:
                await _answer(scope, send, 401, denied, {"WWW-Authenticate": "Bearer"})
                return
        if length is not None and length > pol.limit:
            await _answer(scope, send, 413, BodyTooLarge(pol.limit).reason)
            return
        if not has_body:
            await self.app(scope, receive, send)
            return
        counted = _CountingReceive(receive, pol.limit)
        if headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            try:
                raw = await counted.read_all()
            except BodyTooLarge as exc:
                await _answer(scope, send, 413, exc.reason)
                return
            if _has_lone_surrogate(raw):
                await _answer(scope, send, 400, LONE_SURROGATE)
                return
            await self.app(scope, _replay(raw, receive), send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except BodyTooLarge as exc:
            if started:
                raise
            await _answer(scope, send, 413, exc.reason)

    async def _token_problem(self, authorization: str) -> BaseException | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return NOT_SIGNED_IN
        try:
            await run_in_threadpool(self._check_token, token.strip())
        except TokenError as exc:
            return exc
        return None


class _CountingReceive:
    """``receive`` that raises BodyTooLarge as soon as the body passes the limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self.limit = limit
        self.size = 0

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.limit:
                raise BodyTooLarge(self.limit)
        return message

    async def read_all(self) -> bytes:
        parts: list[bytes] = []
        while True:
            message = await self()
            if message["type"] != "http.request":
                break
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        return b"".join(parts)


def _replay(raw: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """``receive`` that gives the body read already, then whatever comes next (the disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return again
