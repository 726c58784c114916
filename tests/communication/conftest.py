"""Fixtures of the communication tests: mail accounts on the real Dovecot/SMTP, calendars on Radicale."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from agents.communication.mail import ImapMailService
from agents.communication.models import MailServerConfig, ServerEndpoint
from tests.communication.mail_corpus import Seed, corpus
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.smtp import SmtpServer


def mail_config(dovecot: DovecotServer, smtp: SmtpServer, user: MailUser, *, imap_port: int | None = None,
                smtp_security: str = "starttls", timeout: float = 10.0) -> MailServerConfig:
    return MailServerConfig(
        imap=ServerEndpoint(host="127.0.0.1", port=imap_port or dovecot.imaps_port, security="ssl"),
        smtp=ServerEndpoint(host="127.0.0.1", port=smtp.port if smtp_security == "starttls" else smtp.ssl_port,
                            security=smtp_security),  # type: ignore[arg-type]
        username=user.name, address=user.address, display_name=user.name.title(),
        ca_file=str(dovecot.cert.cert), timeout_s=timeout)


@dataclass
class SeededMailbox:
    user: MailUser
    seeds: list[Seed]
    service: ImapMailService


def seed(dovecot: DovecotServer, user: MailUser, seeds: list[Seed]) -> None:
    for s in seeds:
        dovecot.deliver(user, s.raw, seen=s.seen, when=s.when)


@pytest.fixture(scope="module")
def seeded_mailbox(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> Iterator[SeededMailbox]:
    """A mailbox with the 58-message corpus; tests using it must not change it."""
    user = dovecot_server.add_user("reader")
    seeds = corpus()
    seed(dovecot_server, user, seeds)
    service = ImapMailService(mail_config(dovecot_server, smtp_server, user), user.password)
    yield SeededMailbox(user=user, seeds=seeds, service=service)
    service.close()


@pytest.fixture
def mail_pair(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> Iterator[tuple[ImapMailService, MailUser, MailUser]]:
    """A fresh account (service) and a fresh correspondent on the same servers."""
    me, anna = dovecot_server.add_user("me"), dovecot_server.add_user("anna")
    service = ImapMailService(mail_config(dovecot_server, smtp_server, me), me.password)
    yield service, me, anna
    service.close()
