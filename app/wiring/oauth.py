"""OAuth 2.0 accounts: the sign-in clients from the settings and the keyring, the token sessions of the
account records (``options.auth = "oauth2"``).

An OAuth account keeps in its record ``options.provider`` (google | microsoft), ``options.scopes`` (what
was granted, not secret) and, for a self-hosted identity provider or the tests' server,
``options.oauth_issuer``; its keyring secret is the refresh token, which a rotation replaces. Access tokens
live in the process's memory only. Google's client secret (Google issues one to desktop apps too) is the
keyring entry ``oauth-client/google``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agents.communication.oauth import (
    PROVIDERS,
    DeviceCode,
    OAuthClient,
    OAuthFailure,
    OAuthSession,
    Purpose,
    Tokens,
    sign_in_browser,
    sign_in_device,
)
from app import secrets

if TYPE_CHECKING:
    from app.accounts import AccountIn
    from app.settings import Settings

CLIENT_SECRET_KIND = "oauth-client"
_PURPOSE: dict[str, Purpose] = {"mail": "mail", "caldav": "calendar", "graph": "calendar"}
_sessions: dict[tuple[str, str], OAuthSession] = {}
_lock = threading.Lock()


def is_oauth(acc: AccountIn) -> bool:
    return str(acc.options.get("auth", "")).lower() == "oauth2"


def client_for(settings: Settings, provider: str, kind: str, issuer: str | None = None,
               timeout_s: float = 20.0) -> OAuthClient:
    """The sign-in client of a provider for an account kind (``OAuthFailure`` with one line when the app
    is not registered: no client id set)."""
    name = provider.lower()
    if name not in PROVIDERS:
        raise OAuthFailure(f"unknown sign-in provider '{provider}': choose one of {', '.join(PROVIDERS)}")
    purpose = _PURPOSE.get(kind)
    if purpose is None:
        raise OAuthFailure(f"a {kind} account has no sign-in with {PROVIDERS[name].name}: use mail or caldav")
    client_id = settings.oauth.google_client_id if name == "google" else settings.oauth.microsoft_client_id
    client_secret = secrets.get_secret(CLIENT_SECRET_KIND, name) if name == "google" else None
    return OAuthClient.for_provider(name, purpose, client_id, client_secret=client_secret,
                                    tenant=settings.oauth.microsoft_tenant, issuer=issuer, timeout_s=timeout_s)


def account_client(settings: Settings, acc: AccountIn, timeout_s: float = 20.0) -> OAuthClient:
    return client_for(settings, str(acc.options.get("provider", "")), acc.kind,
                      acc.options.get("oauth_issuer") or None, timeout_s)


def session_for(settings: Settings, acc: AccountIn, refresh_token: str, *, shared: bool = True,
                timeout_s: float = 20.0) -> OAuthSession:
    """The token session of an OAuth account; ``shared``: one per account in this process (the services
    and the GUI use the same access token); a rotated refresh token goes back to the keyring, and a new
    sign-in's refresh token (``accounts signin``, the GUI) is read from there once the old grant is gone."""
    key = (acc.kind, acc.name)
    with _lock:
        if shared and key in _sessions:
            return _sessions[key]
        session = OAuthSession(account_client(settings, acc, timeout_s), refresh_token,
                               lambda token: secrets.set_secret(acc.kind, acc.name, token), account=acc.name,
                               load_refresh=lambda: secrets.get_secret(acc.kind, acc.name))
        if shared:
            _sessions[key] = session
        return session


def sign_in_record(kind: str, name: str, username: str, provider: str, host: str | None = None,
                   port: int | None = None, options: dict[str, Any] | None = None) -> AccountIn:
    """The checked record of an account that signs in with ``provider`` (its refresh token will be the
    secret). ``OAuthFailure`` with one line for what does not fit; pydantic's ValidationError for a bad field."""
    from app.accounts import AccountIn

    name_lc = provider.lower()
    if name_lc not in PROVIDERS:
        raise OAuthFailure(f"unknown sign-in provider '{provider}': choose one of {' or '.join(PROVIDERS)}")
    if kind not in _PURPOSE or kind == "graph":
        raise OAuthFailure(f"sign-in is for mail and caldav (calendar) accounts, not {kind}")
    if not username.strip():
        raise OAuthFailure("the account's address is needed, e.g. you@example.com")
    preset = {"preset": PROVIDERS[name_lc].mail_preset} if kind == "mail" or name_lc == "google" else {}
    merged = {**preset, **({"address": username} if kind == "mail" else {}), **(options or {}),
              "auth": "oauth2", "provider": name_lc}
    return AccountIn(name=name, kind=kind, username=username, host=host, port=port, options=merged)


def sign_in(client: OAuthClient, device_code: bool, show_code: Callable[[DeviceCode], Any],
            open_browser: Callable[[str], Any]) -> Tokens:
    """The browser sign-in (PKCE, loopback redirect) or the device code (``device_code``)."""
    if device_code:
        return sign_in_device(client, show_code)
    return sign_in_browser(client, open_browser)


def forget_session(acc: AccountIn) -> None:
    """After a new sign-in or a removal: the next use builds a session from the keyring again."""
    with _lock:
        _sessions.pop((acc.kind, acc.name), None)
