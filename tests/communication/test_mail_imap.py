"""The mail service against real Dovecot (seeded with 58 messages) and the real SMTP server."""

from __future__ import annotations

import email
from datetime import UTC, datetime

import imapclient
import pytest

from agents.communication.mail import ImapMailService
from agents.communication.models import MailSearch
from agents.deps import MailService
from agents.models import MailQuery, OutgoingMail
from tests.communication.conftest import SeededMailbox
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration


def _imap(dovecot: DovecotServer, user: MailUser) -> imapclient.IMAPClient:
    c = imapclient.IMAPClient("127.0.0.1", dovecot.imaps_port, ssl_context=dovecot.cert.client_context(), timeout=10)
    c.login(user.name, user.password)
    return c


def test_service_satisfies_the_agents_protocol(seeded_mailbox: SeededMailbox) -> None:
    assert isinstance(seeded_mailbox.service, MailService)


def test_search_by_sender_unread_text_and_date_runs_on_the_server(seeded_mailbox: SeededMailbox) -> None:
    svc = seeded_mailbox.service
    from_tom = svc.search(MailQuery(sender="Tom", limit=200))
    expected = sum(1 for s in seeded_mailbox.seeds if b"tom@example.net" in s.raw.split(b"\r\n\r\n")[0])
    assert len(from_tom) == expected and all(m.sender == "tom@example.net" for m in from_tom)
    assert [m.date for m in from_tom] == sorted((m.date for m in from_tom), reverse=True)
    unread_anna = svc.search(MailQuery(sender="anna@example.org", unread_only=True, limit=200))
    assert unread_anna and all(m.unread for m in unread_anna)
    budget = svc.search_full(MailSearch(text="budget", limit=200))
    assert len(budget) == 10 and all("budget" in m.snippet for m in budget)
    window = svc.search_full(MailSearch(since=datetime(2026, 11, 3, tzinfo=UTC), before=datetime(2026, 11, 5, tzinfo=UTC),
                                        limit=200))
    assert window and all(datetime(2026, 11, 3, tzinfo=UTC) <= m.date < datetime(2026, 11, 5, tzinfo=UTC) for m in window)
    umlaut = svc.search_full(MailSearch(subject="Grüße", limit=5))
    assert [m.subject for m in umlaut] == ["Grüße aus Köln"]
    assert svc.search(MailQuery(limit=3)) and len(svc.search(MailQuery(limit=3))) == 3


def test_fetch_does_not_mark_read_and_parses_nasty_messages(seeded_mailbox: SeededMailbox) -> None:
    svc = seeded_mailbox.service
    [summary] = svc.search_full(MailSearch(subject="Falsches Charset"))
    assert summary.unread
    full = svc.get(summary.id)
    assert "Brücke" in full.body and full.sender_name == "Anna Schmidt"
    assert svc.get(summary.id).unread  # BODY.PEEK: still unread
    [html] = svc.search_full(MailSearch(subject="Angebote"))
    assert "Alles & mehr" in svc.get(html.id).body
    for subject in ("Cut off", "Unknown charset"):
        [m] = svc.search_full(MailSearch(subject=subject))
        assert svc.get(m.id).body
    broken = [m for m in svc.search(MailQuery(limit=200)) if m.subject.startswith("not base64") or "broken" in m.sender]
    assert broken and svc.get(broken[0].id).id == broken[0].id


def test_huge_attachment_is_listed_without_downloading_it(seeded_mailbox: SeededMailbox) -> None:
    svc = seeded_mailbox.service
    [m] = svc.search_full(MailSearch(subject="Fotos"))
    full = svc.get(m.id)
    assert full.body.strip() == "Hier sind die Fotos."
    sizes = {a.filename: a.size for a in full.attachments}
    assert set(sizes) == {"Strand ä.jpg", "plan.pdf"} and sizes["Strand ä.jpg"] > 6_000_000


def test_mark_read_and_archive(mail_pair: tuple[ImapMailService, MailUser, MailUser], dovecot_server: DovecotServer) -> None:
    svc, me, _anna = mail_pair
    dovecot_server.deliver(me, b"From: a@example.org\r\nSubject: keep\r\nMessage-ID: <k1@x>\r\n\r\nx\r\n")
    [m] = svc.search(MailQuery(unread_only=True))
    svc.mark_read(m.id)
    assert svc.search(MailQuery(unread_only=True)) == []
    svc.archive(m.id)
    assert svc.search(MailQuery()) == []
    assert [a.subject for a in svc.search(MailQuery(folder="Archive"))] == ["keep"]
    with pytest.raises(Exception, match="no message"):
        svc.archive(m.id)


def test_reply_is_threaded_delivered_and_filed_in_sent(mail_pair: tuple[ImapMailService, MailUser, MailUser],
                                                      dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    svc, me, anna = mail_pair
    dovecot_server.deliver(me, (f"From: Anna <{anna.address}>\r\nTo: {me.address}\r\nSubject: Dinner\r\n"
                                "Message-ID: <dinner-1@example.test>\r\n\r\nDinner at 8?\r\n").encode())
    [m] = svc.search(MailQuery(sender="Anna"))
    result = svc.reply(m.id, "I'll be late, sorry!")
    assert result.ok and "Sent" in result.detail
    with _imap(dovecot_server, anna) as c:  # delivered to Anna's INBOX
        c.select_folder("INBOX")
        [uid] = c.search(["SUBJECT", "Re: Dinner"])
        got = email.message_from_bytes(c.fetch([uid], ["RFC822"])[uid][b"RFC822"])
    assert got["In-Reply-To"] == "<dinner-1@example.test>" and "<dinner-1@example.test>" in got["References"]
    payload = got.get_payload(decode=True)
    assert isinstance(payload, bytes) and "I'll be late" in payload.decode()
    [sent] = svc.search(MailQuery(folder="Sent"))
    assert sent.subject == "Re: Dinner" and not sent.unread
    assert rb"\Answered" in _flags(dovecot_server, me, "INBOX")
    thread = svc.thread(m.id)
    assert thread.count == 2 and "I'll be late" in thread.summary


def _flags(dovecot: DovecotServer, user: MailUser, folder: str) -> tuple[bytes, ...]:
    with _imap(dovecot, user) as c:
        c.select_folder(folder, readonly=True)
        uids = c.search(["ALL"])
        return tuple(f for v in c.get_flags(uids).values() for f in v)


def test_send_over_implicit_tls_port(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    from tests.communication.conftest import mail_config

    me, tom = dovecot_server.add_user("me"), dovecot_server.add_user("tom")
    svc = ImapMailService(mail_config(dovecot_server, smtp_server, me, smtp_security="ssl"), me.password)
    try:
        res = svc.send(OutgoingMail(to=[tom.address], subject="Grüße über SSL", body="Hallo Tom"))
    finally:
        svc.close()
    assert res.ok
    [env] = smtp_server.messages_to(tom.address)
    assert env.login == me.name and email.message_from_bytes(env.data)["Message-ID"] == res.id


def test_long_lived_service_sees_mail_that_arrives_later(mail_pair: tuple[ImapMailService, MailUser, MailUser],
                                                        dovecot_server: DovecotServer) -> None:
    svc, me, _anna = mail_pair
    dovecot_server.deliver(me, b"From: a@example.org\r\nSubject: first\r\nMessage-ID: <f1@x>\r\n\r\nx\r\n")
    assert [m.subject for m in svc.search(MailQuery(unread_only=True))] == ["first"]
    dovecot_server.deliver(me, b"From: anna@example.org\r\nSubject: second\r\nMessage-ID: <f2@x>\r\n\r\ny\r\n")
    assert sorted(m.subject for m in svc.search(MailQuery(unread_only=True))) == ["first", "second"]
