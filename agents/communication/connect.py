"""Builds the communication services from the account records (``app.accounts``) and the keyring.

The first account of a kind is used unless one has ``options.default = true``. A missing secret or
an incomplete record gives ``None`` (not connected) plus a log line, never an exception."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from agents.communication.calendar import CalDavCalendarService
from agents.communication.mail import ImapMailService
from agents.communication.presets import PresetError, calendar_config, mail_config

if TYPE_CHECKING:
    from app.accounts import AccountOut
    from app.services import Services

log = logging.getLogger(__name__)


def _pick(services: Services, kind: str) -> tuple[AccountOut, str] | None:
    accounts = [a for a in services.accounts.list() if a.kind == kind]
    if not accounts:
        return None
    acc = next((a for a in accounts if str(a.options.get("default", "")).lower() in ("1", "true", "yes")),
               accounts[0])
    secret = services.accounts.secret(acc)
    if not secret:
        log.warning("%s account '%s' has no secret in the keyring", kind, acc.name)
        return None
    return acc, secret


def build_mail(services: Services) -> ImapMailService | None:
    picked = _pick(services, "mail")
    if picked is None:
        return None
    acc, secret = picked
    try:
        cfg = mail_config(acc.username, acc.host, acc.port, acc.options)
    except (PresetError, ValueError) as exc:
        log.warning("mail account '%s' is incomplete: %s", acc.name, exc)
        return None
    return ImapMailService(cfg, secret, services.audit, account=acc.name)


def build_calendar(services: Services) -> CalDavCalendarService | None:
    picked = _pick(services, "caldav")
    if picked is None:
        return None
    acc, secret = picked
    try:
        cfg = calendar_config(acc.username, acc.host, acc.port, acc.options)
    except (PresetError, ValueError) as exc:
        log.warning("calendar account '%s' is incomplete: %s", acc.name, exc)
        return None
    tz: tzinfo | None = ZoneInfo(services.settings.timezone) if services.settings.timezone else \
        datetime.now().astimezone().tzinfo
    return CalDavCalendarService(cfg, secret, tz=tz, audit=services.audit, account=acc.name)
