"""Builds the communication services from the account records (``app.accounts``) and the keyring.

The first account of a kind is used unless one has ``options.default = true``. A missing secret or
an incomplete record gives ``None`` (not connected) plus a log line, never an exception.

The communication code (``agents.communication``) takes plain values: a server config, the secret,
the audit log; for the WhatsApp webhook secrets, a getter/setter of keyring entries. The account
records and the keyring are read here only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from agents.communication import whatsapp_webhook
from agents.communication.calendar import CalDavCalendarService
from agents.communication.graph_calendar import GRAPH_URL, GraphCalendarService
from agents.communication.mail import ImapMailService
from agents.communication.oauth import OAuthFailure, OAuthSession
from agents.communication.presets import PresetError, calendar_config, mail_config
from agents.communication.whatsapp import WhatsAppClient, inbox_path, parse_contacts, whatsapp_config
from agents.communication.whatsapp_inbox import WhatsAppInbox
from agents.communication.whatsapp_webhook import WebhookReceiver
from app import secrets
from app.wiring import oauth

if TYPE_CHECKING:
    from app.accounts import AccountIn, AccountOut
    from app.services import Services
    from storage.audit import AuditLog

log = logging.getLogger(__name__)
C = TypeVar("C")


def _default(accounts: list[AccountOut]) -> AccountOut:
    return next((a for a in accounts if str(a.options.get("default", "")).lower() in ("1", "true", "yes")),
                accounts[0])


def _pick(services: Services, kind: str) -> tuple[AccountOut, str] | None:
    accounts = [a for a in services.accounts.list() if a.kind == kind]
    if not accounts:
        return None
    acc = _default(accounts)
    secret = services.accounts.secret(acc)
    if not secret:
        log.warning("%s account '%s' has no secret in the keyring", kind, acc.name)
        return None
    return acc, secret


def _configured(services: Services, kind: str, make: Callable[..., C]) -> tuple[AccountOut, str, C] | None:
    """The chosen account of ``kind``, its secret and its server config (None, logged, if incomplete)."""
    picked = _pick(services, kind)
    if picked is None:
        return None
    acc, secret = picked
    try:
        cfg = make(acc.username, acc.host, acc.port, acc.options)
    except (PresetError, ValueError) as exc:
        log.warning("%s account '%s' is incomplete: %s", kind, acc.name, exc)
        return None
    return acc, secret, cfg


def build_mail(services: Services) -> ImapMailService | None:
    got = _configured(services, "mail", mail_config)
    if got is None:
        return None
    acc, secret, cfg = got
    if oauth.is_oauth(acc):  # the keyring secret is the refresh token; IMAP/SMTP log in with XOAUTH2
        try:
            session = oauth.session_for(services.settings, acc, secret)
        except OAuthFailure as exc:
            log.warning("mail account '%s' cannot sign in: %s", acc.name, exc)
            return None
        return ImapMailService(cfg, "", services.audit, account=acc.name, oauth=session)
    return ImapMailService(cfg, secret, services.audit, account=acc.name)


def build_calendar(services: Services) -> CalDavCalendarService | GraphCalendarService | None:
    tz: tzinfo | None = ZoneInfo(services.settings.timezone) if services.settings.timezone else \
        datetime.now().astimezone().tzinfo
    picked = _pick(services, "caldav")
    if picked is not None and oauth.is_oauth(picked[0]):
        return _signed_in_calendar(services, *picked, tz)
    got = _configured(services, "caldav", calendar_config)
    if got is None:
        return None
    acc, secret, cfg = got
    return CalDavCalendarService(cfg, secret, tz=tz, audit=services.audit, account=acc.name)


def _signed_in_calendar(services: Services, acc: AccountOut, refresh_token: str,
                        tz: tzinfo | None) -> CalDavCalendarService | GraphCalendarService | None:
    """Microsoft: Graph; Google: its CalDAV with the bearer token. None (logged) if it cannot sign in."""
    try:
        session = oauth.session_for(services.settings, acc, refresh_token)
        return signed_in_calendar(acc, session, tz, services.audit)
    except (OAuthFailure, PresetError, ValueError) as exc:
        log.warning("calendar account '%s' cannot sign in: %s", acc.name, exc)
        return None


def signed_in_calendar(acc: AccountIn, session: OAuthSession, tz: tzinfo | None = None, audit: AuditLog | None = None,
                       timeout_s: float = 20.0) -> CalDavCalendarService | GraphCalendarService:
    if str(acc.options.get("provider")) == "microsoft":
        return GraphCalendarService(session, str(acc.options.get("graph_url") or GRAPH_URL), tz=tz, audit=audit,
                                    account=acc.name, timeout_s=timeout_s)
    cfg = calendar_config(acc.username, acc.host, acc.port, acc.options)
    return CalDavCalendarService(cfg.model_copy(update={"timeout_s": timeout_s}), "", tz=tz, audit=audit,
                                 account=acc.name, oauth=session)


def build_whatsapp(services: Services) -> WhatsAppClient | None:
    """The default WhatsApp account's client; None when there is none or it is incomplete."""
    from sqlalchemy import select

    from app.accounts import AccountOut
    from storage.db.models import Account

    with services.db.session() as s:  # not accounts.list(): that reads every secret from the keyring
        accounts = [AccountOut.model_validate(r) for r in
                    s.scalars(select(Account).where(Account.kind == "whatsapp").order_by(Account.name))]
    if not accounts:
        return None
    acc = _default(accounts)
    try:
        cfg = whatsapp_config(acc.options)
        token = services.accounts.secret(acc)
    except (secrets.SecretStoreError, ValueError) as exc:
        log.warning("whatsapp account '%s' is not usable: %s", acc.name, str(exc).splitlines()[0])
        return None
    if not token:
        log.warning("whatsapp account '%s' has no token in the keyring", acc.name)
        return None
    inbox = WhatsAppInbox(inbox_path(services.paths.data_dir, acc.name))
    return WhatsAppClient(cfg, token, inbox=inbox, contacts=parse_contacts(acc.options.get("contacts")),
                          audit=services.audit, account=acc.name)


def store_webhook_secrets(account: str, app_secret: str, verify_token: str) -> None:
    """Keep a WhatsApp account's webhook app secret and verify token in the keyring
    (``WebhookError`` if one is empty, ``SecretStoreError`` if the keyring is not usable)."""
    whatsapp_webhook.store_webhook_secrets(account, app_secret, verify_token, secrets.set_secret)


def webhook_receiver(account: str, sink: Any | None = None) -> WebhookReceiver:
    """The webhook receiver of a WhatsApp account, its secrets from the keyring (``WebhookError`` if
    they are not there)."""
    return WebhookReceiver.from_secrets(account, secrets.get_secret, sink)
