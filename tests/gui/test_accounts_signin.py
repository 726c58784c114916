"""The engine's sign-in port (Settings → Accounts → "Sign in with Microsoft"): the system browser signs in
against the local OAuth server, the account is added with its refresh token in the keyring; a withdrawn grant
is reported by Test and "Sign in again" makes the account work again (a Microsoft calendar on the
Graph-shaped API)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.engine import AccountDraft, EngineError, SignInPort
from tests.servers.graph_calendar import GraphCalendar
from tests.servers.oauth import OAuthServer

pytestmark = pytest.mark.integration


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def engine(pa_home: Path, monkeypatch: pytest.MonkeyPatch, oauth_server: OAuthServer) -> Iterator[Any]:
    from app.engine.local import LocalEngine

    monkeypatch.setenv("PA_OAUTH__MICROSOFT_CLIENT_ID", oauth_server.add_client())  # the app's registration
    from app.services import build_services

    eng = LocalEngine(build_services(), speech_output="off", preload=False)
    yield eng
    run(eng.close())


def test_sign_in_test_withdrawn_and_sign_in_again(engine: Any, monkeypatch: pytest.MonkeyPatch,
                                                   oauth_server: OAuthServer, graph_calendar: GraphCalendar) -> None:
    assert isinstance(engine, SignInPort)
    password = oauth_server.add_user("gina@example.test")
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        return oauth_server.browse_sign_in(url, "gina@example.test", password) == 200

    monkeypatch.setattr("webbrowser.open", browser)
    draft = AccountDraft(kind="caldav", name="work-cal", username="gina@example.test",
                         options={"graph_url": graph_calendar.base_url, "oauth_issuer": oauth_server.issuer})
    view = run(engine.sign_in_account(draft, "microsoft"))
    assert view.has_secret and len(opened) == 1
    ok = run(engine.test_account("caldav", "work-cal"))
    assert ok.ok and "valid until" in ok.message and "Microsoft Graph calendar ok" in ok.message

    oauth_server.revoke_user("gina@example.test")
    failed = run(engine.test_account("caldav", "work-cal"))
    assert not failed.ok and "sign in again" in failed.message
    run(engine.sign_in_again("caldav", "work-cal"))
    assert len(opened) == 2 and run(engine.test_account("caldav", "work-cal")).ok

    with pytest.raises(EngineError, match=r"(?i)unknown sign-in provider"):
        run(engine.sign_in_account(draft.model_copy(update={"name": "x"}), "yahoo"))
