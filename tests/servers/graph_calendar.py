"""A Microsoft Graph-shaped calendar API on a free loopback port (FastAPI + uvicorn in a thread).

The documented shapes the client uses, for ``/v1.0/me``: ``GET calendars``; ``GET calendarView`` with
``startDateTime``/``endDateTime`` (events overlapping the range, pages of ``$top`` (default 10, as Graph) with
``@odata.nextLink``; times in the zone named by ``Prefer: outlook.timezone="..."``, UTC here); ``POST events``
(201; a repeated ``transactionId`` returns the event made the first time), ``PATCH events/{id}``, ``DELETE
events/{id}`` (204). Errors are Graph's ``{"error": {"code", "message"}}``: 401 ``InvalidAuthenticationToken``
for a token the OAuth server does not call active, 403 ``ErrorAccessDenied`` without the
``Calendars.ReadWrite`` scope, 404 ``ErrorItemNotFound``, 400 ``ErrorInvalidRequest``."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.servers.base import announce, free_port, wait_for_port
from tests.servers.oauth import OAuthServer

SCOPE = "Calendars.ReadWrite"


@dataclass
class GraphCalendar:
    host: str
    port: int
    oauth: OAuthServer
    events: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # user -> id -> event
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1.0"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _parse(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _when(value: dict[str, Any]) -> datetime:
    """A Graph dateTimeTimeZone (UTC or an offset-less local time named by timeZone, UTC only here)."""
    if value.get("timeZone", "UTC") not in ("UTC", "Etc/UTC"):
        raise ValueError("only UTC times in this test server")
    return _parse(str(value["dateTime"])[:26])


def build_app(graph: GraphCalendar) -> FastAPI:
    app = FastAPI()

    def user_of(request: Request) -> str | JSONResponse:
        graph.requests.append((request.method, request.url.path))
        auth = request.headers.get("authorization", "")
        tok = graph.oauth.active(auth[7:].strip()) if auth.startswith("Bearer ") else None
        if tok is None or tok.kind != "access":
            return _error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        if not any(s.endswith(SCOPE) for s in tok.grant.scope.split()):
            return _error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        return tok.grant.username

    def out(ev: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in ev.items() if not k.startswith("_")}

    @app.get("/v1.0/me/calendars")
    def calendars(request: Request) -> Response:
        user = user_of(request)
        if isinstance(user, JSONResponse):
            return user
        return JSONResponse({"value": [{"id": "cal-default", "name": "Calendar", "isDefaultCalendar": True}]})

    @app.get("/v1.0/me/calendarView")
    def calendar_view(request: Request) -> Response:
        user = user_of(request)
        if isinstance(user, JSONResponse):
            return user
        q = request.query_params
        try:
            start, end = _parse(q["startDateTime"]), _parse(q["endDateTime"])
            top, skip = int(q.get("$top", 10)), int(q.get("$skip", 0))
        except (KeyError, ValueError):
            return _error(400, "ErrorInvalidRequest", "startDateTime and endDateTime are required ISO 8601 times.")
        with graph.lock:
            hits = sorted((e for e in graph.events.get(user, {}).values()
                           if _when(e["start"]) < end and _when(e["end"]) > start),
                          key=lambda e: (e["start"]["dateTime"], e["subject"]))
        page: dict[str, Any] = {"value": [out(e) for e in hits[skip:skip + top]]}
        if skip + top < len(hits):
            page["@odata.nextLink"] = str(request.url.include_query_params(**{"$skip": skip + top}))
        return JSONResponse(page)

    @app.post("/v1.0/me/events")
    async def create(request: Request) -> Response:
        user = user_of(request)
        if isinstance(user, JSONResponse):
            return user
        body = await request.json()
        try:
            _when(body["start"]), _when(body["end"])
            subject = str(body["subject"])
        except (KeyError, ValueError, TypeError):
            return _error(400, "ErrorInvalidRequest", "subject, start and end are required.")
        with graph.lock:
            mine = graph.events.setdefault(user, {})
            tx = body.get("transactionId")
            same = next((e for e in mine.values() if tx and e.get("transactionId") == tx), None)
            if same is not None:
                return JSONResponse(out(same), status_code=201)
            ev = {"id": f"AAMk{secrets.token_hex(12)}", "subject": subject, "start": body["start"],
                  "end": body["end"], "isAllDay": bool(body.get("isAllDay", False)),
                  "location": body.get("location") or {"displayName": ""},
                  "body": body.get("body") or {"contentType": "text", "content": ""},
                  "transactionId": tx, "createdDateTime": datetime.now(UTC).isoformat()}
            mine[ev["id"]] = ev
        return JSONResponse(out(ev), status_code=201)

    @app.get("/v1.0/me/events/{event_id}")
    def read(event_id: str, request: Request) -> Response:
        user = user_of(request)
        if isinstance(user, JSONResponse):
            return user
        ev = graph.events.get(user, {}).get(event_id)
        if ev is None:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return JSONResponse(out(ev))

    @app.patch("/v1.0/me/events/{event_id}")
    async def update(event_id: str, request: Request) -> Response:
        user = user_of(request)
        if isinstance(user, JSONResponse):
            return user
        body = await request.json()
        with graph.lock:
            ev = graph.events.get(user, {}).get(event_id)
            if ev is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            for key in ("subject", "start", "end", "isAllDay", "location", "body"):
                if key in body:
                    ev[key] = body[key]
        return JSONResponse(out(ev))

    @app.delete("/v1.0/me/events/{event_id}")
    def delete(event_id: str, request: Request) -> Response:
        user = user_of(request)
        if isinstance(user, JSONResponse):
            return user
        with graph.lock:
            if graph.events.get(user, {}).pop(event_id, None) is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return Response(status_code=204)

    return app


@pytest.fixture(scope="session")
def graph_calendar(oauth_server: OAuthServer) -> Iterator[GraphCalendar]:
    import uvicorn

    graph = GraphCalendar(host="127.0.0.1", port=free_port(), oauth=oauth_server)
    server = uvicorn.Server(uvicorn.Config(build_app(graph), host=graph.host, port=graph.port, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, name="graph-calendar", daemon=True)
    thread.start()
    wait_for_port(graph.port, timeout=30)
    announce("Microsoft Graph calendar API (local)", f"{graph.base_url}/me/calendarView")
    try:
        yield graph
    finally:
        server.should_exit = True
        thread.join(10)
