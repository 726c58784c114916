"""The household's accounts from a phone (RemoteEngine over the API, the live server): everyone sees
them without secrets, an admin adds a calendar account (the real Radicale), tests it and removes it;
a user who is no admin, a draft without a password and unknown accounts get one clear line (4xx)."""

from __future__ import annotations

import asyncio

import pytest

from app.engine import AccountDraft, EngineError, NotAvailable
from app.engine.remote import RemoteEngine
from tests.server.live import PASSWORD, LiveServer

pytestmark = pytest.mark.integration


def test_an_admin_adds_tests_and_removes_an_account_from_the_phone(live_server: LiveServer) -> None:
    assert live_server.calendar is not None
    url, cal_user, cal_password = live_server.calendar
    admin = live_server.add_user("admin", admin=True)
    draft = AccountDraft(kind="caldav", name="phone-cal", username=cal_user, secret=cal_password,
                         options={"url": url})

    async def run() -> None:
        phone = await RemoteEngine.sign_in(live_server.url, admin, PASSWORD, "phone", speech_output="off")
        assert (await phone.keyring()).where == "server"
        with pytest.raises(NotAvailable, match="home server"):
            await phone.open_keyring("anything")
        added = await phone.add_account(draft)
        assert (added.kind, added.name, added.has_secret) == ("caldav", "phone-cal", True)
        assert (await phone.test_account("caldav", "phone-cal")).message.startswith("CalDAV login ok")
        with pytest.raises(EngineError, match="exists"):
            await phone.add_account(draft)
        with pytest.raises(EngineError, match="Enter the password"):
            await phone.add_account(draft.model_copy(update={"name": "other", "secret": None}))
        await phone.remove_account("caldav", "phone-cal")
        assert "phone-cal" not in [a.name for a in await phone.accounts()]
        with pytest.raises(EngineError, match="no account named"):
            await phone.remove_account("caldav", "phone-cal")
        with pytest.raises(EngineError, match="no account named"):
            await phone.test_account("mail", "nothing")
        await phone.close()

    asyncio.run(run())


def test_only_an_admin_changes_accounts(live_server: LiveServer) -> None:
    client = live_server.new_client()
    listed = client.http.get("/api/v1/connected-accounts", headers=client.headers)
    assert listed.status_code == 200 and all("secret" not in a for a in listed.json())
    body = {"kind": "caldav", "name": "mine", "username": "me", "secret": "pw", "options": {"url": "http://x.test/"}}
    for method, path, kw in (("POST", "/api/v1/connected-accounts", {"json": body}),
                             ("POST", "/api/v1/connected-accounts/caldav/cal/test", {}),
                             ("DELETE", "/api/v1/connected-accounts/caldav/cal", {})):
        r = client.http.request(method, path, headers=client.headers, **kw)
        assert r.status_code == 403 and "admin" in r.json()["detail"], r.text
    admin = live_server.login(live_server.add_user("admin", admin=True))
    bad = admin.http.post("/api/v1/connected-accounts", headers=admin.headers,
                          json={**body, "options": {"url": "x.test"}})
    assert bad.status_code == 400 and bad.json()["detail"] == "The calendar address starts with https:// (or http://)."
    assert admin.http.post("/api/v1/connected-accounts", headers=admin.headers,
                           json={**body, "port": 0}).status_code == 422
