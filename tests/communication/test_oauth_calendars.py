"""Calendars with a sign-in: Google's path (CalDAV with a bearer token: Radicale behind a verifying proxy)
and Microsoft's (the Graph-shaped calendar API), both behind the CalendarService protocol; creating an event
through the assistant still waits for the user's yes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.communication.calendar import CalDavCalendarService
from agents.communication.graph_calendar import GraphCalendarService
from agents.communication.models import CalendarServerConfig
from agents.communication.oauth import OAuthClient, OAuthSession, SignInRequired
from agents.deps import CalendarService, ServiceError
from agents.models import NewEvent
from app.cli import common
from app.cli.main import cli
from tests.servers.bearer_proxy import BearerCalDav
from tests.servers.graph_calendar import GraphCalendar
from tests.servers.oauth import OAuthServer
from tests.servers.radicale import RadicaleServer

pytestmark = pytest.mark.integration


def _session(oauth: OAuthServer, provider: str, username: str, scope: str | None = None) -> OAuthSession:
    client = OAuthClient.for_provider(provider, "calendar", oauth.add_client(), issuer=oauth.issuer, timeout_s=10)
    grant = oauth.grant_tokens(username, client.client_id, scope or " ".join(client.scopes))
    return OAuthSession(client, grant["refresh_token"], account="cal")


def _withdraw_access_tokens(oauth: OAuthServer, username: str) -> None:
    with oauth.lock:
        for token in [t for t, v in oauth.tokens.items() if v.kind == "access" and v.grant.username == username]:
            oauth.tokens.pop(token)


def _tomorrow(hour: int) -> datetime:
    day = (datetime.now().astimezone() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return day.replace(hour=hour)


def test_google_caldav_with_a_bearer_token(oauth_server: OAuthServer, radicale_server: RadicaleServer,
                                           bearer_caldav: BearerCalDav) -> None:
    user = radicale_server.add_user("gcal")
    radicale_server.seed_calendar(user, "events", [], display_name="Events")
    session = _session(oauth_server, "google", user.name)
    svc = CalDavCalendarService(CalendarServerConfig(url=bearer_caldav.url, username=user.name, timeout_s=10), "",
                                oauth=session)
    assert isinstance(svc, CalendarService)
    ev = svc.create_event(NewEvent(title="Dentist", start=_tomorrow(10), end=_tomorrow(11)))
    assert [e.title for e in svc.events(_tomorrow(0), _tomorrow(23))] == ["Dentist"]
    refused, refreshes = bearer_caldav.refused, session.refreshes
    _withdraw_access_tokens(oauth_server, user.name)  # the provider withdraws the access token: 401
    svc.delete_event(ev.uid)
    assert bearer_caldav.refused == refused + 1 and session.refreshes == refreshes + 1
    assert svc.events(_tomorrow(0), _tomorrow(23)) == []
    oauth_server.revoke_user(user.name)
    _withdraw_access_tokens(oauth_server, user.name)
    with pytest.raises(SignInRequired, match="sign in again"):
        svc.events(_tomorrow(0), _tomorrow(23))


def test_microsoft_graph_calendar(oauth_server: OAuthServer, graph_calendar: GraphCalendar) -> None:
    session = _session(oauth_server, "microsoft", "megan@example.test")
    svc = GraphCalendarService(session, graph_calendar.base_url, timeout_s=10)
    assert isinstance(svc, CalendarService)
    start = _tomorrow(9)
    for i in range(55):  # more than one page of 50
        svc.create_event(NewEvent(title=f"Slot {i:02d}", start=start + timedelta(minutes=5 * i),
                                  end=start + timedelta(minutes=5 * i + 5)))
    events = svc.events(_tomorrow(0), _tomorrow(23))
    assert [e.title for e in events] == [f"Slot {i:02d}" for i in range(55)]
    assert events[0].start == start and events[0].start.tzinfo is not None
    again = svc.create_event(NewEvent(title="slot 00", start=start, end=start + timedelta(minutes=5)))
    assert again.uid == events[0].uid  # not created twice
    moved = svc.move_event(events[0].uid, _tomorrow(20))
    assert moved.start == _tomorrow(20) and moved.end == _tomorrow(20) + timedelta(minutes=5)
    _withdraw_access_tokens(oauth_server, "megan@example.test")
    svc.delete_event(events[1].uid)  # 401, refreshed once, deleted
    assert len(svc.events(_tomorrow(0), _tomorrow(23))) == 54
    with pytest.raises(ServiceError, match="not found"):
        svc.delete_event("AAMk-nothing")
    no_scope = GraphCalendarService(_session(oauth_server, "microsoft", "megan@example.test", "openid"),
                                    graph_calendar.base_url, timeout_s=10)
    with pytest.raises(ServiceError, match="Access is denied"):
        no_scope.events(_tomorrow(0), _tomorrow(23))


def test_a_graph_calendar_account_creates_an_event_only_after_yes(
        pa_home: Path, monkeypatch: pytest.MonkeyPatch, oauth_server: OAuthServer,
        graph_calendar: GraphCalendar) -> None:
    password = oauth_server.add_user("nina@example.test")
    monkeypatch.setenv("PA_OAUTH__MICROSOFT_CLIENT_ID", oauth_server.add_client())
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("webbrowser.open",
                        lambda url: oauth_server.browse_sign_in(url, "nina@example.test", password) == 200)

    def cli_run(*args: str) -> str:
        common.reset()
        res = CliRunner().invoke(cli, list(args))
        assert res.exit_code == 0, res.output
        return res.output

    out = cli_run("accounts", "add", "work-cal", "--kind", "caldav", "--oauth", "--provider", "microsoft",
                  "--username", "nina@example.test", "-o", f"graph_url={graph_calendar.base_url}",
                  "-o", f"oauth_issuer={oauth_server.issuer}")
    assert "Calendars.ReadWrite" in out
    assert "Microsoft Graph calendar ok" in cli_run("accounts", "test", "work-cal")
    out = cli_run("ask", "schedule lunch with Tom on Friday at 1")
    assert "approval" in out.lower() and not graph_calendar.events.get("nina@example.test")  # nothing yet
    cli_run("ask", "yes")
    [ev] = graph_calendar.events["nina@example.test"].values()
    assert "lunch" in ev["subject"].lower()
