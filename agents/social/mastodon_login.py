"""Mastodon's OAuth login (authorization code, out of band): the app registered on the user's server
(``POST /api/v1/apps`` through ``Mastodon.create_app``), the authorize address the user opens in a browser,
and the code the server shows there exchanged for an access token (``Mastodon.log_in``). The token is the
caller's to keep (the keyring); nothing here stores or logs a secret. Plain ``http://`` only for a server on
this machine (a test server): anywhere else a token must not travel unencrypted."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from agents.deps import ServiceError

OOB = "urn:ietf:wg:oauth:2.0:oob"  # the server shows the code instead of redirecting
SCOPES = ["read", "write"]
APP_NAME = "Personal Agent"


@dataclass(frozen=True)
class MastodonApp:
    """This app as registered on one server (the client secret is only needed until the token is issued)."""

    base_url: str
    client_id: str
    client_secret: str


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_base(base_url: str) -> tuple[str, bool]:
    """The server's address without a trailing slash, and whether plain http is allowed (loopback only);
    ValueError with one line otherwise."""
    base = base_url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("the Mastodon server's address should look like https://mastodon.social")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ValueError("the Mastodon server's address must start with https:// (a sign-in is never sent "
                         "unencrypted)")
    return base, parts.scheme == "http"


def _failed(what: str, exc: Exception) -> ServiceError:
    from mastodon.errors import MastodonNetworkError

    if isinstance(exc, MastodonNetworkError):
        return ServiceError(f"cannot reach the Mastodon server ({what})")
    first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return ServiceError(f"the Mastodon server refused {what}: {first}")


def register_app(base_url: str, timeout_s: float = 15.0) -> MastodonApp:
    """Register this app on the server (a new client id for each sign-in, as Mastodon's own apps do)."""
    from mastodon import Mastodon
    from mastodon.errors import MastodonError

    base, _ = checked_base(base_url)
    try:
        client_id, client_secret = Mastodon.create_app(APP_NAME, scopes=SCOPES, redirect_uris=OOB,
                                                       api_base_url=base, request_timeout=timeout_s)
    except MastodonError as exc:
        raise _failed("the app registration", exc) from None
    return MastodonApp(base_url=base, client_id=client_id, client_secret=client_secret)


def _api(app: MastodonApp, timeout_s: float) -> object:
    from mastodon import Mastodon

    return Mastodon(client_id=app.client_id, client_secret=app.client_secret, api_base_url=app.base_url,
                    request_timeout=timeout_s, version_check_mode="none")


def authorize_url(app: MastodonApp, timeout_s: float = 15.0) -> str:
    """The address the user opens to allow this app (the server then shows a code)."""
    from mastodon.errors import MastodonError

    _, allow_http = checked_base(app.base_url)
    try:
        url: str = _api(app, timeout_s).auth_request_url(  # type: ignore[attr-defined]
            redirect_uris=OOB, scopes=SCOPES, skip_server_info=True, allow_http=allow_http)
    except MastodonError as exc:
        raise _failed("the sign-in address", exc) from None
    return url


def exchange_code(app: MastodonApp, code: str, timeout_s: float = 15.0) -> str:
    """The access token for the code the user copied (ServiceError with one line, never the code)."""
    from mastodon.errors import MastodonError

    code = code.strip()
    if not code:
        raise ValueError("no authorization code was given")
    _, allow_http = checked_base(app.base_url)
    try:
        token: str = _api(app, timeout_s).log_in(  # type: ignore[attr-defined]
            code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=allow_http)
    except MastodonError as exc:
        if "Network" in type(exc).__name__:
            raise _failed("the authorization code", exc) from None
        # the server's message may repeat the code: not shown
        raise ServiceError("the Mastodon server did not accept the authorization code (copy it again, whole, "
                           "or start the sign-in again)") from None
    return token
