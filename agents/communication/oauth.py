"""OAuth 2.0 for mail and calendars: provider presets (Google, Microsoft), the sign-in flows and the
token session the services log in with. Built on authlib's httpx client for both providers (docs/oauth.md
says why not msal / google-auth-oauthlib).

- ``ProviderPreset``/``PROVIDERS``: endpoints and scopes per provider and purpose (mail, calendar).
- ``OAuthClient``: one provider's endpoints plus the app's client id (a setting; the caller passes it).
- ``sign_in_browser``: authorization code + PKCE (S256) with a loopback redirect on 127.0.0.1 (RFC 8252);
  the system browser opens through ``open_browser`` (``webbrowser.open`` by default).
- ``authorization_request`` / ``exchange_code``: the same code + PKCE flow in two steps, for a redirect to
  the home server's callback route (a phone signs in through the server: ``app.server.oauth_signins``).
- ``sign_in_device``: the device authorization grant (RFC 8628) for a machine without a browser.
- ``OAuthSession``: holds the access token in memory only; refreshes it shortly before it expires and once
  when a server refuses it (``access_token(force=True)``); a refresh token it is given again (rotation) goes
  to ``save_refresh`` (the caller's keyring). A refused refresh (revoked, expired) puts it in the
  "sign in again" state: one ``SignInRequired`` sentence, and no further request to the provider.

Nothing here reads settings or the keyring (layer rule): the app passes the client id and the keyring
getter/setter. No token is ever put into a message or a log line."""

from __future__ import annotations

import contextlib
import html
import http.server
import logging
import secrets
import threading
import time
import urllib.parse
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from pydantic import BaseModel

from agents.deps import ServiceError

log = logging.getLogger(__name__)

Purpose = Literal["mail", "calendar"]
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class OAuthFailure(ServiceError):
    """The sign-in or a token request failed; the message is one line for the user."""


class SignInRequired(OAuthFailure):
    """The grant was revoked or expired: the user has to sign in again (no retry helps)."""


class ProviderPreset(BaseModel):
    name: str
    authorize_url: str
    token_url: str
    device_url: str | None
    revoke_url: str | None
    scopes: dict[str, list[str]]
    extra_authorize_params: dict[str, str] = {}
    mail_preset: str  # the mail server preset (agents.communication.presets)


MS_LOGIN = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0"

PROVIDERS: dict[str, ProviderPreset] = {
    "google": ProviderPreset(
        name="Google",
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        device_url="https://oauth2.googleapis.com/device/code",
        revoke_url="https://oauth2.googleapis.com/revoke",
        scopes={"mail": ["https://mail.google.com/"],
                "calendar": ["https://www.googleapis.com/auth/calendar"]},
        # a refresh token only with offline access; consent again so Google issues a new one
        extra_authorize_params={"access_type": "offline", "prompt": "consent"},
        mail_preset="gmail",
    ),
    "microsoft": ProviderPreset(
        name="Microsoft",
        authorize_url=MS_LOGIN + "/authorize",
        token_url=MS_LOGIN + "/token",
        device_url=MS_LOGIN + "/devicecode",
        revoke_url=None,  # Microsoft has no revocation endpoint for refresh tokens
        scopes={"mail": ["https://outlook.office.com/IMAP.AccessAsUser.All",
                         "https://outlook.office.com/SMTP.Send", "offline_access"],
                "calendar": ["https://graph.microsoft.com/Calendars.ReadWrite", "offline_access"]},
        extra_authorize_params={"prompt": "select_account"},
        mail_preset="microsoft",
    ),
}


def provider(name: str) -> ProviderPreset:
    try:
        return PROVIDERS[name.lower()]
    except KeyError:
        raise OAuthFailure(f"unknown sign-in provider '{name}': choose one of {', '.join(PROVIDERS)}") from None


@dataclass(frozen=True)
class OAuthClient:
    """What a token request needs: the endpoints, the app's client id (and Google's client secret, which
    Google issues to desktop apps too), the scopes asked for."""

    provider: str
    client_id: str
    authorize_url: str
    token_url: str
    device_url: str | None
    revoke_url: str | None
    scopes: tuple[str, ...]
    client_secret: str | None = None
    extra_authorize_params: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 20.0

    @classmethod
    def for_provider(cls, name: str, purpose: Purpose, client_id: str, *, client_secret: str | None = None,
                     tenant: str = "common", issuer: str | None = None, timeout_s: float = 20.0) -> OAuthClient:
        """The client of a preset; ``issuer`` (an OIDC issuer URL: a self-hosted identity provider or the
        tests' server) takes the endpoints from its discovery document instead."""
        p = provider(name)
        if not client_id:
            raise OAuthFailure(f"no app is registered for {p.name} sign-in yet: the client id setting is empty "
                               "(see the sign-in guide)")
        urls = {k: getattr(p, k).format(tenant=tenant) if getattr(p, k) else None
                for k in ("authorize_url", "token_url", "device_url", "revoke_url")}
        if issuer:
            urls = discover(issuer, timeout_s)
        return cls(provider=name.lower(), client_id=client_id, scopes=tuple(p.scopes[purpose]),
                   client_secret=client_secret, extra_authorize_params=tuple(p.extra_authorize_params.items()),
                   timeout_s=timeout_s, authorize_url=str(urls["authorize_url"]), token_url=str(urls["token_url"]),
                   device_url=urls["device_url"], revoke_url=urls["revoke_url"])

    def http(self, **kwargs: Any) -> OAuth2Client:
        return OAuth2Client(client_id=self.client_id, client_secret=self.client_secret,
                            token_endpoint_auth_method="client_secret_post" if self.client_secret else "none",
                            scope=" ".join(self.scopes), timeout=self.timeout_s, trust_env=False, **kwargs)


def discover(issuer: str, timeout_s: float = 20.0) -> dict[str, str | None]:
    """The endpoints from an OIDC/RFC 8414 discovery document."""
    import httpx

    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        doc = httpx.get(url, timeout=timeout_s, trust_env=False).raise_for_status().json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OAuthFailure(f"cannot read the sign-in server's configuration at {issuer}: "
                           f"{type(exc).__name__}") from None
    return {"authorize_url": doc.get("authorization_endpoint"), "token_url": doc.get("token_endpoint"),
            "device_url": doc.get("device_authorization_endpoint"), "revoke_url": doc.get("revocation_endpoint")}


@dataclass(frozen=True)
class Tokens:
    """A token response, kept in memory only (``repr`` hides the tokens)."""

    access_token: str = field(repr=False)
    expires_at: float
    scopes: tuple[str, ...]
    refresh_token: str | None = field(default=None, repr=False)
    obtained_at: float = 0.0

    @classmethod
    def from_response(cls, token: dict[str, Any], asked: tuple[str, ...]) -> Tokens:
        now = time.time()
        expires_at = now + float(token.get("expires_in") or 3600)
        scope = token.get("scope")
        return cls(access_token=str(token["access_token"]), expires_at=expires_at, obtained_at=now,
                   scopes=tuple(str(scope).split()) if scope else asked, refresh_token=token.get("refresh_token"))


def _failure(exc: OAuthError | Exception, what: str) -> OAuthFailure:
    if isinstance(exc, OAuthError):
        if exc.error in ("invalid_grant", "access_denied", "expired_token", "invalid_token"):
            return SignInRequired(f"{what}: the sign-in was withdrawn or has expired; sign in again")
        return OAuthFailure(f"{what}: the sign-in server said {exc.error}")
    return OAuthFailure(f"{what}: cannot reach the sign-in server ({type(exc).__name__})")


# --- sign-in: authorization code + PKCE, loopback redirect --------------------------------------------------

class _Callback(http.server.BaseHTTPRequestHandler):
    result: dict[str, str]
    done: threading.Event

    def do_GET(self) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        if "code" not in query and "error" not in query:
            self.send_error(404)
            return
        self.result.update(query)
        ok = "code" in query
        body = ("<!doctype html><meta charset='utf-8'><title>Personal Agent</title><h1>"
                + html.escape("Signed in: you can close this window." if ok else
                              "The sign-in did not complete: you can close this window.") + "</h1>")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.done.set()

    def log_message(self, format: str, *args: Any) -> None:  # the query holds the code: never logged
        return


def sign_in_browser(client: OAuthClient, open_browser: Callable[[str], Any] = webbrowser.open,
                    timeout_s: float = 300.0) -> Tokens:
    """Authorization code with PKCE: a listener on a free 127.0.0.1 port receives the redirect."""
    result: dict[str, str] = {}
    done = threading.Event()
    handler = type("Callback", (_Callback,), {"result": result, "done": done})
    httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
    redirect_uri = f"http://127.0.0.1:{httpd.server_address[1]}/callback"
    thread = threading.Thread(target=httpd.serve_forever, name="oauth-loopback", daemon=True)
    thread.start()
    try:
        verifier = generate_token(64)
        with client.http(redirect_uri=redirect_uri, code_challenge_method="S256") as http_client:
            url, state = http_client.create_authorization_url(client.authorize_url, code_verifier=verifier,
                                                              state=secrets.token_urlsafe(16),
                                                              **dict(client.extra_authorize_params))
            open_browser(url)
            if not done.wait(timeout_s):
                raise OAuthFailure(f"no answer from the {client.provider} sign-in page within "
                                   f"{timeout_s:.0f} s: nothing was stored")
            if result.get("state") != state:
                raise OAuthFailure("the sign-in answer did not belong to this sign-in (state differs): "
                                   "nothing was stored")
            if "error" in result:
                raise OAuthFailure(f"the sign-in was not completed ({result['error']}): nothing was stored")
            try:
                token = http_client.fetch_token(client.token_url, grant_type="authorization_code",
                                                code=result["code"], code_verifier=verifier,
                                                redirect_uri=redirect_uri)
            except Exception as exc:
                raise _failure(exc, "the sign-in failed") from None
    finally:
        httpd.shutdown()
        httpd.server_close()
    return _with_refresh(Tokens.from_response(token, client.scopes))


@dataclass(frozen=True)
class AuthorizationRequest:
    """A started authorization-code sign-in whose redirect goes elsewhere (the home server's callback
    route): the URL for the user's browser, the ``state`` that ties the answer to it, the PKCE verifier
    (kept by the caller until the answer comes, never shown)."""

    url: str
    state: str
    verifier: str = field(repr=False)
    redirect_uri: str = ""


def authorization_request(client: OAuthClient, redirect_uri: str, state: str | None = None,
                          verifier: str | None = None) -> AuthorizationRequest:
    """The provider's sign-in URL with PKCE (S256) for ``redirect_uri``: a fresh state and verifier unless
    given (the home server derives the verifier from the state, so that it stores no secret)."""
    verifier = verifier or generate_token(64)
    with client.http(redirect_uri=redirect_uri, code_challenge_method="S256") as http_client:
        url, state = http_client.create_authorization_url(client.authorize_url, code_verifier=verifier,
                                                          state=state or secrets.token_urlsafe(24),
                                                          **dict(client.extra_authorize_params))
    return AuthorizationRequest(url=url, state=state, verifier=verifier, redirect_uri=redirect_uri)


def exchange_code(client: OAuthClient, request: AuthorizationRequest, code: str) -> Tokens:
    """The tokens for the code the provider sent to ``request.redirect_uri`` (``OAuthFailure`` in one line,
    also when no refresh token came)."""
    with client.http(redirect_uri=request.redirect_uri, code_challenge_method="S256") as http_client:
        try:
            token = http_client.fetch_token(client.token_url, grant_type="authorization_code", code=code,
                                            code_verifier=request.verifier, redirect_uri=request.redirect_uri)
        except Exception as exc:
            raise _failure(exc, "the sign-in failed") from None
    return _with_refresh(Tokens.from_response(token, client.scopes))


def _with_refresh(tokens: Tokens) -> Tokens:
    if not tokens.refresh_token:
        raise OAuthFailure("the sign-in server issued no refresh token, so the account would stop working "
                           "within the hour: nothing was stored")
    return tokens


# --- sign-in: device code (RFC 8628) -------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceCode:
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: int


def sign_in_device(client: OAuthClient, show: Callable[[DeviceCode], Any],
                   sleep: Callable[[float], Any] = time.sleep) -> Tokens:
    """The device flow: ``show`` tells the user the code and the URL; the token endpoint is polled."""
    import httpx

    if not client.device_url:
        raise OAuthFailure(f"{client.provider} offers no device sign-in: sign in on a machine with a browser")
    data = {"client_id": client.client_id, "scope": " ".join(client.scopes)}
    try:
        reply = httpx.post(client.device_url, data=data, timeout=client.timeout_s, trust_env=False)
        body = reply.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _failure(exc, "the device sign-in could not start") from None
    if reply.status_code != 200 or "device_code" not in body:
        raise OAuthFailure(f"the device sign-in could not start: the server said {body.get('error', reply.status_code)}")
    show(DeviceCode(user_code=str(body["user_code"]),
                    verification_uri=str(body.get("verification_uri") or body.get("verification_url")),
                    verification_uri_complete=body.get("verification_uri_complete"),
                    expires_in=int(body.get("expires_in", 900))))
    interval = float(body.get("interval", 5))
    deadline = time.monotonic() + float(body.get("expires_in", 900))
    with client.http() as http_client:
        while time.monotonic() < deadline:
            sleep(interval)
            try:
                token = http_client.fetch_token(client.token_url, grant_type=DEVICE_GRANT,
                                                device_code=body["device_code"], client_id=client.client_id)
                return _with_refresh(Tokens.from_response(token, client.scopes))
            except OAuthError as exc:
                if exc.error == "authorization_pending":
                    continue
                if exc.error == "slow_down":
                    interval += 5
                    continue
                raise _failure(exc, "the device sign-in failed") from None
            except Exception as exc:
                raise _failure(exc, "the device sign-in failed") from None
    raise OAuthFailure("the device code expired before the sign-in was completed: nothing was stored")


# --- the session the services use -----------------------------------------------------------------------------

@dataclass(frozen=True)
class TokenState:
    """What ``accounts test`` and ``doctor`` show: never a token."""

    signed_in: bool
    valid_until: datetime | None
    scopes: tuple[str, ...]
    refresh_ok: bool | None
    message: str

    def describe(self) -> str:
        if not self.signed_in:
            return self.message
        until = self.valid_until.astimezone().strftime("%Y-%m-%d %H:%M:%S") if self.valid_until else "?"
        refresh = {True: "refresh ok", False: "refresh failed", None: "not refreshed yet"}[self.refresh_ok]
        return f"signed in: access valid until {until}, {refresh}, scopes: {' '.join(self.scopes) or '-'}"


class OAuthSession:
    """An account's tokens for one process. Thread-safe. ``refresh_token`` comes from the keyring; a new one
    the server rotates in is handed to ``save_refresh``."""

    def __init__(self, client: OAuthClient, refresh_token: str, save_refresh: Callable[[str], None] | None = None,
                 account: str = "account", clock: Callable[[], float] = time.time,
                 load_refresh: Callable[[], str | None] | None = None) -> None:
        self.client = client
        self._refresh_token = refresh_token
        self._save_refresh = save_refresh
        self._load_refresh = load_refresh  # the stored refresh token: a new sign-in elsewhere ends "sign in again"
        self.account = account
        self._clock = clock
        self._tokens: Tokens | None = None
        self._refresh_ok: bool | None = None
        self._sign_in_required: str | None = None
        self._lock = threading.Lock()
        self.refreshes = 0

    def _expiring(self, tokens: Tokens) -> bool:
        """Within a minute of expiry (a fifth of the lifetime for short-lived tokens)."""
        skew = min(60.0, 0.2 * (tokens.expires_at - tokens.obtained_at))
        return tokens.expires_at - self._clock() <= skew

    def access_token(self, force: bool = False) -> str:
        """A valid access token: the one held unless it expires within a minute (or ``force``: the server
        refused it), else a refreshed one. ``SignInRequired`` once the grant is gone, without asking again."""
        with self._lock:
            if self._sign_in_required:
                stored = self._load_refresh() if self._load_refresh is not None else None
                if not stored or stored == self._refresh_token:
                    raise SignInRequired(self._sign_in_required)
                self._renew(stored)
            if force or self._tokens is None or self._expiring(self._tokens):
                self._refresh()
            assert self._tokens is not None
            return self._tokens.access_token

    def _renew(self, refresh_token: str) -> None:
        self._refresh_token = refresh_token
        self._sign_in_required = None
        self._tokens = None
        self._refresh_ok = None

    def _refresh(self) -> None:
        what = f"the sign-in of '{self.account}'"
        try:
            with self.client.http() as http_client:
                token = http_client.refresh_token(self.client.token_url, refresh_token=self._refresh_token)
        except Exception as exc:
            failure = _failure(exc, what)
            self._refresh_ok = False
            if isinstance(failure, SignInRequired):
                self._sign_in_required = str(failure)
                self._tokens = None
                log.warning("%s was withdrawn or has expired: sign in again", what)
            raise failure from None
        self.refreshes += 1
        self._refresh_ok = True
        tokens = Tokens.from_response(token, self.client.scopes)
        if tokens.refresh_token and tokens.refresh_token != self._refresh_token:
            self._refresh_token = tokens.refresh_token
            if self._save_refresh is not None:
                self._save_refresh(tokens.refresh_token)
        self._tokens = tokens

    def state(self) -> TokenState:
        if self._sign_in_required:
            return TokenState(False, None, (), False, self._sign_in_required)
        t = self._tokens
        return TokenState(signed_in=t is not None,
                          valid_until=datetime.fromtimestamp(t.expires_at, UTC) if t else None,
                          scopes=t.scopes if t else (), refresh_ok=self._refresh_ok,
                          message="" if t else "not signed in yet")

    @property
    def needs_sign_in(self) -> bool:
        return self._sign_in_required is not None


def revoke(client: OAuthClient, refresh_token: str) -> bool:
    """Withdraw a grant at the provider (when it has a revocation endpoint); False if it has none."""
    if not client.revoke_url:
        return False
    with contextlib.suppress(Exception), client.http() as http_client:
        http_client.revoke_token(client.revoke_url, token=refresh_token, token_type_hint="refresh_token")
        return True
    return False


def xoauth2(username: str, access_token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Google and Microsoft document it."""
    return f"user={username}\x01auth=Bearer {access_token}\x01\x01"
