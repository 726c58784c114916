"""Sign in with Microsoft from a phone through the home server (the live server, the local OAuth server,
the real Dovecot and SMTP server): the phone's ``RemoteEngine`` starts the sign-in on the server, the
phone's browser (an HTTP stand-in: login form, consent, the redirect) answers the provider's pages, the
provider sends it back to the server's callback route, the server keeps the refresh token in its keyring
and the account logs in to IMAP and SMTP with XOAUTH2. A wrong state, a replayed answer, a replayed code
and a refused consent are a 400 and store nothing; only an admin starts a sign-in, and only its starter
reads its outcome."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from app.engine import AccountDraft, EngineError, SignInPort
from app.engine.remote import RemoteEngine
from tests.server.live import PASSWORD, LiveServer
from tests.servers.dovecot import DovecotServer
from tests.servers.oauth import OAuthServer, _form_fields
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration


def consent_redirect(authorize_url: str, username: str, password: str, decision: str = "allow") -> str:
    """The provider's login and consent pages answered like a browser does: the URL it redirects to
    (the home server's callback with the code and the state), not yet followed."""
    base = authorize_url.split("/authorize", 1)[0]
    with httpx.Client(timeout=30, trust_env=False) as http:
        page = http.get(authorize_url).raise_for_status().text
        page = http.post(f"{base}/login", data={**_form_fields(page), "username": username,
                                                 "password": password}).raise_for_status().text
        consent = http.post(f"{base}/consent", data={**_form_fields(page), "decision": decision})
        assert consent.status_code == 302, consent.text
        return str(consent.headers["location"])


def _draft(name: str, dovecot: DovecotServer, smtp: SmtpServer, oauth: OAuthServer, user: Any) -> AccountDraft:
    return AccountDraft(kind="mail", name=name, username=user.name, host="127.0.0.1", port=dovecot.imaps_port,
                        options={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "ca_file": str(dovecot.cert.cert),
                                 "address": user.address, "oauth_issuer": oauth.issuer})


def test_a_phone_signs_in_through_the_home_server(live_server: LiveServer, oauth_server: OAuthServer,
                                                  dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    dovecot_server.enable_oauth2(oauth_server.endpoint("introspect"))
    smtp_server.enable_oauth2(oauth_server.endpoint("introspect"))
    user = dovecot_server.add_user("phone")
    password = oauth_server.add_user(user.name)
    admin = live_server.add_user("admin", admin=True)
    callback = live_server.url + "/api/v1/oauth/callback"
    opened: list[str] = []
    answers: list[int] = []

    async def browser(url: str) -> None:  # the phone's browser: the provider's pages, then back to the server
        opened.append(url)
        location = await asyncio.to_thread(consent_redirect, url, user.name, password)
        assert location.startswith(callback + "?")
        async with httpx.AsyncClient(timeout=60) as http:
            answers.append((await http.get(location)).status_code)
            again = await http.get(location)  # the same answer replayed: refused, nothing changes
            assert again.status_code == 400 and "used already" in again.text

    async def run() -> None:
        phone = await RemoteEngine.sign_in(live_server.url, admin, PASSWORD, "phone", speech_output="off")
        assert isinstance(phone, SignInPort)
        phone.open_url, phone.sign_in_poll_s = browser, 0.2
        view = await phone.sign_in_account(_draft("phone-work", dovecot_server, smtp_server, oauth_server, user),
                                           "microsoft")
        assert (view.kind, view.name, view.has_secret) == ("mail", "phone-work", True) and answers == [200]
        query = httpx.URL(opened[0]).params
        assert query["redirect_uri"] == callback and query["code_challenge_method"] == "S256"
        checked = await phone.test_account("mail", "phone-work")  # the server logs in with XOAUTH2
        assert checked.ok and "valid until" in checked.message and "login ok" in checked.message, checked.message
        assert user.name in smtp_server.oauth_logins

        # the grant is withdrawn: Test says so; "sign in again" from the phone makes it work again
        oauth_server.revoke_user(user.name)
        failed = await phone.test_account("mail", "phone-work")
        assert not failed.ok and "sign in again" in failed.message
        await phone.sign_in_again("mail", "phone-work")
        assert len(opened) == 2 and (await phone.test_account("mail", "phone-work")).ok

        with pytest.raises(EngineError, match="exists already"):
            await phone.sign_in_account(_draft("phone-work", dovecot_server, smtp_server, oauth_server, user),
                                        "microsoft")
        with pytest.raises(EngineError, match=r"(?i)unknown sign-in provider"):
            await phone.sign_in_account(_draft("x", dovecot_server, smtp_server, oauth_server, user), "yahoo")
        assert len(opened) == 2  # refused before any browser opened
        await phone.close()

    asyncio.run(run())
    # no token the provider issued is in a file the server wrote (database, logs, settings)
    issued = [t for t, v in oauth_server.tokens.items() if v.grant.username == user.name]
    assert issued
    for f in (p for p in live_server.home.rglob("*") if p.is_file()):
        data = f.read_bytes()
        assert not any(t.encode() in data for t in issued), f"a token is in {f}"


def test_bad_answers_store_nothing(live_server: LiveServer, oauth_server: OAuthServer,
                                   dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    user = dovecot_server.add_user("phonebad")
    password = oauth_server.add_user(user.name)
    admin = live_server.login(live_server.add_user("admin", admin=True))
    other = live_server.new_client()

    def start(name: str) -> dict[str, Any]:
        body = {"provider": "microsoft",
                "draft": _draft(name, dovecot_server, smtp_server, oauth_server, user).model_dump(mode="json")}
        r = admin.http.post("/api/v1/oauth/sign-ins", headers=admin.headers, json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def outcome(started: dict[str, Any], client: Any = admin) -> httpx.Response:
        return client.http.get(f"/api/v1/oauth/sign-ins/{started['id']}", headers=client.headers)

    def names() -> list[str]:
        return [a["name"] for a in admin.http.get("/api/v1/connected-accounts", headers=admin.headers).json()]

    # a wrong state (and none at all): 400, no page of ours leaks anything
    for query in ({"state": "not-a-sign-in", "code": "x"}, {}):
        r = admin.http.get("/api/v1/oauth/callback", params=query)
        assert r.status_code == 400 and "nothing was stored" in r.text
    # the first sign-in's code, replayed with a second sign-in's state: the provider refuses it
    first = start("bad-one")
    location = httpx.URL(consent_redirect(first["authorize_url"], user.name, password))
    assert admin.http.get("/api/v1/oauth/callback", params={"state": "wrong", "code": location.params["code"]}) \
        .status_code == 400
    assert outcome(first).json()["status"] == "waiting"  # a wrong state does not touch a waiting sign-in
    assert admin.http.get(str(location)).status_code == 200
    assert outcome(first).json()["status"] == "done"
    second = start("bad-two")
    state = httpx.URL(second["authorize_url"]).params["state"]
    r = admin.http.get("/api/v1/oauth/callback", params={"state": state, "code": location.params["code"]})
    assert r.status_code == 400 and "nothing was stored" in r.text
    failed = outcome(second).json()
    assert failed["status"] == "failed" and "sign in again" in failed["message"] and failed["account"] is None
    # a refused consent
    third = start("bad-three")
    denied = consent_redirect(third["authorize_url"], user.name, password, decision="deny")
    assert admin.http.get(denied).status_code == 400
    assert outcome(third).json()["status"] == "failed"
    assert "bad-one" in names() and "bad-two" not in names() and "bad-three" not in names()

    # only an admin starts one; only its starter reads it; bad input is one line (4xx)
    draft = {"kind": "mail", "name": "mine", "username": user.name}
    body: dict[str, Any] = {"provider": "microsoft", "draft": draft}
    r = other.http.post("/api/v1/oauth/sign-ins", headers=other.headers, json=body)
    assert r.status_code == 403 and "admin" in r.json()["detail"]
    assert outcome(first, other).status_code == 404
    for bad, code, words in (({**body, "provider": "yahoo"}, 400, "unknown sign-in provider"),
                             ({**body, "draft": {**draft, "kind": "smb"}}, 400, "mail and caldav"),
                             ({**body, "draft": {**draft, "username": " "}}, 400, "address is needed")):
        r = admin.http.post("/api/v1/oauth/sign-ins", headers=admin.headers, json=bad)
        assert r.status_code == code and words in r.json()["detail"].lower(), r.text
    r = admin.http.post("/api/v1/oauth/sign-ins/again", headers=admin.headers, json={"kind": "mail", "name": "nobody"})
    assert r.status_code == 404
    r = admin.http.post("/api/v1/oauth/sign-ins/again", headers=admin.headers, json={"kind": "caldav", "name": "cal"})
    assert r.status_code == 400 and "password" in r.json()["detail"]
