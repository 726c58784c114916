"""FastAPI dependencies: the server state and the signed-in user (Bearer access token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.server.schemas import Problem
from app.server.state import ServerState
from app.server.tokens import TokenError
from app.server.users import UserOut
from storage.bilingual import Bilingual

bearer = HTTPBearer(auto_error=False, description="JWT access token from /api/v1/auth/login")


def state(request: Request) -> ServerState:
    st: ServerState = request.app.state.server
    return st


@dataclass(frozen=True)
class Caller:
    user: UserOut
    device_id: int


def unauthorized(detail: object = None) -> HTTPException:
    """401; ``detail`` a text or a bilingual error (default: not signed in)."""
    if detail is None:
        detail = Bilingual("not signed in", de="nicht angemeldet")
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def caller(
    st: Annotated[ServerState, Depends(state)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise unauthorized()
    try:
        claims = st.users.tokens.verify(creds.credentials, "access")
        user = st.users.check_access(claims)
    except TokenError as exc:
        raise unauthorized(exc) from None
    return Caller(user=user, device_id=claims.dev)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


State = Annotated[ServerState, Depends(state)]
Me = Annotated[Caller, Depends(caller)]


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error responses a route can give (all with a Problem body)."""
    text = {400: "bad input", 401: "not signed in, or the token is expired or invalid", 403: "not allowed",
            404: "not found (or not yours)", 409: "conflict with the current state", 413: "upload too large",
            415: "unsupported media type", 416: "range not satisfiable",
            429: "too many attempts; see Retry-After", 503: "a feature is not available on this server"}
    return {c: {"model": Problem, "description": text.get(c, "error")} for c in codes}
