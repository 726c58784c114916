"""End to end through `personal-agent ask` (local intent path) with accounts on the real servers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from tests.servers.dovecot import DovecotServer
from tests.servers.radicale import RadicaleServer
from tests.servers.smtp import SmtpServer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _cli(*args: str, stdin: str | None = None) -> str:
    from app.cli.main import cli

    res = CliRunner().invoke(cli, list(args), input=stdin)
    assert res.exit_code == 0, res.output
    return res.output


def test_calendar_and_mail_questions(radicale_server: RadicaleServer, dovecot_server: DovecotServer,
                                     smtp_server: SmtpServer) -> None:
    cal_user = radicale_server.add_user()
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y%m%d")
    radicale_server.seed_calendar(cal_user, "personal", [
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e2e-1@t\r\n"
        f"DTSTAMP:20260101T000000Z\r\nDTSTART:{tomorrow}T100000\r\nDTEND:{tomorrow}T110000\r\n"
        "SUMMARY:Dentist appointment\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"], display_name="Personal")
    me = dovecot_server.add_user("me")
    dovecot_server.deliver(me, b"From: Anna Schmidt <anna@example.org>\r\nSubject: Running late\r\n"
                               b"Message-ID: <e2e-anna@x>\r\n\r\nSee you at 8\r\n")
    _cli("accounts", "add", "cal", "--kind", "caldav", "--username", cal_user.name, "-o",
         f"url={radicale_server.url}", "--password-stdin", stdin=cal_user.password + "\n")
    _cli("accounts", "add", "mail", "--kind", "mail", "--username", me.name, "--host", "127.0.0.1", "--port",
         str(dovecot_server.imaps_port), "-o", "security=ssl", "-o", "smtp_host=127.0.0.1", "-o",
         f"smtp_port={smtp_server.port}", "-o", "smtp_security=starttls", "-o", f"address={me.address}", "-o",
         f"ca_file={dovecot_server.cert.cert}", "--password-stdin", stdin=me.password + "\n")
    assert "Dentist appointment" in _cli("ask", "what's on my calendar tomorrow")
    out = _cli("ask", "any new mail from Anna?")
    assert "Running late" in out


def test_schedule_lunch_needs_approval_then_exists(radicale_server: RadicaleServer) -> None:
    cal_user = radicale_server.add_user()
    radicale_server.seed_calendar(cal_user, "personal", [], display_name="Personal")
    _cli("accounts", "add", "cal", "--kind", "caldav", "--username", cal_user.name, "-o",
         f"url={radicale_server.url}", "--password-stdin", stdin=cal_user.password + "\n")
    from agents.communication.calendar import CalDavCalendarService
    from agents.communication.models import CalendarServerConfig

    svc = CalDavCalendarService(CalendarServerConfig(url=radicale_server.url, username=cal_user.name),
                                cal_user.password)
    now = datetime.now().astimezone()
    week = (now, now + timedelta(days=8))
    out = _cli("ask", "schedule lunch with Tom on Friday at 1")
    assert "approval" in out.lower() and svc.events(*week) == []  # nothing before the yes
    out = _cli("ask", "yes")
    [ev] = svc.events(*week)
    assert "lunch" in ev.title.lower() and ev.start.weekday() == 4 and ev.start.hour == 13


def test_mail_answers_name_the_newest_mail_once(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    """Issue 18: the unread answer said the newest mail and listed it again below ("Bob: Lunch?" twice)."""
    me = dovecot_server.add_user("me")
    now = datetime.now().astimezone()
    for i, (sender, subject) in enumerate([("Bob Meyer <bob@example.org>", "Quarterly numbers"),
                                           ("Anna Schmidt <anna@example.org>", "Train tickets"),
                                           ("Anna Schmidt <anna@example.org>", "Running late")]):
        raw = (f"From: {sender}\r\nSubject: {subject}\r\nMessage-ID: <twice-{i}@x>\r\n\r\nBody {i}\r\n").encode()
        dovecot_server.deliver(me, raw, when=now - timedelta(hours=3 - i))  # the last one is the newest
    _cli("accounts", "add", "mail", "--kind", "mail", "--username", me.name, "--host", "127.0.0.1", "--port",
         str(dovecot_server.imaps_port), "-o", "security=ssl", "-o", "smtp_host=127.0.0.1", "-o",
         f"smtp_port={smtp_server.port}", "-o", "smtp_security=starttls", "-o", f"address={me.address}", "-o",
         f"ca_file={dovecot_server.cert.cert}", "--password-stdin", stdin=me.password + "\n")
    unread = _cli("ask", "any unread emails")
    assert "3 unread" in unread and "Latest from Anna Schmidt: Running late" in unread, unread
    for subject in ("Running late", "Train tickets", "Quarterly numbers"):
        assert unread.count(subject) == 1, unread
    from_anna = _cli("ask", "any new mail from Anna?")
    # the newest is read out with its text (quoted), the other one listed
    assert "Latest: Anna Schmidt wrote on" in from_anna and "“Running late”: “Body 2”" in from_anna, from_anna
    assert from_anna.count("Running late") == 1 and from_anna.count("Train tickets") == 1, from_anna
