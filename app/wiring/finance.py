"""Builds bank connections (``agents.finance``) from the account records of kind ``bank``, the keyring
(the PIN) and the settings (``[domains.finance]``: the FinTS product ID).

The finance code takes plain values: a ``FintsConfig``, a PIN getter, a state store (a private folder
in the data dir: the client's bank/user parameters and pending transfers, never the PIN)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from agents.deps import ServiceError
from agents.finance.bank_config import BankConfigError, bank_config
from agents.finance.fints_client import PRODUCT_ID_MISSING, FileStateStore, FintsBankService, FintsError
from agents.finance.ledger import DbLedger
from agents.finance.settings import FinanceSettings
from agents.finance.sync import LedgerSink
from app import secrets

if TYPE_CHECKING:
    from app.accounts import AccountIn, AccountOut, CheckResult
    from app.services import Services
    from app.settings import Settings

log = logging.getLogger(__name__)


def fints_settings(settings: Settings) -> FinanceSettings:
    """The ``[domains.finance]`` settings (validated when the settings were loaded)."""
    return FinanceSettings.model_validate(settings.domains.get("finance", {}))


def invoice_rules_dir(services: Services) -> Path:
    """Where the EN16931 rules (XSLT) are: the setting, else ``finance/en16931-validation`` in the data folder."""
    configured = fints_settings(services.settings).invoice_rules_dir
    return Path(configured).expanduser() if configured else services.paths.data_dir / "finance" / "en16931-validation"


def bank_accounts(services: Services) -> list[AccountOut]:
    """The bank account records (without reading the keyring)."""
    from sqlalchemy import select

    from app.accounts import AccountOut
    from storage.db.models import Account

    with services.db.session() as s:
        return [AccountOut.model_validate(r) for r in
                s.scalars(select(Account).where(Account.kind == "bank").order_by(Account.name))]


def _pin_getter(acc: AccountIn) -> str | None:
    try:
        return secrets.get_secret("bank", acc.name)
    except secrets.SecretStoreError as exc:
        raise FintsError(str(exc)) from None


def build_bank(services: Services, name: str | None = None) -> FintsBankService:
    """The connection of the bank account ``name`` (default: the one marked default, else the first).
    ServiceError with one line if there is none, it is incomplete or the product ID is missing."""
    accounts = bank_accounts(services)
    if not accounts:
        raise ServiceError("no bank account yet: add one with its bank code, your online-banking user ID "
                           "and the bank's FinTS address")
    if name is None:
        acc = next((a for a in accounts if str(a.options.get("default", "")).lower() in ("1", "true", "yes")),
                   accounts[0])
    else:
        found = [a for a in accounts if a.name == name]
        if not found:
            raise ServiceError(f"no bank account named '{name}' (bank accounts: {', '.join(a.name for a in accounts)})")
        acc = found[0]
    settings = fints_settings(services.settings)
    if not settings.fints_product_id.strip():
        raise FintsError(PRODUCT_ID_MISSING)
    try:
        cfg = bank_config(acc.username, acc.options, settings)
    except BankConfigError as exc:
        raise ServiceError(f"bank account '{acc.name}' is incomplete: {exc}") from None
    store = FileStateStore(services.paths.data_dir / "finance" / "fints" / acc.name)
    return FintsBankService(cfg, lambda: _pin_getter(acc), store, services.audit, account=acc.name)


def ledger_sink(services: Services) -> LedgerSink:
    """Where `finance sync` stores what it fetched: the ledger in the app's database."""
    return DbLedger(services.db)


def check_bank(acc: AccountIn, secret: str, timeout: float) -> CheckResult:
    """One FinTS login for `accounts test` (the product ID from the settings)."""
    from app.accounts import CheckResult
    from app.paths import app_paths
    from app.settings import ConfigError, load_settings

    try:
        settings = fints_settings(load_settings())
    except ConfigError as exc:
        return CheckResult(ok=False, message=str(exc))
    if not settings.fints_product_id.strip():
        return CheckResult(ok=False, message=PRODUCT_ID_MISSING)
    try:
        cfg = bank_config(acc.username, acc.options, settings).model_copy(update={"timeout_s": timeout})
        store = FileStateStore(app_paths().data_dir / "finance" / "fints" / acc.name)
        return CheckResult(ok=True, message=FintsBankService(cfg, secret, store, account=acc.name).check_login())
    except (ServiceError, BankConfigError) as exc:
        return CheckResult(ok=False, message=str(exc))
