"""Builds the communication services from the account records (``app.accounts``) and the keyring.

The first account of a kind is used unless one has ``options.default = true``. A missing secret or
an incomplete record gives ``None`` (not connected) plus a log line, never an exception."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from agents.communication.calendar import CalDavCalendarService
from agents.communication.mail import ImapMailService
from agents.communication.presets import PresetError, calendar_config, mail_config

if TYPE_CHECKING:
    from app.accounts import AccountOut
    from app.services import Services

log = logging.getLogger(__name__)
C = TypeVar("C")


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
    return ImapMailService(cfg, secret, services.audit, account=acc.name)


def build_calendar(services: Services) -> CalDavCalendarService | None:
    got = _configured(services, "caldav", calendar_config)
    if got is None:
        return None
    acc, secret, cfg = got
    tz: tzinfo | None = ZoneInfo(services.settings.timezone) if services.settings.timezone else \
        datetime.now().astimezone().tzinfo
    return CalDavCalendarService(cfg, secret, tz=tz, audit=services.audit, account=acc.name)
