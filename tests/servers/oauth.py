"""A local OAuth 2.0 / OIDC authorization server on a free loopback port (FastAPI + uvicorn in a thread).

Written here because authlib's server side has integrations for Flask and Django only; the grants follow
the RFCs and the PKCE check uses authlib's own S256 function:

- ``GET /.well-known/openid-configuration``: the endpoints below (RFC 8414 names).
- Authorization code with PKCE (RFC 6749 §4.1, RFC 7636, S256 only; a loopback redirect URI on any port,
  RFC 8252 §7.3): ``GET /authorize`` shows a login page, ``POST /login`` checks the password and shows the
  consent page, ``POST /consent`` redirects to the client with ``code`` and ``state`` (or ``error=access_denied``).
- Device authorization grant (RFC 8628): ``POST /device_authorization``, the user enters the code at
  ``GET /device`` (login + code in one form), the client polls ``POST /token`` (``authorization_pending``,
  ``slow_down``, ``expired_token``, ``access_denied``).
- ``POST /token``: ``authorization_code``, ``refresh_token`` (the refresh token is rotated when
  ``rotate_refresh`` is on, as Microsoft does), the device code grant. Errors are RFC 6749 §5.2 JSON.
- ``POST /revoke`` (RFC 7009): a refresh token revokes its whole grant (every access token of it).
- ``POST /introspect`` (RFC 7662): ``active``, ``scope``, ``client_id``, ``username``, ``sub``, ``exp``, ``iat``.
  Dovecot's ``oauth2`` passdb and the SMTP test server ask it.
- ``GET /userinfo`` (OIDC) with a bearer token.

``access_lifetime_s`` is settable per test (a few seconds to test expiry mid-session); every token
request is counted in ``token_requests`` (per grant type), every introspection in ``introspections``."""

from __future__ import annotations

import html
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tests.servers.base import announce, free_port, unavailable, wait_for_port


@dataclass
class Grant:
    """One user's consent for one client: its scopes; revoked as a whole."""

    grant_id: str
    username: str
    client_id: str
    scope: str
    revoked: bool = False


@dataclass
class Token:
    grant: Grant
    expires_at: float
    kind: str  # "access" | "refresh"


@dataclass
class PendingCode:
    grant: Grant
    redirect_uri: str
    challenge: str
    expires_at: float


@dataclass
class DeviceRequest:
    client_id: str
    scope: str
    user_code: str
    expires_at: float
    interval: int
    grant: Grant | None = None
    denied: bool = False
    last_poll: float = 0.0


@dataclass
class OAuthServer:
    host: str
    port: int
    users: dict[str, str] = field(default_factory=dict)  # username -> password
    clients: set[str] = field(default_factory=set)
    access_lifetime_s: float = 3600.0
    rotate_refresh: bool = False
    device_interval_s: int = 1
    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, PendingCode] = field(default_factory=dict)
    devices: dict[str, DeviceRequest] = field(default_factory=dict)
    token_requests: Counter[str] = field(default_factory=Counter)
    introspections: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def issuer(self) -> str:
        return f"http://{self.host}:{self.port}"

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/{name}"

    def add_user(self, username: str, password: str | None = None) -> str:
        password = password or f"pw-{secrets.token_hex(5)}"
        with self.lock:
            self.users[username] = password
        return password

    def add_client(self, client_id: str | None = None) -> str:
        client_id = client_id or f"client-{secrets.token_hex(4)}"
        with self.lock:
            self.clients.add(client_id)
        return client_id

    def grant_tokens(self, username: str, client_id: str, scope: str) -> dict[str, Any]:
        """A grant issued straight away (for tests that do not exercise the sign-in itself)."""
        return self._issue(Grant(secrets.token_hex(8), username, client_id, scope), with_refresh=True)

    def browse_sign_in(self, authorize_url: str, username: str, password: str, decision: str = "allow") -> int:
        """What a user does in the browser, over plain HTTP (``browse``)."""
        return browse(authorize_url, username, password, decision)

    def approve_device(self, user_code: str, username: str, password: str, decision: str = "allow") -> None:
        """The user enters the device code on the verification page and allows (or denies) it."""
        httpx.post(self.endpoint("device"), data={"user_code": user_code, "username": username,
                                                  "password": password, "decision": decision},
                   timeout=30, trust_env=False).raise_for_status()

    def revoke_user(self, username: str) -> None:
        """Revoke every grant of a user (as a password change or an admin does)."""
        with self.lock:
            for tok in self.tokens.values():
                if tok.grant.username == username:
                    tok.grant.revoked = True

    def active(self, token: str) -> Token | None:
        with self.lock:
            tok = self.tokens.get(token)
            if tok is None or tok.grant.revoked or tok.expires_at <= time.time():
                return None
            return tok

    def _issue(self, grant: Grant, with_refresh: bool) -> dict[str, Any]:
        now = time.time()
        access = f"at-{secrets.token_urlsafe(24)}"
        out: dict[str, Any] = {"access_token": access, "token_type": "Bearer",
                               "expires_in": int(self.access_lifetime_s) if self.access_lifetime_s >= 1 else 1,
                               "scope": grant.scope}
        with self.lock:
            self.tokens[access] = Token(grant, now + self.access_lifetime_s, "access")
            if with_refresh:
                refresh = f"rt-{secrets.token_urlsafe(32)}"
                self.tokens[refresh] = Token(grant, now + 90 * 86400, "refresh")
                out["refresh_token"] = refresh
        return out


def browse(authorize_url: str, username: str, password: str, decision: str = "allow") -> int:
    """Open the authorization URL, fill in the login form, answer the consent page, follow the redirect to
    the client's loopback listener; the listener's status code. (The Playwright test drives the same pages
    in Chromium.)"""
    base = authorize_url.split("/authorize", 1)[0]
    with httpx.Client(timeout=30, trust_env=False) as http:
        page = http.get(authorize_url).raise_for_status().text
        page = http.post(f"{base}/login", data={**_form_fields(page), "username": username,
                                                 "password": password}).raise_for_status().text
        consent = http.post(f"{base}/consent", data={**_form_fields(page), "decision": decision})
        assert consent.status_code == 302, consent.text
        return http.get(consent.headers["location"]).status_code


def _form_fields(page: str) -> dict[str, str]:
    return {html.unescape(k): html.unescape(v)
            for k, v in re.findall(r"<input type='hidden' name='([^']*)' value='([^']*)'>", page)}


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")


def _hidden(values: dict[str, str]) -> str:
    return "".join(f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
                   for k, v in values.items())


def _is_loopback_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")


def build_app(server: OAuthServer) -> FastAPI:
    app = FastAPI()
    auth_params = ("client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")

    def error(code: str, description: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": code, "error_description": description}, status_code=status)

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return {"issuer": server.issuer, "authorization_endpoint": server.endpoint("authorize"),
                "token_endpoint": server.endpoint("token"),
                "device_authorization_endpoint": server.endpoint("device_authorization"),
                "revocation_endpoint": server.endpoint("revoke"),
                "introspection_endpoint": server.endpoint("introspect"),
                "userinfo_endpoint": server.endpoint("userinfo"),
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "refresh_token",
                                          "urn:ietf:params:oauth:grant-type:device_code"]}

    @app.get("/authorize", response_class=HTMLResponse)
    def authorize(request: Request) -> Response:
        q = {k: request.query_params.get(k, "") for k in auth_params}
        if q["client_id"] not in server.clients:
            return HTMLResponse(_page("Unknown application", "<p>This client is not registered.</p>"), 400)
        if not _is_loopback_redirect(q["redirect_uri"]):
            return HTMLResponse(_page("Bad redirect", "<p>The redirect URI is not a loopback address.</p>"), 400)
        if request.query_params.get("response_type") != "code" or q["code_challenge_method"] != "S256" \
                or not q["code_challenge"]:
            return RedirectResponse(q["redirect_uri"] + "?" + urlencode(
                {"error": "invalid_request", "error_description": "PKCE S256 is required",
                 "state": q["state"]}), 302)
        form = (f"<form method='post' action='/login'>{_hidden(q)}"
                "<label>Username <input name='username' autocomplete='username'></label>"
                "<label>Password <input name='password' type='password'></label>"
                "<button type='submit'>Sign in</button></form>")
        return HTMLResponse(_page("Sign in", form))

    @app.post("/login", response_class=HTMLResponse)
    def login(username: str = Form(""), password: str = Form(""), client_id: str = Form(""),
              redirect_uri: str = Form(""), scope: str = Form(""), state: str = Form(""),
              code_challenge: str = Form(""), code_challenge_method: str = Form("")) -> Response:
        q = dict(client_id=client_id, redirect_uri=redirect_uri, scope=scope, state=state,
                 code_challenge=code_challenge, code_challenge_method=code_challenge_method)
        if server.users.get(username) != password or not username:
            return HTMLResponse(_page("Sign in", "<p role='alert'>Wrong username or password.</p>"), 401)
        scopes = "".join(f"<li>{html.escape(s)}</li>" for s in scope.split())
        form = (f"<p>{html.escape(client_id)} asks for access to:</p><ul>{scopes}</ul>"
                f"<form method='post' action='/consent'>{_hidden({**q, 'username': username})}"
                "<button type='submit' name='decision' value='allow'>Allow</button>"
                "<button type='submit' name='decision' value='deny'>Deny</button></form>")
        return HTMLResponse(_page("Consent", form))

    @app.post("/consent")
    def consent(username: str = Form(""), decision: str = Form(""), client_id: str = Form(""),
                redirect_uri: str = Form(""), scope: str = Form(""), state: str = Form(""),
                code_challenge: str = Form("")) -> Response:
        if username not in server.users or client_id not in server.clients \
                or not _is_loopback_redirect(redirect_uri):
            return HTMLResponse(_page("Error", "<p>Bad request.</p>"), 400)
        if decision != "allow":
            return RedirectResponse(redirect_uri + "?" + urlencode({"error": "access_denied", "state": state}), 302)
        code = secrets.token_urlsafe(16)
        with server.lock:
            server.codes[code] = PendingCode(Grant(secrets.token_hex(8), username, client_id, scope),
                                             redirect_uri, code_challenge, time.time() + 120)
        return RedirectResponse(redirect_uri + "?" + urlencode({"code": code, "state": state}), 302)

    @app.post("/device_authorization")
    def device_authorization(client_id: str = Form(""), scope: str = Form("")) -> Response:
        if client_id not in server.clients:
            return error("invalid_client", "unknown client", 401)
        device_code = secrets.token_urlsafe(24)
        user_code = "-".join(secrets.token_hex(2).upper() for _ in range(2))
        with server.lock:
            server.devices[device_code] = DeviceRequest(client_id, scope, user_code, time.time() + 600,
                                                        server.device_interval_s)
        return JSONResponse({"device_code": device_code, "user_code": user_code,
                             "verification_uri": server.endpoint("device"),
                             "verification_uri_complete": server.endpoint("device") + "?" +
                             urlencode({"user_code": user_code}),
                             "expires_in": 600, "interval": server.device_interval_s})

    @app.get("/device", response_class=HTMLResponse)
    def device_page(user_code: str = "") -> Response:
        form = ("<form method='post' action='/device'>"
                f"<label>Code <input name='user_code' value='{html.escape(user_code)}'></label>"
                "<label>Username <input name='username'></label>"
                "<label>Password <input name='password' type='password'></label>"
                "<button type='submit' name='decision' value='allow'>Allow</button>"
                "<button type='submit' name='decision' value='deny'>Deny</button></form>")
        return HTMLResponse(_page("Connect a device", form))

    @app.post("/device", response_class=HTMLResponse)
    def device_approve(user_code: str = Form(""), username: str = Form(""), password: str = Form(""),
                       decision: str = Form("")) -> Response:
        with server.lock:
            req = next((d for d in server.devices.values() if d.user_code == user_code.strip().upper()), None)
            if req is None or req.expires_at <= time.time():
                return HTMLResponse(_page("Connect a device", "<p role='alert'>Unknown or expired code.</p>"), 400)
            if server.users.get(username) != password or not username:
                return HTMLResponse(_page("Connect a device", "<p role='alert'>Wrong username or password.</p>"),
                                    401)
            if decision != "allow":
                req.denied = True
                return HTMLResponse(_page("Connect a device", "<p>Access denied.</p>"))
            req.grant = Grant(secrets.token_hex(8), username, req.client_id, req.scope)
        return HTMLResponse(_page("Connect a device", "<p>Done: you can close this window.</p>"))

    @app.post("/token")
    async def token(request: Request) -> Response:
        form = await request.form()
        f = {k: str(v) for k, v in form.items()}
        grant_type = f.get("grant_type", "")
        server.token_requests[grant_type] += 1
        if f.get("client_id") not in server.clients:
            return error("invalid_client", "unknown client", 401)
        if grant_type == "authorization_code":
            with server.lock:
                pending = server.codes.pop(f.get("code", ""), None)
            if pending is None or pending.expires_at <= time.time() or pending.grant.client_id != f["client_id"]:
                return error("invalid_grant", "the code is unknown, used or expired")
            if pending.redirect_uri != f.get("redirect_uri"):
                return error("invalid_grant", "redirect_uri differs from the authorization request")
            verifier = f.get("code_verifier", "")
            if not verifier or create_s256_code_challenge(verifier) != pending.challenge:
                return error("invalid_grant", "PKCE verification failed")
            return JSONResponse(server._issue(pending.grant, with_refresh=True))
        if grant_type == "refresh_token":
            refresh = f.get("refresh_token", "")
            tok = server.active(refresh)
            if tok is None or tok.kind != "refresh" or tok.grant.client_id != f["client_id"]:
                return error("invalid_grant", "the refresh token is invalid, expired or revoked")
            if server.rotate_refresh:
                with server.lock:
                    server.tokens.pop(refresh, None)
            out = server._issue(tok.grant, with_refresh=server.rotate_refresh)
            return JSONResponse(out)
        if grant_type == "urn:ietf:params:oauth:grant-type:device_code":
            with server.lock:
                req = server.devices.get(f.get("device_code", ""))
                if req is None or req.client_id != f["client_id"]:
                    return error("invalid_grant", "unknown device code")
                now = time.time()
                if req.expires_at <= now:
                    return error("expired_token", "the device code expired")
                if req.denied:
                    return error("access_denied", "the user denied access")
                if req.grant is None:
                    too_soon = now - req.last_poll < req.interval * 0.8
                    req.last_poll = now
                    return error("slow_down" if too_soon else "authorization_pending", "waiting for the user")
                server.devices.pop(f["device_code"], None)
                grant = req.grant
            return JSONResponse(server._issue(grant, with_refresh=True))
        return error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    @app.post("/revoke")
    def revoke(token: str = Form(""), client_id: str = Form("")) -> Response:
        with server.lock:
            tok = server.tokens.get(token)
            if tok is not None:
                if tok.kind == "refresh":
                    tok.grant.revoked = True
                else:
                    server.tokens.pop(token, None)
        return Response(status_code=200)  # RFC 7009 §2.2: 200 also for an unknown token

    @app.post("/introspect")
    async def introspect(request: Request) -> dict[str, Any]:
        form = await request.form()
        server.introspections += 1
        tok = server.active(str(form.get("token", "")))
        if tok is None:
            return {"active": False}
        g = tok.grant
        return {"active": True, "scope": g.scope, "client_id": g.client_id, "username": g.username,
                "sub": g.username, "token_type": "Bearer" if tok.kind == "access" else "refresh_token",
                "exp": int(tok.expires_at), "iat": int(time.time())}

    @app.get("/userinfo")
    def userinfo(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        tok = server.active(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
        if tok is None or tok.kind != "access":
            return JSONResponse({"error": "invalid_token"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return JSONResponse({"sub": tok.grant.username, "email": tok.grant.username})

    return app


def start_oauth_server() -> tuple[OAuthServer, Callable[[], None]]:
    """The server on a free loopback port, running in a thread; and the function that stops it."""
    try:
        import uvicorn
    except ImportError:
        unavailable("uvicorn is not installed: pip install -e '.[dev]'")
    server = OAuthServer(host="127.0.0.1", port=free_port())
    config = uvicorn.Config(build_app(server), host=server.host, port=server.port, log_level="warning",
                            access_log=False, lifespan="off")
    httpd = uvicorn.Server(config)
    thread = threading.Thread(target=httpd.run, name="oauth-server", daemon=True)
    thread.start()
    wait_for_port(server.port, timeout=30)

    def stop() -> None:
        httpd.should_exit = True
        thread.join(10)

    return server, stop


@pytest.fixture(scope="session")
def oauth_server() -> Iterator[OAuthServer]:
    server, stop = start_oauth_server()
    announce("OAuth 2.0 server (local)", f"{server.issuer} (auth code + PKCE, device code, refresh, "
                                         "revocation, introspection)")
    try:
        yield server
    finally:
        stop()
