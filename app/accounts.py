"""Accounts: the non-secret part in the database, the secret in the keyring (``app.secrets``)."""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from app import secrets
from storage.audit import AuditLog
from storage.bilingual import Bilingual
from storage.db.engine import Database
from storage.db.models import Account

APP_KINDS = ("smb", "s3", "llm")  # the app's own: storage backends and language models


def account_kinds() -> tuple[str, ...]:
    """Every kind an account can have: what the registered domains' clients use (their
    ``Domain.account_kinds``: mail, caldav, whatsapp, bank ...), then the app's own."""
    from agents.domains import domains

    kinds = [k for d in domains() for k in d.account_kinds]
    return tuple(dict.fromkeys([*kinds, *APP_KINDS]))


class AccountError(Bilingual):
    """An account cannot be added, found or checked; one line (English and German)."""


class AccountIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@\-]+$")
    kind: str
    username: str = ""
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    options: dict[str, Any] = Field(default_factory=dict)


    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        if v not in account_kinds():
            raise ValueError(f"must be one of {', '.join(account_kinds())}")
        return v


class AccountOut(AccountIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    has_secret: bool | None = False  # None: the keyring is locked, so unknown


class CheckResult(BaseModel):
    ok: bool
    message: str


class AccountService:
    def __init__(self, db: Database, audit: AuditLog | None = None) -> None:
        self.db = db
        self.audit = audit or AuditLog(db)

    def add(self, acc: AccountIn, secret: str | None) -> AccountOut:
        acc = checked_account(acc)
        with self.db.session() as s:
            existing = s.scalar(select(Account).where(Account.kind == acc.kind, Account.name == acc.name))
            if existing is not None:
                raise AccountError(f"a {acc.kind} account named '{acc.name}' exists already",
                                   de=f"ein {acc.kind}-Konto namens '{acc.name}' gibt es schon")
            row = Account(**acc.model_dump())
            s.add(row)
            s.flush()
            if secret:
                try:
                    secrets.set_secret(acc.kind, acc.name, secret)
                except secrets.SecretStoreError:
                    s.rollback()
                    self.audit.record("account.add", f"{acc.kind}:{acc.name}", "failed", "keyring error")
                    raise
            out = AccountOut.model_validate(row)
        out.has_secret = bool(secret)
        self.audit.record("account.add", f"{acc.kind}:{acc.name}", "ok", f"user={acc.username}")
        return out

    def list(self, with_secrets: bool = True) -> list[AccountOut]:
        """Every account; ``with_secrets=False`` leaves ``has_secret`` unknown (None) without touching
        the keyring (a locked one would otherwise ask for its master password)."""
        with self.db.session() as s:
            rows = list(s.scalars(select(Account).order_by(Account.kind, Account.name)))
            outs = [AccountOut.model_validate(r) for r in rows]
        for o in outs:
            if not with_secrets:
                o.has_secret = None
                continue
            try:
                o.has_secret = secrets.has_secret(o.kind, o.name)
            except secrets.SecretStoreError:
                o.has_secret = None
        return outs

    def get(self, name: str, kind: str | None = None) -> AccountOut:
        with self.db.session() as s:
            q = select(Account).where(Account.name == name)
            if kind:
                q = q.where(Account.kind == kind)
            rows = list(s.scalars(q))
            if not rows:
                raise AccountError(f"no account named '{name}'", de=f"kein Konto namens '{name}'")
            if len(rows) > 1:
                raise AccountError(f"several accounts are named '{name}': give --kind",
                                   de=f"mehrere Konten heißen '{name}': gib --kind an")
            return AccountOut.model_validate(rows[0])

    def remove(self, name: str, kind: str | None = None) -> AccountOut:
        acc = self.get(name, kind)
        if oauth_account(acc):  # withdraw the grant at the provider too, where it has an endpoint for that
            _revoke_quietly(acc)
        with self.db.session() as s:
            row = s.get(Account, acc.id)
            if row is not None:
                s.delete(row)
        secrets.delete_secret(acc.kind, acc.name)
        self.audit.record("account.remove", f"{acc.kind}:{acc.name}", "ok")
        return acc

    def replace_secret(self, acc: AccountOut, secret: str, options: dict[str, Any] | None = None) -> None:
        """A new secret (a new sign-in's refresh token) and, with it, changed options."""
        secrets.set_secret(acc.kind, acc.name, secret)
        if options:
            with self.db.session() as s:
                row = s.get(Account, acc.id)
                if row is not None:
                    row.options = {**row.options, **options}
        self.audit.record("account.signin", f"{acc.kind}:{acc.name}", "ok")

    def secret(self, acc: AccountIn) -> str | None:
        return secrets.get_secret(acc.kind, acc.name)

    def test(self, name: str, kind: str | None = None, timeout: float = 10.0) -> CheckResult:
        acc = self.get(name, kind)
        try:
            result = check_account(acc, self.secret(acc), timeout)
        except secrets.SecretStoreError as exc:
            result = CheckResult(ok=False, message=str(exc))
        self.audit.record("account.test", f"{acc.kind}:{acc.name}", "ok" if result.ok else "failed",
                          result.message)
        return result


def checked_account(acc: AccountIn) -> AccountIn:
    """The record with its kind's options checked and normalized (AccountError with one line): a bank
    account's bank code or BIC, FinTS URL and IBAN (schwifty); a Mastodon or Bluesky account's server address
    and handle."""
    if acc.kind in ("mastodon", "bluesky"):
        from agents.social.config import bluesky_config, mastodon_config

        try:
            (mastodon_config if acc.kind == "mastodon" else bluesky_config)(acc.username, acc.host, acc.port,
                                                                             acc.options)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
        return acc
    if acc.kind != "bank":
        return acc
    from agents.finance.bank_config import BankConfigError, bank_options

    if not acc.username.strip():
        raise AccountError("a bank account needs the online-banking user id (Anmeldename): --username",
                           de="ein Bankkonto braucht den Anmeldenamen fürs Onlinebanking: --username")
    try:
        options = bank_options(acc.options)
    except BankConfigError as exc:
        raise AccountError(str(exc)) from None
    return acc.model_copy(update={"options": options, "host": acc.host or urlsplit(options["url"]).hostname})


def check_account(acc: AccountIn, secret: str | None, timeout: float = 10.0) -> CheckResult:
    """Log in to the service once. Never puts the secret into the message."""
    if acc.kind in ("mail", "caldav") and not secret and oauth_account(acc):
        return CheckResult(ok=False, message="not signed in: sign in again")
    if acc.kind in ("mail", "caldav", "smb", "bank") and not secret:
        return CheckResult(ok=False, message="no password stored for this account: remove it and add it again "
                                             "with its password")
    try:
        if acc.kind in ("mail", "caldav", "whatsapp"):  # the communication services' own login checks
            from agents.communication.calendar import CalDavCalendarService
            from agents.communication.mail import ImapMailService
            from agents.communication.presets import calendar_config, mail_config
            from agents.communication.whatsapp import WhatsAppClient, whatsapp_config
            from agents.deps import ServiceError

            try:
                if acc.kind == "mail" and oauth_account(acc):  # the token first, then IMAP and SMTP with it
                    return _check_oauth_mail(acc, secret or "", timeout)
                if acc.kind == "mail":  # IMAP and SMTP
                    mcfg = mail_config(acc.username, acc.host, acc.port, acc.options)
                    mail = ImapMailService(mcfg.model_copy(update={"timeout_s": timeout}), secret or "",
                                           account=acc.name)
                    try:
                        return CheckResult(ok=True, message=mail.check_login())
                    finally:
                        mail.close()
                if acc.kind == "caldav" and oauth_account(acc):  # the token first, then the calendar with it
                    return _check_oauth_calendar(acc, secret or "", timeout)
                if acc.kind == "caldav":
                    ccfg = calendar_config(acc.username, acc.host, acc.port, acc.options)
                    cal = CalDavCalendarService(ccfg.model_copy(update={"timeout_s": timeout}), secret or "",
                                                account=acc.name)
                    return CheckResult(ok=True, message=cal.check_login())
                if not secret:
                    return CheckResult(ok=False, message="no access token stored for this account: remove it and "
                                                         "add it again with its token")
                wcfg = whatsapp_config(acc.options)
                with WhatsAppClient(wcfg.model_copy(update={"timeout_s": timeout}), secret, account=acc.name) as wa:
                    return CheckResult(ok=True, message=wa.check_login())
            except (ServiceError, ValueError) as exc:
                text = str(exc).replace(secret, "***") if secret else str(exc)
                return CheckResult(ok=False, message=text.splitlines()[0] if text else type(exc).__name__)
        if acc.kind in ("mastodon", "bluesky"):  # one login to the network
            from app.wiring.social import check_social

            return check_social(acc, secret, timeout)
        if acc.kind == "bank":  # one FinTS login (needs the product ID setting)
            from app.wiring.finance import check_bank

            return check_bank(acc, secret or "", timeout)
        if acc.kind == "smb":
            import smbclient

            smbclient.register_session(acc.host or "", username=acc.username, password=secret,
                                       port=acc.port or 445, connection_timeout=int(timeout))
            return CheckResult(ok=True, message="SMB login ok")
        if acc.kind == "s3":
            import boto3

            s3 = boto3.client("s3", endpoint_url=acc.options.get("endpoint_url"),
                              aws_access_key_id=acc.username, aws_secret_access_key=secret,
                              region_name=acc.options.get("region", "us-east-1"))
            s3.list_buckets()
            return CheckResult(ok=True, message="S3 login ok")
    except Exception as exc:
        text = str(exc).replace(secret, "***") if secret else str(exc)
        return CheckResult(ok=False, message=f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}")
    if acc.kind == "llm":
        return CheckResult(ok=bool(secret), message="API key stored (a language model has no login to test: it is "
                           "used at the next question that needs it)" if secret else "no API key stored")
    return CheckResult(ok=bool(secret), message="secret present (no live check for this kind)"
                       if secret else "no secret stored")


def _revoke_quietly(acc: AccountIn) -> None:
    import logging

    from agents.communication.oauth import OAuthFailure, revoke
    from app.settings import ConfigError, load_settings
    from app.wiring.oauth import account_client, forget_session

    forget_session(acc)
    try:
        refresh = secrets.get_secret(acc.kind, acc.name)
        if refresh:
            revoke(account_client(load_settings(), acc, timeout_s=10), refresh)
    except (OAuthFailure, ConfigError, secrets.SecretStoreError) as exc:
        logging.getLogger(__name__).info("the sign-in of '%s' was not withdrawn at the provider: %s", acc.name, exc)


def oauth_account(acc: AccountIn) -> bool:
    from app.wiring.oauth import is_oauth

    return is_oauth(acc)


def _check_oauth_mail(acc: AccountIn, refresh_token: str, timeout: float) -> CheckResult:
    """A token refresh (its state: valid until, refresh ok, scopes; never a token), then IMAP and SMTP with
    XOAUTH2. A fresh session, so the check really asks the provider."""
    from agents.communication.mail import ImapMailService
    from agents.communication.presets import mail_config
    from agents.deps import ServiceError

    session = _signed_in(acc, refresh_token, timeout)
    if isinstance(session, CheckResult):
        return session
    state = session.state().describe()
    mcfg = mail_config(acc.username, acc.host, acc.port, acc.options)
    mail = ImapMailService(mcfg.model_copy(update={"timeout_s": timeout}), "", account=acc.name, oauth=session)
    try:
        return CheckResult(ok=True, message=f"{state}; {mail.check_login()}")
    except ServiceError as exc:
        return CheckResult(ok=False, message=f"{state}; {str(exc).splitlines()[0]}")
    finally:
        mail.close()


def _signed_in(acc: AccountIn, refresh_token: str, timeout: float) -> Any:
    """A fresh token session (so the check really asks the provider) with one refresh done; a
    ``CheckResult`` instead when the refresh fails."""
    from agents.communication.oauth import OAuthFailure
    from app.settings import load_settings
    from app.wiring.oauth import session_for

    try:
        session = session_for(load_settings(), acc, refresh_token, shared=False, timeout_s=timeout)
        session.access_token()
    except OAuthFailure as exc:
        return CheckResult(ok=False, message=str(exc))
    return session


def _check_oauth_calendar(acc: AccountIn, refresh_token: str, timeout: float) -> CheckResult:
    from agents.deps import ServiceError
    from app.wiring.communication import signed_in_calendar

    session = _signed_in(acc, refresh_token, timeout)
    if isinstance(session, CheckResult):
        return session
    state = session.state().describe()
    try:
        return CheckResult(ok=True, message=f"{state}; {signed_in_calendar(acc, session, timeout_s=timeout).check_login()}")
    except (ServiceError, ValueError) as exc:
        return CheckResult(ok=False, message=f"{state}; {str(exc).splitlines()[0]}")


def _check_imap(acc: AccountIn, secret: str, timeout: float) -> CheckResult:
    host = acc.host or ""
    security = acc.options.get("security", "ssl")
    port = acc.port or (993 if security == "ssl" else 143)
    socket.setdefaulttimeout(timeout)
    try:
        ctx = ssl.create_default_context()
        if acc.options.get("insecure_tls"):
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        conn: imaplib.IMAP4
        if security == "ssl":
            conn = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
        else:
            conn = imaplib.IMAP4(host, port)
            if security == "starttls":
                conn.starttls(ssl_context=ctx)
        try:
            conn.login(acc.username, secret)
            conn.select("INBOX", readonly=True)
        finally:
            with contextlib.suppress(Exception):
                conn.logout()
    except imaplib.IMAP4.error as exc:
        return CheckResult(ok=False, message=f"IMAP login refused: {exc}")
    finally:
        socket.setdefaulttimeout(None)
    return CheckResult(ok=True, message="IMAP login ok")
