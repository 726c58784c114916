"""The FastAPI application of home-server mode: routers, error bodies, OpenAPI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from agents.i18n import Language
from app import __version__, tracing
from app.server import logscrub
from app.server.api_language import detail_text, request_language
from app.server.guard import RequestGuard, RoutePolicy, route_policy
from app.server.openapi_links import add_links
from app.server.request_id import RequestIdMiddleware
from app.server.routes import accounts, approvals, connected_accounts, conversation, system, timers, webhooks
from app.server.routes import oauth as oauth_routes
from app.server.routes.domains import domain_routers
from app.server.state import ServerState
from app.services import Services

log = logging.getLogger(__name__)


def create_app(services: Services, state: ServerState | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        st.finance_sync.start()  # the scheduled bank sync ([domains.finance] sync_interval_min; 0 = off)
        st.alarms.start()  # reminders and timers that come due, each delivered once (server.alarm_sweep_s)
        try:
            yield
        finally:
            st.alarms.stop()
            st.finance_sync.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="personal-agent home server",
        version=__version__,
        description="REST API of the voice-first personal assistant for phones and other clients. "
        "Sign in at /api/v1/auth/login (or pair with a code), then send `Authorization: Bearer <access_token>`.",
        docs_url="/api/docs" if services.settings.server.api_docs else None,  # Swagger UI comes from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    st = app.state.server = state or ServerState.build(services)
    logscrub.install()  # no verify token (or other secret in a query string) in the access log
    routers = (system.router, accounts.router, conversation.router, approvals.router, timers.router,
               *domain_routers(), webhooks.router, connected_accounts.router, oauth_routes.router)
    for r in routers:
        app.include_router(r)

    def policies() -> list[tuple[APIRoute, RoutePolicy]]:
        return [(r, route_policy(r, st.max_upload_bytes, st.max_text_chars))
                for router in routers for r in router.routes if isinstance(r, APIRoute)]

    def check_token(token: str) -> None:
        st.users.check_access(st.users.tokens.verify(token, "access"))

    app.add_middleware(RequestGuard, policies=policies, check_token=check_token)
    app.add_middleware(RequestIdMiddleware)  # outermost: the guard's answers and the access log have the id
    tracing.instrument_app(app)  # a server span per request when traces are on (off by default)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(exc, request_language(request))}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": detail_text(exc.detail, request_language(request))},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %r", exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    def openapi() -> dict[str, Any]:
        """The generated schema, with 422 documented as what ``_invalid`` sends (one line) and the links."""
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = {
                    "title": "HTTPValidationError", "type": "object", "required": ["detail"],
                    "properties": {"detail": {"type": "string", "title": "Detail",
                                              "description": "the first bad field and what is wrong with it"}}}
                schemas.pop("ValidationError", None)
            add_links(schema)
            _document_body_limit(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _document_body_limit(schema: dict[str, Any]) -> None:
    """Every operation that takes a body answers 413 when it is larger than its route's limit (the
    RequestGuard stops reading there): say so in the schema."""
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            if isinstance(op, dict) and "requestBody" in op:
                op.setdefault("responses", {}).setdefault(
                    "413", {"description": "request body too large for this route", "content": problem})


def validation_message(exc: RequestValidationError, lang: Language = "en") -> str:
    """One line naming the first bad field and what is wrong with it; never the input itself. In German the
    frame is German; pydantic's own reason (``msg``) stays English."""
    de = lang == "de"
    invalid = "ungültige Anfrage" if de else "invalid request"
    errors = exc.errors()
    if not errors:
        return invalid
    first = errors[0]
    if first.get("type") == "json_invalid":
        return f"{invalid}: {'der Inhalt ist kein gültiges JSON' if de else 'the body is not valid JSON'}"
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")[:80]
    msg = str(first.get("msg", "invalid value"))[:160]
    extra = len(errors) - 1
    more = (f" (und {extra} weitere)" if de else f" (and {extra} more)") if extra else ""
    line = f"{invalid}: {where + ': ' if where else ''}{msg}{more}"
    return line.encode("utf-8", "replace").decode("utf-8").replace("\n", " ")
