"""OAuth 2.0 sign-in and token handling against the local authorization server, and mail with SASL
XOAUTH2 against the real Dovecot (its ``oauth2`` passdb asks the server's introspection endpoint) and the
SMTP server (which asks it too)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import imapclient
import pytest
from imapclient.exceptions import LoginError

from agents.communication.mail import ImapMailService
from agents.communication.oauth import (
    DeviceCode,
    OAuthClient,
    OAuthFailure,
    OAuthSession,
    SignInRequired,
    revoke,
    sign_in_browser,
    sign_in_device,
)
from agents.models import MailQuery, OutgoingMail
from tests.communication.conftest import mail_config
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.oauth import OAuthServer
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration


@pytest.fixture
def oauth(oauth_server: OAuthServer) -> Iterator[OAuthServer]:
    """The session server with its default lifetimes back after each test."""
    yield oauth_server
    oauth_server.access_lifetime_s = 3600.0
    oauth_server.rotate_refresh = False


def client_for(server: OAuthServer, provider: str = "microsoft") -> OAuthClient:
    return OAuthClient.for_provider(provider, "mail", server.add_client(), issuer=server.issuer, timeout_s=10)


def test_browser_sign_in_with_pkce_and_loopback_redirect(oauth: OAuthServer) -> None:
    client = client_for(oauth, "google")
    password = oauth.add_user("ada@example.test")
    seen: list[str] = []

    def browser(url: str) -> None:
        seen.append(url)
        assert oauth.browse_sign_in(url, "ada@example.test", password) == 200

    tokens = sign_in_browser(client, open_browser=browser, timeout_s=30)
    query = httpx.URL(seen[0]).params
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert query["redirect_uri"].startswith("http://127.0.0.1:") and query["access_type"] == "offline"
    assert tokens.refresh_token and oauth.active(tokens.access_token) is not None
    assert tokens.scopes == ("https://mail.google.com/",)
    assert "at-" not in repr(tokens)  # the repr hides the tokens


def test_denied_consent_and_a_wrong_verifier_store_nothing(oauth: OAuthServer) -> None:
    client = client_for(oauth)
    password = oauth.add_user("bob@example.test")
    with pytest.raises(OAuthFailure, match="access_denied"):
        sign_in_browser(client, lambda url: oauth.browse_sign_in(url, "bob@example.test", password, "deny"),
                        timeout_s=30)
    # the server itself refuses a code redeemed with another verifier (PKCE)
    redirect = "http://127.0.0.1:9/callback"
    with client.http(redirect_uri=redirect, code_challenge_method="S256") as http:
        url, _state = http.create_authorization_url(client.authorize_url, code_verifier="a" * 64, state="s")
    with httpx.Client(trust_env=False, timeout=30) as browser:
        fields = dict(httpx.URL(url).params)
        page = browser.post(oauth.endpoint("login"), data={**fields, "username": "bob@example.test",
                                                            "password": password})
        assert page.status_code == 200
        consent = browser.post(oauth.endpoint("consent"), data={**fields, "username": "bob@example.test",
                                                                 "decision": "allow"})
        code = httpx.URL(consent.headers["location"]).params["code"]
        reply = browser.post(oauth.endpoint("token"), data={
            "grant_type": "authorization_code", "code": code, "client_id": client.client_id,
            "redirect_uri": redirect, "code_verifier": "b" * 64})
    assert reply.status_code == 400 and reply.json()["error"] == "invalid_grant"


def test_device_code_sign_in(oauth: OAuthServer) -> None:
    client = client_for(oauth)
    password = oauth.add_user("dev@example.test")
    shown: list[DeviceCode] = []
    polls: list[float] = []

    def show(code: DeviceCode) -> None:
        shown.append(code)

    def sleep(seconds: float) -> None:  # the user approves after the first poll said "pending"
        polls.append(seconds)
        time.sleep(min(seconds, 1.0))
        if len(polls) == 2:
            oauth.approve_device(shown[0].user_code, "dev@example.test", password)

    tokens = sign_in_device(client, show, sleep=sleep)
    assert shown[0].verification_uri.endswith("/device") and shown[0].user_code
    assert tokens.refresh_token and oauth.active(tokens.access_token) is not None and len(polls) >= 2


def test_refresh_before_expiry_rotation_and_revocation_without_a_loop(oauth: OAuthServer) -> None:
    client = client_for(oauth)
    oauth.access_lifetime_s = 2
    oauth.rotate_refresh = True
    grant = oauth.grant_tokens("eve@example.test", client.client_id, " ".join(client.scopes))
    saved: list[str] = []
    session = OAuthSession(client, grant["refresh_token"], saved.append, account="work",
                           load_refresh=lambda: saved[-1] if saved else grant["refresh_token"])  # "the keyring"
    first = session.access_token()
    assert session.access_token() == first and session.refreshes == 1  # held while valid
    deadline = time.monotonic() + 10
    while oauth.active(first) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    second = session.access_token()
    assert second != first and session.refreshes == 2 and oauth.active(second) is not None
    assert len(saved) == 2 and saved[-1] != grant["refresh_token"]  # rotated tokens go to the keyring
    state = session.state()
    assert state.signed_in and state.refresh_ok and "valid until" in state.describe()
    assert second not in state.describe() and saved[-1] not in state.describe()

    assert revoke(client, saved[-1]) is True
    before = sum(oauth.token_requests.values())
    with pytest.raises(SignInRequired, match="sign in again"):
        session.access_token(force=True)
    with pytest.raises(SignInRequired):
        session.access_token()
    assert sum(oauth.token_requests.values()) == before + 1  # the second call did not ask again
    assert session.needs_sign_in and "sign in again" in session.state().describe()
    # a new sign-in elsewhere (the command line, the GUI) puts a new refresh token into the keyring: the
    # running session takes it up at its next use, no restart
    saved.append(oauth.grant_tokens("eve@example.test", client.client_id, " ".join(client.scopes))["refresh_token"])
    assert oauth.active(session.access_token()) is not None and not session.needs_sign_in


@dataclass
class OAuthMail:
    service: ImapMailService
    session: OAuthSession
    user: MailUser
    anna: MailUser


@pytest.fixture
def oauth_mail(oauth: OAuthServer, dovecot_server: DovecotServer,
               smtp_server: SmtpServer) -> Iterator[OAuthMail]:
    dovecot_server.enable_oauth2(oauth.endpoint("introspect"))
    smtp_server.enable_oauth2(oauth.endpoint("introspect"))
    me, anna = dovecot_server.add_user("oauth"), dovecot_server.add_user("anna")
    client = client_for(oauth)
    grant = oauth.grant_tokens(me.name, client.client_id, " ".join(client.scopes))
    session = OAuthSession(client, grant["refresh_token"], account="work")
    # the password is wrong on purpose: only the token can log in
    service = ImapMailService(mail_config(dovecot_server, smtp_server, me), "not-the-password", oauth=session)
    yield OAuthMail(service, session, me, anna)
    service.close()


def test_imap_and_smtp_log_in_with_xoauth2(oauth_mail: OAuthMail, dovecot_server: DovecotServer,
                                           smtp_server: SmtpServer, oauth: OAuthServer) -> None:
    svc, me = oauth_mail.service, oauth_mail.user
    dovecot_server.deliver(me, b"From: a@example.org\r\nSubject: hello token\r\n\r\nbody\r\n")
    assert [m.subject for m in svc.search(MailQuery(limit=5))] == ["hello token"]
    result = svc.send(OutgoingMail(to=[oauth_mail.anna.address], subject="sent with a token", body="hi"))
    assert result.ok and me.name in smtp_server.oauth_logins
    assert "login ok" in svc.check_login()
    # another user's token is refused by Dovecot (the introspected username must match)
    other = oauth.grant_tokens(oauth_mail.anna.name, oauth_mail.session.client.client_id, "x")
    conn = imapclient.IMAPClient("127.0.0.1", dovecot_server.imaps_port,
                                 ssl_context=dovecot_server.cert.client_context(), timeout=10)
    with pytest.raises(LoginError):
        conn.oauth2_login(me.name, other["access_token"])


def test_a_withdrawn_access_token_is_refreshed_once_and_expiry_mid_session(
        oauth_mail: OAuthMail, oauth: OAuthServer, dovecot_server: DovecotServer) -> None:
    svc, session = oauth_mail.service, oauth_mail.session
    svc.folders()
    refreshes = session.refreshes
    with oauth.lock:  # the provider withdraws the access token before its expiry: the servers say 401
        for token in [t for t, v in oauth.tokens.items() if v.kind == "access" and v.grant.username == oauth_mail.user.name]:
            oauth.tokens.pop(token)
    svc.close()
    svc.folders()  # a new login: refused once, refreshed once, logged in
    assert session.refreshes == refreshes + 1
    # short-lived tokens: the next login after expiry refreshes first, the user notices nothing
    oauth.access_lifetime_s = 2
    session.access_token(force=True)
    held = session.access_token()
    deadline = time.monotonic() + 10
    while oauth.active(held) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    svc.close()
    assert svc.folders() and session.access_token() != held
    result = svc.send(OutgoingMail(to=[oauth_mail.anna.address], subject="after expiry", body="hi"))
    assert result.ok


def test_a_revoked_grant_gives_one_sentence_and_no_loop(oauth_mail: OAuthMail, oauth: OAuthServer) -> None:
    from agents.deps import ServiceError

    svc = oauth_mail.service
    svc.folders()
    oauth.revoke_user(oauth_mail.user.name)
    svc.close()
    before = sum(oauth.token_requests.values())
    with pytest.raises(ServiceError, match="sign in again") as first:
        svc.folders()
    with pytest.raises(ServiceError, match="sign in again"):
        svc.send(OutgoingMail(to=[oauth_mail.anna.address], subject="x", body="y"))
    assert sum(oauth.token_requests.values()) == before + 1
    assert "\n" not in str(first.value) and "rt-" not in str(first.value) and "at-" not in str(first.value)
