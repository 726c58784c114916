"""The FastAPI application of home-server mode: routers, error bodies, OpenAPI."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app import __version__
from app.server.routes import accounts, approvals, conversation, system, webhooks
from app.server.routes.domains import domain_routers
from app.server.state import ServerState
from app.services import Services

log = logging.getLogger(__name__)


def create_app(services: Services, state: ServerState | None = None) -> FastAPI:
    app = FastAPI(
        title="personal-agent home server",
        version=__version__,
        description="REST API of the voice-first personal assistant for phones and other clients. "
        "Sign in at /api/v1/auth/login (or pair with a code), then send `Authorization: Bearer <access_token>`.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.server = state or ServerState.build(services)
    for r in (system.router, accounts.router, conversation.router, approvals.router, *domain_routers(),
              webhooks.router):
        app.include_router(r)

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %r", exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    return app
