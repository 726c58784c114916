"""Sign in with Google or Microsoft from a phone (``RemoteEngine`` as ``SignInPort``): the admin's phone
starts a sign-in, opens the provider's page in its browser, the provider sends the browser back to
``/api/v1/oauth/callback`` on this server, which stores the refresh token in the server's keyring; the
phone reads the outcome. Authorization code + PKCE with the redirect to this server (not the device code:
Google's device flow does not grant mail access). Why and how to register the redirect: docs/oauth.md."""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError

from agents.communication.oauth import (
    AuthorizationRequest,
    OAuthFailure,
    authorization_request,
    exchange_code,
)
from agents.local.phrases import tr
from app.accounts import AccountError, AccountIn
from app.engine import AccountDraft, AccountView
from app.secrets import SecretStoreError
from app.server.api_language import Lang, api_error
from app.server.auth import Me, State, problems
from app.server.oauth_signins import (
    LIFETIME,
    TOOK_TOO_LONG,
    SignInRow,
    SignInStore,
    UnknownSignIn,
    verifier_for,
)
from app.server.state import ServerState

router = APIRouter(prefix="/api/v1/oauth", tags=["connected accounts"])
CALLBACK = "/api/v1/oauth/callback"


class SignInStart(BaseModel):
    provider: str = Field(min_length=1, max_length=40, description="google or microsoft")
    draft: AccountDraft = Field(description="the account to add (its secret is not used: the sign-in gives it)")


class SignInAgain(BaseModel):
    kind: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)


class SignInStarted(BaseModel):
    id: str = Field(description="ask GET /api/v1/oauth/sign-ins/{id} for the outcome")
    authorize_url: str = Field(description="open this in the browser of the phone")
    expires_in_s: int


class SignInOutcome(BaseModel):
    status: str = Field(description="waiting, done or failed")
    message: str = ""
    account: AccountView | None = None


def _store(st: ServerState) -> SignInStore:
    return SignInStore(st.services.db)


def _admin(me: Me) -> None:
    if not me.user.is_admin:
        raise api_error(403, "only the household's admin can change the connected accounts",
                        "nur der Admin des Haushalts kann die verbundenen Konten ändern")


def _redirect_uri(st: ServerState, request: Request) -> str:
    base = st.services.settings.oauth.redirect_base.rstrip("/") or str(request.base_url).rstrip("/")
    return base + CALLBACK


def _plain(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _begin(st: ServerState, me: Me, acc: AccountIn, again: bool, redirect_uri: str) -> SignInStarted:
    """The provider's client for the account, a stored waiting sign-in, its authorization URL."""
    from app.server.tokens import signing_key
    from app.wiring.oauth import account_client

    client = account_client(st.services.settings, acc)
    sign_in_id, state = _store(st).add(me.user.id, me.user.username, acc.model_dump(mode="json"), again, redirect_uri)
    auth = authorization_request(client, redirect_uri, state=state, verifier=verifier_for(signing_key(), state))
    return SignInStarted(id=sign_in_id, authorize_url=auth.url, expires_in_s=int(LIFETIME.total_seconds()))


async def _start(request: Request, me: Me, st: ServerState, acc: AccountIn, again: bool) -> SignInStarted:
    try:
        return await run_in_threadpool(_begin, st, me, acc, again, _redirect_uri(st, request))
    except OAuthFailure as exc:
        raise HTTPException(400, _plain(str(exc))) from None


@router.post("/sign-ins", response_model=SignInStarted, status_code=201, responses=problems(400, 401, 403, 409))
async def start_sign_in(body: SignInStart, request: Request, me: Me, st: State) -> SignInStarted:
    """Start the sign-in of a new mail or calendar account (an admin only): open ``authorize_url`` in the
    browser; nothing is stored until the provider's answer reaches the server."""
    from app.wiring.oauth import sign_in_record

    _admin(me)
    d = body.draft
    try:
        acc = sign_in_record(d.kind, d.name, d.username, body.provider, d.host, d.port, dict(d.options))
    except OAuthFailure as exc:
        raise HTTPException(400, _plain(str(exc))) from None
    except ValidationError as exc:
        raise HTTPException(400, _plain(str(exc.errors(include_url=False, include_input=False)[0]["msg"]))) from None
    try:
        await run_in_threadpool(st.services.accounts.get, acc.name, acc.kind)
    except AccountError:
        pass
    else:
        raise api_error(409, f"A {acc.kind} account named '{acc.name}' exists already.",
                        f"Ein {acc.kind}-Konto namens '{acc.name}' gibt es schon.")
    return await _start(request, me, st, acc, again=False)


@router.post("/sign-ins/again", response_model=SignInStarted, status_code=201, responses=problems(400, 401, 403, 404))
async def start_sign_in_again(body: SignInAgain, request: Request, me: Me, st: State) -> SignInStarted:
    """A new sign-in for an account whose grant was withdrawn or expired (an admin only)."""
    from app.wiring.oauth import is_oauth

    _admin(me)
    try:
        acc = await run_in_threadpool(st.services.accounts.get, body.name, body.kind)
    except AccountError as exc:
        raise HTTPException(404, _plain(str(exc))) from None
    if not is_oauth(acc):
        raise api_error(400, f"{acc.name} signs in with a password, not with a provider.",
                        f"{acc.name} meldet sich mit einem Passwort an, nicht bei einem Anbieter.")
    return await _start(request, me, st, acc, again=True)


@router.get("/sign-ins/{sign_in_id}", response_model=SignInOutcome, responses=problems(401, 404))
def sign_in_outcome(sign_in_id: Annotated[str, Path(min_length=1, max_length=40)], me: Me,
                    st: State, lang: Lang) -> SignInOutcome:
    """Waiting, done (with the account) or failed (with the reason in one sentence)."""
    p = _store(st).outcome(sign_in_id, me.user.id)
    if p is None:
        raise api_error(404, "no such sign-in", "keine solche Anmeldung")
    account = None
    if p.status == "done":
        r = AccountIn.model_validate(p.record)
        account = AccountView(kind=r.kind, name=r.name, username=r.username, host=r.host, port=r.port, has_secret=True)
    status = p.status if p.status in ("done", "failed") else "waiting"  # "answered": the tokens are being fetched
    message = p.message
    if message == TOOK_TOO_LONG:
        message = tr(lang, TOOK_TOO_LONG, "Die Anmeldung hat zu lange gedauert: nichts wurde gespeichert.")
    return SignInOutcome(status=status, message=message, account=account)


def _page(lang: str, ok: bool, detail: str = "") -> str:
    title = tr(lang, "Signed in: you can close this page and go back to the app.",
               "Angemeldet: du kannst diese Seite schließen und zur App zurückkehren.") if ok else \
        tr(lang, "The sign-in did not complete; nothing was stored.",
           "Die Anmeldung wurde nicht abgeschlossen; nichts wurde gespeichert.")
    more = f"<p>{html.escape(detail)}</p>" if detail else ""
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width'><title>Personal Agent</title></head><body><h1>{html.escape(title)}</h1>"
            f"{more}</body></html>")


def _store_tokens(st: ServerState, p: SignInRow, state: str, code: str) -> None:
    """Exchange the code and keep the refresh token in the keyring (the account added or its grant
    replaced). Raises OAuthFailure, AccountError or SecretStoreError with nothing stored."""
    from app.server.tokens import signing_key
    from app.wiring.oauth import account_client, forget_session

    if not code:
        raise OAuthFailure("the sign-in answer has no code: nothing was stored")
    acc = AccountIn.model_validate(p.record)
    client = account_client(st.services.settings, acc)
    auth = AuthorizationRequest(url="", state=state, verifier=verifier_for(signing_key(), state),
                                redirect_uri=p.redirect_uri)
    tokens = exchange_code(client, auth, code)
    refresh, scopes = tokens.refresh_token or "", " ".join(tokens.scopes)
    if p.again:
        current = st.services.accounts.get(acc.name, acc.kind)
        st.services.accounts.replace_secret(current, refresh, {"scopes": scopes})
        forget_session(acc)  # a running service's session takes the new grant from the keyring
    else:
        acc.options["scopes"] = scopes
        st.services.accounts.add(acc, refresh)
    st.services.audit.record("server.oauth_sign_in", f"{acc.kind}:{acc.name}", "ok", f"by {p.username}",
                             actor="server")


_HTML = {"text/html": {"schema": {"type": "string"}}}
_PAGE_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the answer belongs to no waiting sign-in, or the provider refused: a page saying nothing "
                         "was stored", "content": _HTML},
    409: {"description": "the server's password store cannot be used now: a page saying nothing was stored",
          "content": _HTML}}


@router.get(CALLBACK.removeprefix("/api/v1/oauth"), response_class=HTMLResponse, responses=_PAGE_ANSWERS)
async def callback(st: State,
                   state: Annotated[str, Query(max_length=200)] = "",
                   code: Annotated[str, Query(max_length=4000)] = "",
                   error: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """Where the provider sends the browser back (no sign-in of ours: the ``state`` ties it to the sign-in
    a user started). A state that waits for nothing (wrong, expired, used): 400, nothing stored."""
    lang = st.services.settings.language
    store = _store(st)
    try:
        p = await run_in_threadpool(store.take, state)
    except UnknownSignIn as exc:
        return HTMLResponse(_page(lang, False, _plain(str(exc))), 400)
    if error:
        await run_in_threadpool(store.finish, p.id, False,
                                tr(lang, f"The sign-in was not completed ({error[:60]}): nothing was stored.",
                                   f"Die Anmeldung wurde nicht abgeschlossen ({error[:60]}): nichts wurde gespeichert."))
        return HTMLResponse(_page(lang, False), 400)
    try:
        await run_in_threadpool(_store_tokens, st, p, state, code)
    except (OAuthFailure, AccountError) as exc:
        await run_in_threadpool(store.finish, p.id, False, _plain(str(exc)))
        return HTMLResponse(_page(lang, False, _plain(str(exc))), 400)
    except SecretStoreError:
        message = tr(lang, "The server's password store cannot be used now: nothing was stored.",
                     "Der Passwortspeicher des Servers kann gerade nicht benutzt werden: nichts wurde gespeichert.")
        await run_in_threadpool(store.finish, p.id, False, message)
        return HTMLResponse(_page(lang, False, message), 409)
    await run_in_threadpool(store.finish, p.id, True)
    return HTMLResponse(_page(lang, True))
