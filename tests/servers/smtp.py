"""A real SMTP server (aiosmtpd) on free loopback ports, delivering into the Dovecot Maildirs.

Two listeners share one handler: ``port`` (plain, STARTTLS required before AUTH) and ``ssl_port``
(implicit TLS, like port 465). AUTH PLAIN/LOGIN checks the Dovecot users' passwords, as a provider's
submission server does. A recipient ``<user>@example.test`` that is a Dovecot user gets the message
in their INBOX (readable over IMAP); any other recipient lands in ``relayed`` (the outside world),
which tests read directly. ``fail_next`` makes the next DATA fail (a 4xx reply or a dropped
connection) to test that a client never files a half-sent mail."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Literal

import httpx
import pytest

from tests.servers.base import announce, free_port, unavailable
from tests.servers.dovecot import DovecotServer

LOCAL_DOMAIN = "example.test"


@dataclass
class Envelope:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None


@dataclass
class SmtpServer:
    host: str
    port: int
    ssl_port: int
    dovecot: DovecotServer
    received: list[Envelope] = field(default_factory=list)
    relayed: list[Envelope] = field(default_factory=list)
    fail_next: Literal["tempfail", "drop"] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    oauth_introspection_url: str | None = None  # set: AUTH XOAUTH2 is checked against it (enable_oauth2)
    oauth_logins: list[str] = field(default_factory=list)

    def enable_oauth2(self, introspection_url: str) -> None:
        """Accept AUTH XOAUTH2 too: the bearer token must be active at ``introspection_url`` (RFC 7662)
        for the user named in the initial response."""
        self.oauth_introspection_url = introspection_url

    def messages_to(self, address: str) -> list[Envelope]:
        with self.lock:
            return [e for e in self.received if address.lower() in (r.lower() for r in e.rcpt_tos)]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def auth_XOAUTH2(self, smtp: Any, args: list[str]) -> Any:
        """SASL XOAUTH2 (``user=<u>^Aauth=Bearer <token>^A^A``, base64), checked by introspection."""
        from aiosmtpd.smtp import MISSING, AuthResult, LoginPassword

        url = self.server.oauth_introspection_url
        if url is None:
            return AuthResult(success=False, handled=False)
        if len(args) > 1:  # args: mechanism, initial response
            raw = base64.b64decode(args[1], validate=False)
        else:
            got = await smtp.challenge_auth("", encode_to_b64=False)
            if got is MISSING:
                return AuthResult(success=False, handled=False)
            raw = got
        fields = dict(p.split("=", 1) for p in raw.decode(errors="replace").split("\x01") if "=" in p)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ").strip()
        reply = await asyncio.to_thread(httpx.post, url, data={"token": token}, timeout=10)
        info = reply.json() if reply.status_code == 200 else {}
        ok = bool(info.get("active")) and info.get("username") == user
        if ok:
            with self.server.lock:
                self.server.oauth_logins.append(user)
        return AuthResult(success=ok, handled=False, auth_data=LoginPassword(login=user.encode(), password=b""))

    async def handle_RCPT(self, smtp: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        local, _, domain = address.rpartition("@")
        if domain.lower() == LOCAL_DOMAIN and local not in self.server.dovecot.users:
            return f"550 5.1.1 <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        failure = self.server.fail_next
        self.server.fail_next = None
        if failure == "tempfail":
            return "451 4.3.0 temporary local problem, try again later"
        if failure == "drop":
            smtp.transport.abort()
            return "421 4.4.2 connection dropped"
        raw: bytes = envelope.original_content if isinstance(envelope.original_content, bytes) else envelope.content
        login = session.auth_data.login.decode() if session.auth_data is not None else None
        env = Envelope(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), data=raw, login=login)
        trace = (f"Return-Path: <{envelope.mail_from}>\r\n"
                 f"Received: from {session.host_name or 'client'} by smtp.{LOCAL_DOMAIN} (aiosmtpd); "
                 f"{formatdate(localtime=True)}\r\n").encode()
        with self.server.lock:
            self.server.received.append(env)
            for rcpt in envelope.rcpt_tos:
                local, _, domain = rcpt.rpartition("@")
                user = self.server.dovecot.users.get(local) if domain.lower() == LOCAL_DOMAIN else None
                if user is not None:
                    self.server.dovecot.deliver(user, trace + raw)
                else:
                    self.server.relayed.append(env)
        return "250 2.0.0 OK: queued"


def _authenticator(dovecot: DovecotServer) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = dovecot.users.get(auth_data.login.decode(errors="replace"))
        ok = user is not None and user.password == auth_data.password.decode(errors="replace")
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return check


@pytest.fixture(scope="session")
def smtp_server(dovecot_server: DovecotServer) -> Iterator[SmtpServer]:
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        unavailable("aiosmtpd is not installed: pip install -e '.[dev]'")
    cert = dovecot_server.cert
    server = SmtpServer(host="127.0.0.1", port=free_port(), ssl_port=free_port(), dovecot=dovecot_server)
    handler = _Handler(server)
    common: dict[str, Any] = dict(hostname="127.0.0.1", server_hostname=f"smtp.{LOCAL_DOMAIN}",
                                  authenticator=_authenticator(dovecot_server), auth_required=True,
                                  data_size_limit=60 * 1024 * 1024)

    class ImplicitTlsController(Controller):
        def factory(self) -> Any:  # TLS is on from the first byte, so AUTH without STARTTLS is safe
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return super().factory()

    logging.getLogger("mail.log").setLevel(logging.ERROR)
    starttls = Controller(handler, port=server.port, tls_context=cert.server_context(), require_starttls=True,
                          auth_require_tls=True, **common)
    implicit = ImplicitTlsController(handler, port=server.ssl_port, ssl_context=cert.server_context(),
                                     auth_require_tls=False, **common)
    starttls.start()
    implicit.start()
    announce("SMTP (aiosmtpd)", f"127.0.0.1:{server.port} (STARTTLS), 127.0.0.1:{server.ssl_port} (SSL)")
    try:
        yield server
    finally:
        starttls.stop()
        implicit.stop()
