"""Sign-in, token refresh, sign-out, devices and device pairing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from app.metrics import RATE_LIMITED
from app.server.api_language import api_error
from app.server.auth import Me, State, client_address, problems, unauthorized
from app.server.hashgate import HashGateBusy
from app.server.ratelimit import RateLimited
from app.server.schemas import (
    DeviceView,
    LoginRequest,
    PairingClaim,
    PairingCodeView,
    RefreshRequest,
    TokenResponse,
    UserView,
)
from app.server.tokens import TokenError
from app.server.users import IssuedTokens, UserOut
from storage.bilingual import Bilingual

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def _user(u: UserOut) -> UserView:
    return UserView(id=u.id, username=u.username, is_admin=u.is_admin)


def _tokens(t: IssuedTokens) -> TokenResponse:
    return TokenResponse(access_token=t.access_token, refresh_token=t.refresh_token,
                         access_expires_at=t.access_expires_at, refresh_expires_at=t.refresh_expires_at,
                         device_id=t.device_id, user=_user(t.user))


def _too_many(exc: RateLimited, what: str) -> HTTPException:
    RATE_LIMITED.labels(what).inc()
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, exc, headers={"Retry-After": str(exc.retry_after_s)})


@router.post("/auth/login", response_model=TokenResponse, responses=problems(400, 401, 429))
async def login(body: LoginRequest, request: Request, st: State) -> TokenResponse:
    """Sign in with name and password; a new device entry is made for this client."""
    addr = client_address(request)
    try:
        st.limiter.reserve(body.username, addr)  # counted before the password is checked
    except RateLimited as exc:
        raise _too_many(exc, "sign_in") from None
    try:
        user = await st.hash_gate.run(st.users.authenticate, body.username, body.password,
                                      known=st.limiter.is_known(body.username, addr))
    except HashGateBusy as exc:
        st.limiter.release(body.username, addr)
        RATE_LIMITED.labels("sign_in").inc()
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, exc, headers={"Retry-After": "5"}) from None
    if user is None:
        await run_in_threadpool(_record_failed_sign_in, st, body.username, addr)
        raise unauthorized(Bilingual("wrong user name or password", de="falscher Benutzername oder falsches Passwort"))
    st.limiter.succeeded(body.username, addr)
    return _tokens(await run_in_threadpool(st.users.sign_in, user, body.device_name))


def _record_failed_sign_in(st: State, username: str, addr: str) -> None:
    """Audit a failed sign-in under the name only if such a user exists: what was typed into the
    name field of an unknown user may be a password (typed into the wrong field)."""
    known = st.users.by_name(username) is not None
    st.services.audit.record("server.sign_in", username if known else "(unknown user)", "failed",
                             f"from {addr}", actor="server")


@router.post("/auth/refresh", response_model=TokenResponse, responses=problems(400, 401))
def refresh(body: RefreshRequest, st: State) -> TokenResponse:
    """Trade a refresh token for a new pair (the old refresh token stops working)."""
    try:
        return _tokens(st.users.refresh(body.refresh_token))
    except TokenError as exc:
        raise unauthorized(exc) from None


@router.post("/auth/logout", status_code=204, response_class=Response, responses=problems(401))
def logout(me: Me, st: State) -> Response:
    """Sign this device out: its access and refresh tokens stop working."""
    st.users.sign_out(me.user.id, me.device_id)
    return Response(status_code=204)


@router.get("/auth/me", response_model=UserView, responses=problems(401))
def whoami(me: Me) -> UserView:
    return _user(me.user)


@router.get("/devices", response_model=list[DeviceView], responses=problems(401))
def devices(me: Me, st: State) -> list[DeviceView]:
    return [DeviceView(**d.model_dump(), current=d.id == me.device_id) for d in st.users.devices(me.user.id)]


@router.delete("/devices/{device_id}", status_code=204, response_class=Response, responses=problems(401, 404))
def revoke_device(device_id: Annotated[int, Path(ge=1, le=2**31 - 1)], me: Me, st: State) -> Response:
    """Sign one of your devices out (e.g. a lost phone)."""
    if st.users.revoke_device(me.user.id, device_id) is None:
        raise api_error(404, "no such device", "kein solches Gerät")
    return Response(status_code=204)


@router.post("/pairing/codes", response_model=PairingCodeView, status_code=201, responses=problems(401))
def new_pairing_code(me: Me, st: State) -> PairingCodeView:
    """A one-time code that signs a new device in as you (shown in the desktop app)."""
    code, expires = st.users.create_pairing_code(me.user.id)
    return PairingCodeView(code=code, expires_at=expires)


@router.post("/pairing/claim", response_model=TokenResponse, responses=problems(400, 401, 429))
def claim_pairing_code(body: PairingClaim, request: Request, st: State) -> TokenResponse:
    """Pair a device with a one-time code; the code then stops working."""
    addr = client_address(request)
    try:
        st.pairing_limiter.reserve("pairing", addr)  # counted before the code is checked
    except RateLimited as exc:
        raise _too_many(exc, "pairing") from None
    issued = st.users.claim_pairing_code(body.code, body.device_name)
    if issued is None:
        raise unauthorized(Bilingual("unknown, used or expired pairing code",
                                     de="unbekannter, schon benutzter oder abgelaufener Kopplungscode"))
    st.pairing_limiter.succeeded("pairing", addr)
    return _tokens(issued)
