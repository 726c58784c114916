"""Faults: wrong password, server down, connection dropped mid-fetch, SMTP failing mid-send."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.communication.mail import ImapMailService
from agents.communication.mime import MAX_TEXT_CHARS
from agents.deps import ServiceError
from agents.models import MailQuery, OutgoingMail
from tests.communication.conftest import mail_config
from tests.communication.flaky_proxy import FlakyProxy
from tests.servers.base import free_port
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration


@pytest.fixture
def proxy(dovecot_server: DovecotServer) -> Iterator[FlakyProxy]:
    p = FlakyProxy(target_port=dovecot_server.imaps_port).start()
    yield p
    p.stop()


def test_wrong_password_is_a_clear_error(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    me = dovecot_server.add_user("me")
    svc = ImapMailService(mail_config(dovecot_server, smtp_server, me), "not-the-password")
    with pytest.raises(ServiceError, match=r"refused the login of 'me\d+': wrong password"):
        svc.search(MailQuery())
    with pytest.raises(ServiceError, match=r"refused the login.*nothing was sent"):
        svc.send_draft(svc.draft(OutgoingMail(to=["x@example.org"], subject="s", body="b")))
    assert not smtp_server.messages_to("x@example.org")


def test_server_down_is_a_clear_error(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    me = dovecot_server.add_user("me")
    cfg = mail_config(dovecot_server, smtp_server, me, imap_port=free_port(), timeout=3)
    svc = ImapMailService(cfg, me.password)
    with pytest.raises(ServiceError, match=r"cannot reach the mail server 127\.0\.0\.1:\d+: connection refused"):
        svc.search(MailQuery())
    cfg.smtp.port = free_port()
    with pytest.raises(ServiceError, match=r"connection refused.*nothing was sent"):
        svc.send_draft(svc.draft(OutgoingMail(to=["y@example.org"], subject="s", body="b")))


def _seed_big(dovecot: DovecotServer, user: MailUser) -> None:
    body = ("line of text " * 20 + "\r\n") * 4000  # ~1 MB
    dovecot.deliver(user, f"From: a@example.org\r\nSubject: big\r\nMessage-ID: <big@x>\r\n\r\n{body}".encode())


def test_connection_dropped_mid_fetch_reconnects_once(dovecot_server: DovecotServer, smtp_server: SmtpServer,
                                                      proxy: FlakyProxy) -> None:
    me = dovecot_server.add_user("me")
    _seed_big(dovecot_server, me)
    svc = ImapMailService(mail_config(dovecot_server, smtp_server, me, imap_port=proxy.port), me.password)
    [m] = svc.search(MailQuery())
    proxy.drop_after_bytes, proxy.drops_left = 0, 0
    svc._conn and svc._conn.shutdown()  # the next call must reconnect through the proxy
    svc._conn = None
    proxy.drop_after_bytes, proxy.drops_left = 200_000, 1  # cut the first connection in the middle of the body
    full = svc.get(m.id)
    assert full.body.startswith("line of text") and len(full.body) == MAX_TEXT_CHARS  # ~1 MB read, text capped
    assert proxy.connections >= 3  # first, the cut one, the reconnect
    svc.close()


def test_connection_dropped_twice_is_a_clear_error(dovecot_server: DovecotServer, smtp_server: SmtpServer,
                                                   proxy: FlakyProxy) -> None:
    me = dovecot_server.add_user("me")
    _seed_big(dovecot_server, me)
    svc = ImapMailService(mail_config(dovecot_server, smtp_server, me, imap_port=proxy.port), me.password)
    [m] = svc.search(MailQuery())
    svc.close()
    proxy.drop_after_bytes, proxy.drops_left = 200_000, 5
    with pytest.raises(ServiceError, match=r"fetching a message: .*(dropped|lost)"):
        svc.get(m.id)


@pytest.mark.parametrize("failure", ["tempfail", "drop"])
def test_smtp_failure_mid_send_sends_nothing_and_files_nothing(failure: str, dovecot_server: DovecotServer,
                                                              smtp_server: SmtpServer) -> None:
    me, anna = dovecot_server.add_user("me"), dovecot_server.add_user("anna")
    svc = ImapMailService(mail_config(dovecot_server, smtp_server, me), me.password)
    smtp_server.fail_next = failure  # type: ignore[assignment]
    with pytest.raises(ServiceError, match="nothing was sent"):
        svc.send(OutgoingMail(to=[anna.address], subject="half", body="must not arrive"))
    assert smtp_server.messages_to(anna.address) == []
    assert svc.search(MailQuery(folder="Sent")) == []
    svc.close()


def test_one_refused_recipient_aborts_the_whole_send(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    me, anna = dovecot_server.add_user("me"), dovecot_server.add_user("anna")
    svc = ImapMailService(mail_config(dovecot_server, smtp_server, me), me.password)
    with pytest.raises(ServiceError, match=r"refused the recipient nobody-here@example\.test"):
        svc.send(OutgoingMail(to=[anna.address, "nobody-here@example.test"], subject="x", body="y"))
    assert smtp_server.messages_to(anna.address) == []
    assert svc.search(MailQuery(folder="Sent")) == []
    svc.close()
