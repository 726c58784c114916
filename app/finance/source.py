"""Where the Finance screen gets its data. On the desktop (a local engine): the app's ledger, read in a
worker thread, with the category edit (a correction teaches a rule) and "sync now". On a phone (a
remote engine): the home server's read routes (``/api/v1/finance/...``, the signed-in user's own
ledger); the phone edits nothing (the API is read-only), so ``can_edit`` is False there."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import TypeAdapter

from agents.i18n import resolve_language
from agents.phrasebook import phrase
from app.engine import EngineError
from app.finance import invoice_views, views
from app.finance.scheduler import BankSyncScheduler, SyncBusy, SyncStatus, app_targets, scheduler_for

if TYPE_CHECKING:
    from app.engine.remote import RemoteEngine
    from app.services import Services


class FinanceSource(Protocol):
    can_edit: bool
    can_import: bool  # e-invoices are imported here (the phone's API has no import)

    async def accounts(self) -> list[views.AccountView]: ...

    async def categories(self) -> list[views.CategoryView]: ...

    async def transactions(self, f: views.TransactionFilter) -> views.TransactionPage: ...

    async def spending(self, month: str) -> views.MonthSpending: ...

    async def budgets(self, month: str) -> list[views.BudgetView]: ...

    async def recurring(self) -> list[views.RecurringView]: ...

    async def sync_status(self) -> SyncStatus: ...

    async def recategorize(self, transaction_id: int, category: str) -> views.Recategorized: ...

    async def sync_now(self) -> None: ...

    async def open_invoices(self) -> list[invoice_views.InvoiceRow]: ...

    async def import_invoice(self, name: str, data: bytes) -> invoice_views.Checked: ...

    async def read_receipt(self, name: str, data: bytes) -> invoice_views.ReadReceipt: ...


_schedulers: dict[int, BankSyncScheduler] = {}


def app_scheduler(services: Services) -> BankSyncScheduler:
    """The desktop app's one scheduled sync (started when the app builds its Finance screen, once per
    process; every browser tab of the web UI shares it)."""
    found = _schedulers.get(id(services))
    if found is None:
        found = _schedulers[id(services)] = scheduler_for(services, app_targets(services))
        found.start()
    return found


class LocalFinance:
    can_edit = True
    can_import = True

    def __init__(self, services: Services, scheduler: BankSyncScheduler | None = None) -> None:
        self.services = services
        self.db = services.db
        self.scheduler = scheduler or app_scheduler(services)

    def _settings(self) -> tuple[int, int]:
        from app.wiring.finance import fints_settings

        cfg = fints_settings(self.services.settings)
        return cfg.budget_warn_percent, cfg.budget_alert_percent

    async def accounts(self) -> list[views.AccountView]:
        return await asyncio.to_thread(views.accounts, self.db)

    async def categories(self) -> list[views.CategoryView]:
        return await asyncio.to_thread(views.categories, self.db)

    async def transactions(self, f: views.TransactionFilter) -> views.TransactionPage:
        return await asyncio.to_thread(views.transactions, self.db, f)

    async def spending(self, month: str) -> views.MonthSpending:
        return await asyncio.to_thread(views.spending, self.db, month)

    async def budgets(self, month: str) -> list[views.BudgetView]:
        return await asyncio.to_thread(views.budget_status, self.db, month, *self._settings())

    async def recurring(self) -> list[views.RecurringView]:
        return await asyncio.to_thread(views.recurring_payments, self.db)

    async def sync_status(self) -> SyncStatus:
        return self.scheduler.status()

    async def recategorize(self, transaction_id: int, category: str) -> views.Recategorized:
        try:
            return await asyncio.to_thread(views.recategorize, self.db, transaction_id, category)
        except KeyError as exc:
            raise EngineError(str(exc.args[0])) from None

    async def sync_now(self) -> None:
        try:
            await asyncio.to_thread(self.scheduler.run_once)
        except SyncBusy:
            raise EngineError(phrase("finance.sync_busy", resolve_language(self.services.settings.language))) from None

    async def open_invoices(self) -> list[invoice_views.InvoiceRow]:
        return await asyncio.to_thread(invoice_views.open_invoices, self.db)

    async def import_invoice(self, name: str, data: bytes) -> invoice_views.Checked:
        return await asyncio.to_thread(invoice_views.import_file, self.services, name, data)

    async def read_receipt(self, name: str, data: bytes) -> invoice_views.ReadReceipt:
        return await asyncio.to_thread(invoice_views.read_receipt, self.services, name, data)


class RemoteFinance:
    can_edit = False
    can_import = False

    def __init__(self, engine: RemoteEngine) -> None:
        self.engine = engine

    async def _get(self, path: str, model: Any, params: dict[str, Any] | None = None) -> Any:
        return TypeAdapter(model).validate_python(await self.engine.get_json(f"/finance/{path}", params))

    async def accounts(self) -> list[views.AccountView]:
        found: list[views.AccountView] = await self._get("accounts", list[views.AccountView])
        return found

    async def categories(self) -> list[views.CategoryView]:
        found: list[views.CategoryView] = await self._get("categories", list[views.CategoryView])
        return found

    async def transactions(self, f: views.TransactionFilter) -> views.TransactionPage:
        params = {"q": f.q, "category": f.category, "from": f.start, "to": f.end, "account": f.account,
                  "offset": f.offset, "limit": f.limit}
        found: views.TransactionPage = await self._get(
            "transactions", views.TransactionPage, {k: str(v) for k, v in params.items() if v not in (None, "")})
        return found

    async def spending(self, month: str) -> views.MonthSpending:
        found: views.MonthSpending = await self._get("spending", views.MonthSpending, {"month": month})
        return found

    async def budgets(self, month: str) -> list[views.BudgetView]:
        found: list[views.BudgetView] = await self._get("budgets", list[views.BudgetView], {"month": month})
        return found

    async def recurring(self) -> list[views.RecurringView]:
        found: list[views.RecurringView] = await self._get("recurring", list[views.RecurringView])
        return found

    async def sync_status(self) -> SyncStatus:
        found: SyncStatus = await self._get("sync", SyncStatus)
        return found

    async def recategorize(self, transaction_id: int, category: str) -> views.Recategorized:
        raise EngineError(phrase("remote.finance_categories", self.engine.language))

    async def sync_now(self) -> None:
        raise EngineError(phrase("remote.finance_sync", self.engine.language))

    async def open_invoices(self) -> list[invoice_views.InvoiceRow]:
        return []  # the server's finance API has no invoices yet: the phone shows no invoice section

    async def import_invoice(self, name: str, data: bytes) -> invoice_views.Checked:
        raise EngineError(phrase("remote.finance_invoices", self.engine.language))

    async def read_receipt(self, name: str, data: bytes) -> invoice_views.ReadReceipt:
        raise EngineError(phrase("remote.finance_invoices", self.engine.language))


def finance_source(engine: object) -> FinanceSource | None:
    """The source for this engine: remote (a phone) or local (the desktop app); None if neither."""
    from app.engine.remote import RemoteEngine

    if isinstance(engine, RemoteEngine):
        return RemoteFinance(engine)
    services = getattr(engine, "sv", None)
    return LocalFinance(services) if services is not None else None
