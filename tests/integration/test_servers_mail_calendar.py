"""One real round trip through each mail/calendar test server (Dovecot, SMTP, Radicale)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import imapclient
import pytest
from caldav.davclient import DAVClient
from caldav.lib.error import AuthorizationError

from tests.servers.dovecot import DovecotServer
from tests.servers.radicale import RadicaleServer
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration


def test_dovecot_imap_login_search_and_fetch(dovecot_server: DovecotServer) -> None:
    user = dovecot_server.add_user("anna")
    dovecot_server.deliver(user, b"From: Tom <tom@example.org>\r\nSubject: Hallo\r\n\r\nErster Text\r\n")
    dovecot_server.deliver(user, b"From: Eve <eve@example.org>\r\nSubject: Other\r\n\r\nzweiter\r\n", seen=True)
    with imapclient.IMAPClient(dovecot_server.host, dovecot_server.imaps_port,
                               ssl_context=dovecot_server.cert.client_context(), timeout=10) as c:
        c.login(user.name, user.password)
        folders = {f[2] for f in c.list_folders()}
        assert {"INBOX", "Sent", "Archive", "Trash"} <= folders
        c.select_folder("INBOX")
        assert len(c.search(["ALL"])) == 2
        unseen = c.search(["UNSEEN"])
        assert len(unseen) == 1
        body = c.fetch(unseen, ["BODY.PEEK[]"])[unseen[0]][b"BODY[]"]
        assert b"Erster Text" in body
    with imapclient.IMAPClient(dovecot_server.host, dovecot_server.imap_port, ssl=False, timeout=10) as c:
        c.starttls(dovecot_server.cert.client_context())
        with pytest.raises(imapclient.exceptions.LoginError):
            c.login(user.name, "wrong password")


def test_smtp_submission_arrives_in_recipients_imap_inbox(dovecot_server: DovecotServer,
                                                          smtp_server: SmtpServer) -> None:
    anna, tom = dovecot_server.add_user("anna"), dovecot_server.add_user("tom")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = anna.address, f"{tom.address}, bob@elsewhere.org", "Grüße"
    msg.set_content("Bis morgen!")
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as s:
        s.starttls(context=dovecot_server.cert.client_context())
        s.login(anna.name, anna.password)
        s.send_message(msg)
    assert [e.login for e in smtp_server.messages_to(tom.address)] == [anna.name]
    assert any("bob@elsewhere.org" in e.rcpt_tos for e in smtp_server.relayed)
    with imapclient.IMAPClient(dovecot_server.host, dovecot_server.imaps_port,
                               ssl_context=dovecot_server.cert.client_context(), timeout=10) as c:
        c.login(tom.name, tom.password)
        c.select_folder("INBOX", readonly=True)
        ids = c.search(["SUBJECT", "Grüße"], charset="UTF-8")
        assert len(ids) == 1
        raw = c.fetch(ids, ["RFC822"])[ids[0]][b"RFC822"]
        assert b"Bis morgen!" in raw and raw.startswith(b"Return-Path: <" + anna.address.encode())
    with smtplib.SMTP_SSL(smtp_server.host, smtp_server.ssl_port, context=dovecot_server.cert.client_context(),
                          timeout=10) as s, pytest.raises(smtplib.SMTPAuthenticationError):
        s.login(anna.name, "wrong")


def test_radicale_caldav_create_and_find_event(radicale_server: RadicaleServer) -> None:
    user = radicale_server.add_user()
    with DAVClient(url=radicale_server.url, username=user.name, password=user.password, timeout=10) as client:
        principal = client.principal()
        cal = principal.make_calendar(name="Personal", cal_id="personal")
        start = datetime(2030, 5, 6, 12, 0, tzinfo=UTC)
        cal.add_event(dtstart=start, dtend=start + timedelta(hours=1), summary="Lunch with Tom", uid="lunch-1")
        found = cal.search(start=start - timedelta(days=1), end=start + timedelta(days=1), event=True)
        assert [str(e.component["summary"]) for e in found] == ["Lunch with Tom"]
        assert [c.name for c in principal.calendars()] == ["Personal"]
    with pytest.raises(AuthorizationError), DAVClient(
            url=radicale_server.url, username=user.name, password="wrong", timeout=10) as bad:
        bad.principal()
