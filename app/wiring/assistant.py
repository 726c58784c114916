"""Builds the Assistant from the app's Services: database, audit log, settings, keyring, and the
communication / meeting / bank services when the app provides them (attributes ``calendar``, ``mail``,
``messaging``, ``meetings``, ``bank`` of Services; missing or failing ones count as not connected).

The agents layer takes plain values (``LlmSettings``, a secret getter, a time zone, ``ServiceDeps``);
this module is where the app's settings and keyring are turned into them."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from agents.approvals import ApprovalStore
from agents.assistant import Assistant
from agents.deps import (
    BankService,
    CalendarService,
    MailReadHook,
    MailService,
    MeetingControl,
    MessagingService,
    ServiceDeps,
    SocialService,
)
from agents.domains import domains
from agents.llm import build_model
from agents.memory import Memory
from app import secrets
from app.settings import domain_settings

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from app.services import Services

log = logging.getLogger(__name__)


def user_tz(name: str | None) -> tzinfo:
    if name:
        return ZoneInfo(name)
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def _optional(services: Services, attr: str, proto: Any) -> Any:
    try:
        svc = getattr(services, attr, None)
    except Exception as exc:  # a service that cannot start counts as not connected
        log.info("%s not available: %s", attr, exc)
        return None
    return svc if svc is not None and isinstance(svc, proto) else None


def service_deps(services: Services) -> ServiceDeps:
    return ServiceDeps(
        calendar=_optional(services, "calendar", CalendarService),
        mail=_optional(services, "mail", MailService),
        messaging=_optional(services, "messaging", MessagingService),
        meetings=_optional(services, "meetings", MeetingControl),
        bank=_optional(services, "bank", BankService),
        social=_optional(services, "social", SocialService),
        mail_read=_mail_read_hooks(services),
        files=lambda: services.storage,
        invoice_rules=_rules_dir(services),
    )


def _mail_read_hooks(services: Services) -> list[MailReadHook]:
    """What runs after mail is read: invoice attachments filed by the finance domain (when it is on)."""
    if "finance" not in {d.name for d in domains()}:
        return []
    from agents.finance.invoices.inbox import InboxConfig, InvoiceInbox
    from app.wiring.finance import fints_settings, invoice_rules_dir

    cfg = fints_settings(services.settings)
    return [InvoiceInbox(lambda: services.storage, InboxConfig(invoice_rules_dir(services), cfg.currency,
                                                               cfg.invoice_max_mb << 20))]


def _rules_dir(services: Services) -> Path | None:
    from app.wiring.finance import invoice_rules_dir

    try:
        return invoice_rules_dir(services)
    except Exception as exc:  # settings without a data folder: created invoices are checked without the rules
        log.info("invoice rules not available: %s", exc)
        return None


def build_assistant(services: Services) -> Assistant:
    settings = services.settings

    def model() -> Model | None:
        return build_model(settings.llm, secrets.get_secret)

    return Assistant(
        memory=Memory(services.db),
        approvals=ApprovalStore(services.db, services.audit),
        services=service_deps(services),
        tz=user_tz(settings.timezone),
        language=settings.language,
        model_factory=model,
        model_timeout_s=settings.llm.timeout_s,
        tool_answers=settings.llm.answers == "tools",
        domain_settings=domain_settings(settings),
    )
