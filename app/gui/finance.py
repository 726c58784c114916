"""The Finance screen: accounts with balances, spending per category in a month (bars, month by
month), budgets with progress bars, subscriptions, and the transactions with search, a category
filter and (on the desktop) a category edit that teaches a rule; the bank sync's status line. The
data comes from ``app.finance.source`` (the local ledger, or the home server's API on a phone); what
each row says is ``app.finance.display`` (tested without a browser)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

from agents.i18n import resolve_language
from app.engine import EngineError
from app.finance import display, invoice_views, views
from app.finance.fmt import money, month_name
from app.finance.source import FinanceSource, finance_source
from app.gui.panels import DomainPanel
from app.gui.strings import t
from app.gui.widgets import bind, button, heading, icon_button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

log = logging.getLogger(__name__)
PAGE_SIZE = 25
POLL_S = 2.0
LEVEL_COLORS = {"ok": ft.Colors.PRIMARY, "warning": ft.Colors.AMBER, "exceeded": ft.Colors.ERROR}


class FinanceScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        # built with the app: on the desktop this starts the scheduled bank sync (app/finance/source.py)
        self.source: FinanceSource | None = finance_source(app.engine)
        self.month = views.month_of(date.today())
        self.offset = 0
        self.categories: list[views.CategoryView] = []
        self.page_data: views.TransactionPage | None = None
        self.selected: views.TransactionView | None = None
        self._polling = False
        self.unavailable = ft.Text("", color=ft.Colors.ERROR, visible=False)
        self.sync_text = ft.Text("")
        self.sync_btn = button(t("finance.sync_now"), self._sync_now, "finance-sync-now", ft.Icons.SYNC)
        self.accounts = ft.ResponsiveRow(spacing=8, run_spacing=8)
        self.month_label = ft.Text("", size=16, weight=ft.FontWeight.BOLD)
        self.spending_total = ft.Text("")
        self.spending = ft.Column(spacing=6)
        self.budgets = ft.Column(spacing=6)
        self.subscriptions = ft.Column(spacing=4)
        self.query = ft.TextField(label=t("finance.search_bookings"), hint_text=t("finance.search_hint"), expand=True,
                                  on_submit=self._search)
        self.category_filter = ft.Dropdown(label=t("finance.category"), width=200, on_select=self._search,
                                           options=[ft.DropdownOption(key="", text=t("finance.all"))])
        self.transactions = ft.Column(spacing=2)
        self.invoice_result = ft.Column(spacing=2, visible=False)
        self.invoices = ft.Column(spacing=4)
        self._picker: ft.FilePicker | None = None
        # a new invoice (freelancers): said to the assistant as a request, so its approval card asks first
        self.inv_customer = ft.TextField(label=t("finance.invoice_customer"), hint_text=t("finance.invoice_customer_hint"),
                                         expand=True)
        self.inv_item = ft.TextField(label=t("finance.invoice_item"), hint_text=t("finance.invoice_item_hint"),
                                     expand=True)
        self.inv_hours = ft.TextField(label=t("finance.invoice_hours"), width=120,
                                      keyboard_type=ft.KeyboardType.NUMBER)
        self.inv_rate = ft.TextField(label=t("finance.invoice_rate"), width=160, keyboard_type=ft.KeyboardType.NUMBER)
        self.create_section = ft.Column([
            _section(t("finance.invoice_create")),
            ft.Row([tagged(self.inv_customer, "finance-invoice-customer"),
                    tagged(self.inv_item, "finance-invoice-item")], wrap=True),
            ft.Row([tagged(self.inv_hours, "finance-invoice-hours"), tagged(self.inv_rate, "finance-invoice-rate"),
                    button(t("finance.invoice_create_go"), self._create_invoice, "finance-invoice-create",
                           ft.Icons.RECEIPT_LONG, filled=True)], wrap=True)], spacing=6)
        self.invoice_section = ft.Column([
            ft.Row([_section(t("finance.invoices")),
                    button(t("finance.invoice_import"), self._pick_invoice, "finance-invoice-import",
                           ft.Icons.UPLOAD_FILE)], wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
            ft.Semantics(content=self.invoice_result, identifier="finance-invoice-result", live_region=True),
            self.invoices], spacing=6)
        self.paging = ft.Text("")
        self.prev_btn = icon_button(ft.Icons.NAVIGATE_BEFORE, t("finance.newer"), self._newer, "finance-newer")
        self.next_btn = icon_button(ft.Icons.NAVIGATE_NEXT, t("finance.older"), self._older, "finance-older")
        self.edit_title = ft.Text("", weight=ft.FontWeight.BOLD)
        self.edit_category = ft.Dropdown(label=t("finance.new_category"), width=240)
        self.editor = ft.Container(visible=False, padding=8, border_radius=8,
                                   border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), content=ft.Column([
                                       self.edit_title,
                                       ft.Text(t("finance.rule_hint")),
                                       ft.Row([tagged(self.edit_category, "finance-edit-category"),
                                               button(t("finance.save"), self._save_category, "finance-edit-save",
                                                      ft.Icons.CHECK, filled=True),
                                               button(t("finance.cancel"), self._cancel_edit, "finance-edit-cancel")],
                                              wrap=True)], spacing=6))

    # ------------------------------------------------------------------ layout

    def build(self) -> ft.Control:
        self.body = ft.Column([
            ft.Row([heading(t("finance.title")), self.sync_btn], wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
            ft.Semantics(content=self.sync_text, identifier="finance-sync", live_region=True),
            self.unavailable,
            self.accounts,
            ft.Divider(),
            ft.Row([icon_button(ft.Icons.CHEVRON_LEFT, t("finance.prev_month"), bind(self._shift, -1), "finance-prev-month"),
                    ft.Semantics(content=self.month_label, identifier="finance-month"),
                    icon_button(ft.Icons.CHEVRON_RIGHT, t("finance.next_month"), bind(self._shift, 1), "finance-next-month")],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            _section(t("finance.spending")),
            ft.Semantics(content=self.spending_total, identifier="finance-spending-total"),
            self.spending,
            _section(t("finance.budgets")),
            self.budgets,
            _section(t("finance.subscriptions")),
            self.subscriptions,
            ft.Divider(),
            self.invoice_section,
            ft.Divider(),
            _section(t("finance.transactions")),
            ft.Row([tagged(self.query, "finance-query"),
                    icon_button(ft.Icons.SEARCH, t("finance.search"), self._search, "finance-search")]),
            tagged(self.category_filter, "finance-category-filter"),
            self.editor,
            self.transactions,
            ft.Row([self.prev_btn, ft.Semantics(content=self.paging, identifier="finance-paging"), self.next_btn],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            ft.Divider(),
            self.create_section,  # last: its fields under the pointer took the wheel that scrolls the screen
        ], scroll=ft.ScrollMode.AUTO, expand=True, spacing=8)
        return self.body

    def refresh(self) -> None:
        """Called on every engine event: nothing to do (the screen loads its data when shown)."""

    @property
    def language(self) -> str:
        info = self.app.model.info
        return resolve_language(info.language) if info else "en"

    # ------------------------------------------------------------------ loading

    async def load(self) -> None:
        if self.source is None:
            self._unavailable(t("finance.unavailable"))
            return
        self.sync_btn.visible = self.source.can_edit
        self.invoice_section.visible = self.source.can_import
        self.create_section.visible = self.source.can_import  # invoices are created and stored on the desktop
        try:
            self.categories = await self.source.categories()
            accounts = await self.source.accounts()
            await self._load_month()
            subs = await self.source.recurring()
            await self._load_transactions()
            status = await self.source.sync_status()
            invoices = await self.source.open_invoices()
        except EngineError as exc:
            self._unavailable(str(exc))
            return
        self.unavailable.visible = False
        self._show_invoices(invoices)
        self._show_accounts(accounts)
        self._show_subscriptions(subs)
        self.sync_text.value = display.sync_line(status, language=self.language)
        names = display.category_names(self.categories, self.language)
        self.category_filter.options = [ft.DropdownOption(key="", text=t("finance.all")),
                                        ft.DropdownOption(key=views.UNCATEGORISED,
                                                          text=names.get("", t("finance.uncategorised"))),
                                        *(ft.DropdownOption(key=k, text=v) for k, v in names.items())]
        self.edit_category.options = [ft.DropdownOption(key=k, text=v) for k, v in names.items()]
        self._update()
        if not self._polling:
            self._polling = True
            self.app.page.run_task(self._poll_sync)

    def _unavailable(self, text: str) -> None:
        self.unavailable.value = text
        self.unavailable.visible = True
        self._update()

    def _update(self) -> None:
        try:
            self.app.page.update()
        except Exception as exc:  # the session closed
            log.debug("update: %s", exc)

    async def _poll_sync(self) -> None:
        """While the screen is open: the sync's progress line."""
        try:
            while self.app.screen == "finance" and self.source is not None:
                await asyncio.sleep(POLL_S)
                try:
                    line = display.sync_line(await self.source.sync_status(), language=self.language)
                except EngineError:
                    continue
                if line != self.sync_text.value:
                    self.sync_text.value = line
                    self._update()
        finally:
            self._polling = False

    async def _load_month(self) -> None:
        assert self.source is not None
        spending = await self.source.spending(self.month)
        budgets = await self.source.budgets(self.month)
        self.month_label.value = month_name(self.month, self.language)
        self.spending_total.value = t("finance.spent", total=display.totals(
            [(r.amount, r.currency) for r in spending.categories], self.language))
        bars = display.spending_bars(spending, self.language)
        self.spending.controls = [_bar(b, "finance-spend") for b in bars] or [ft.Text(t("finance.nothing_spent"))]
        budget_bars = display.budget_bars(budgets, self.language)
        self.budgets.controls = [_bar(b, "finance-budget") for b in budget_bars] or [
            ft.Text(t("finance.no_budgets"))]

    async def _load_transactions(self) -> None:
        assert self.source is not None
        f = views.TransactionFilter(q=(self.query.value or "").strip()[:200], offset=self.offset, limit=PAGE_SIZE,
                                    category=self.category_filter.value or None)
        self.page_data = await self.source.transactions(f)
        names = display.category_names(self.categories, self.language)
        self.transactions.controls = [self._row(t, names) for t in self.page_data.items]
        self.paging.value = display.paging_line(self.page_data, self.language)
        self._set_disabled(self.prev_btn, self.offset == 0)
        self._set_disabled(self.next_btn, self.offset + PAGE_SIZE >= self.page_data.total)

    @staticmethod
    def _set_disabled(wrapper: ft.Semantics, disabled: bool) -> None:
        if isinstance(wrapper.content, ft.IconButton):
            wrapper.content.disabled = disabled

    # ------------------------------------------------------------------ parts

    def _show_accounts(self, accounts: list[views.AccountView]) -> None:
        if not accounts:
            self.accounts.controls = [ft.Text(t("finance.no_accounts"), col=12)]
            return
        self.accounts.controls = [ft.Card(col={"xs": 12, "md": 6, "lg": 4}, content=ft.Container(padding=12, content=(
            ft.Column([ft.Text(display.account_title(a), size=12, selectable=True),
                       ft.Semantics(content=ft.Text(money(a.balance, a.currency, self.language), size=22,
                                                    weight=ft.FontWeight.BOLD), identifier="finance-balance"),
                       ft.Text(display.account_detail(a, self.language), size=12)], spacing=4))))
            for a in accounts]

    def _show_subscriptions(self, subs: list[views.RecurringView]) -> None:
        rows: list[ft.Control] = []
        for r in subs:
            payee, detail = display.recurring_line(r, self.language)
            rows.append(ft.Semantics(identifier="finance-subscription", content=ft.Column(
                [ft.Text(payee, weight=ft.FontWeight.BOLD), ft.Text(detail, size=12)], spacing=0)))
        self.subscriptions.controls = rows or [ft.Text(t("finance.no_subscriptions"))]

    def _show_invoices(self, rows: list[invoice_views.InvoiceRow]) -> None:
        lang = self.language
        out: list[ft.Control] = []
        for r in rows:
            due = t("finance.invoice_due", date=r.due_date.isoformat()) if r.due_date else t("finance.invoice_no_due")
            line = t("finance.invoice_line", number=r.number, amount=money(r.amount, r.currency, lang), due=due)
            pay: ft.Control = (ft.Text(t("finance.invoice_direct_debit"), size=12) if r.direct_debit else
                               button(t("finance.pay"), bind(self._pay, r), "finance-invoice-pay", ft.Icons.PAYMENTS))
            out.append(ft.Semantics(identifier="finance-invoice", content=ft.Row([
                ft.Column([ft.Text(r.seller, weight=ft.FontWeight.BOLD), ft.Text(line, size=12)], spacing=0,
                          expand=True), pay], vertical_alignment=ft.CrossAxisAlignment.CENTER)))
        self.invoices.controls = out or [ft.Text(t("finance.no_open_invoices"))]

    def _show_checked(self, c: invoice_views.Checked) -> None:
        """What the import read and checked: the fields, and the failed rules in plain words."""
        de = self.language == "de"
        head = (t("finance.invoice_imported", name=c.name) if c.imported
                else t("finance.invoice_not_imported", name=c.name, reason=c.reason))
        rows: list[ft.Control] = [ft.Text(head, weight=ft.FontWeight.BOLD,
                                          color=None if c.imported else ft.Colors.ERROR)]
        rows += [ft.Text(f"{t('finance.field_' + k)}: {v}", size=12, selectable=True) for k, v in c.fields]
        rows += [ft.Text(f"{rule}: {text_de if de else text_en}", size=12, color=ft.Colors.ERROR)
                 for rule, text_en, text_de in c.problems]
        if c.warnings:
            rows.append(ft.Text(t("finance.invoice_warnings", rules=", ".join(c.warnings)), size=12))
        self.invoice_result.controls = rows
        self.invoice_result.visible = True

    def _row(self, tx: views.TransactionView, names: dict[str, str]) -> ft.Control:
        day, who, amount, cat = display.transaction_cells(tx, names, self.language)
        color = ft.Colors.ERROR if tx.amount < 0 else ft.Colors.GREEN
        content = ft.Container(padding=ft.Padding.symmetric(vertical=4), content=ft.Row([
            ft.Column([ft.Text(who, weight=ft.FontWeight.BOLD, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
                       ft.Text(f"{day} · {cat}", size=12)], spacing=0, expand=True),
            ft.Text(amount, color=color, weight=ft.FontWeight.BOLD),
        ]), on_click=bind(self._edit, tx) if self.source is not None and self.source.can_edit else None)
        return ft.Semantics(content=content, identifier="finance-tx", button=bool(content.on_click) or None)

    # ------------------------------------------------------------------ actions

    async def _shift(self, by: int) -> None:
        self.month = views.shift_month(self.month, by)
        try:
            await self._load_month()
        except EngineError as exc:
            self.app.toast(str(exc))
        self._update()

    async def _search(self, e: Any = None) -> None:
        self.offset = 0
        await self._reload_transactions()

    async def _newer(self, e: Any = None) -> None:
        self.offset = max(0, self.offset - PAGE_SIZE)
        await self._reload_transactions()

    async def _older(self, e: Any = None) -> None:
        self.offset += PAGE_SIZE
        await self._reload_transactions()

    async def _reload_transactions(self) -> None:
        if self.source is None:
            return
        try:
            await self._load_transactions()
        except EngineError as exc:
            self.app.toast(str(exc))
        self._update()

    async def _edit(self, tx: views.TransactionView) -> None:
        self.selected = tx
        self.edit_title.value = t("finance.category_of", what=tx.counterparty or tx.purpose[:40])
        self.edit_category.value = tx.category
        self.editor.visible = True
        self._update()

    async def _cancel_edit(self, e: Any = None) -> None:
        self.selected = None
        self.editor.visible = False
        self._update()

    async def _save_category(self, e: Any = None) -> None:
        if self.source is None or self.selected is None or not self.edit_category.value:
            return
        try:
            done = await self.source.recategorize(self.selected.id, self.edit_category.value)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        names = display.category_names(self.categories, self.language)
        self.app.toast(t("finance.moved", category=names.get(self.edit_category.value, self.edit_category.value),
                         rule=done.rule))
        self.selected = None
        self.editor.visible = False
        await self._load_transactions()
        await self._load_month()
        self._update()

    async def _pick_invoice(self, e: Any = None) -> None:
        """A file dialog (on the desktop) or the browser's upload; the file's bytes come to the app."""
        if self.source is None or not self.source.can_import:
            return
        if self._picker is None:
            self._picker = ft.FilePicker()
        try:
            files = await self._picker.pick_files(allowed_extensions=["pdf", "xml"], with_data=True)
        except Exception as exc:  # no file dialog here
            log.warning("invoice file dialog: %s", exc)
            self.app.toast(str(exc))
            return
        for f in files or []:
            data = f.bytes if f.bytes is not None else (Path(f.path).read_bytes() if f.path else None)
            if data is not None:
                await self.import_invoice(f.name, data)

    async def import_invoice(self, name: str, data: bytes) -> None:
        """Import one file's bytes and show what was read and checked; the open invoices again."""
        if self.source is None:
            return
        try:
            checked = await self.source.import_invoice(name, data)
            self._show_checked(checked)
            if checked.scan:  # a plain or scanned PDF: offered to be read as a receipt (OCR, offline)
                self.invoice_result.controls.append(button(
                    t("finance.read_as_receipt"), bind(self.read_receipt, name, data), "finance-read-receipt",
                    ft.Icons.DOCUMENT_SCANNER))
            self._show_invoices(await self.source.open_invoices())
        except EngineError as exc:
            self.app.toast(str(exc))
        self._update()

    async def _create_invoice(self, e: Any = None) -> None:
        """Create: the form said to the assistant as a request; it drafts the invoice and asks (the approval
        card): nothing is created before the yes, and the seller's details and the customer list are checked
        there, as for a spoken request."""
        customer = " ".join((self.inv_customer.value or "").split())
        item = " ".join((self.inv_item.value or "").split()) or t("finance.invoice_item_hint")
        hours, rate = _positive(self.inv_hours.value), _positive(self.inv_rate.value)
        if not customer or hours is None or rate is None:
            self.app.toast(t("finance.invoice_create_bad"))
            return
        if self.language == "de":  # "7,5 Stunden zu 95,5 Euro"
            hours, rate = hours.replace(".", ","), rate.replace(".", ",")
        self.app.go("conversation")
        await self.app.ask(t("finance.invoice_create_request", customer=customer, hours=hours, item=item, rate=rate))
        for f in (self.inv_customer, self.inv_item, self.inv_hours, self.inv_rate):
            f.value = ""

    async def read_receipt(self, name: str, data: bytes) -> None:
        """The offered OCR: the file read as a receipt, stored, matched to a booking; what was found is shown."""
        if self.source is None:
            return
        self.invoice_result.controls = [ft.Text(t("finance.reading_receipt", name=name), italic=True)]
        self._update()
        try:
            r = await self.source.read_receipt(name, data)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        lang = self.language
        if not r.added:
            rows: list[ft.Control] = [ft.Text(t("finance.receipt_not_added", name=name, reason=r.reason),
                                              color=ft.Colors.ERROR, weight=ft.FontWeight.BOLD)]
        else:
            amount = money(r.amount, r.currency, lang) if r.amount is not None else t("finance.receipt_no_amount")
            rows = [ft.Text(t("finance.receipt_added", name=name), weight=ft.FontWeight.BOLD),
                    ft.Text(f"{t('finance.field_seller')}: {r.vendor or '–'}", size=12),
                    ft.Text(f"{t('finance.receipt_amount')}: {amount}", size=12),
                    ft.Text(f"{t('finance.receipt_date')}: {r.day.isoformat() if r.day else '–'}", size=12),
                    ft.Text(t("finance.receipt_matched", booking=r.booking) if r.booking
                            else t("finance.receipt_unmatched"), size=12)]
        self.invoice_result.controls = rows
        self._update()

    async def _pay(self, row: invoice_views.InvoiceRow) -> None:
        """Pay: the assistant drafts the transfer and asks (the approval card); nothing is sent before the yes."""
        self.app.go("conversation")
        await self.app.ask(t("finance.pay_request", seller=row.seller, number=row.number))

    async def _sync_now(self, e: Any = None) -> None:
        if self.source is None:
            return
        self.sync_text.value = t("finance.sync_starting")
        self._update()
        try:
            await self.source.sync_now()
        except EngineError as exc:
            self.app.toast(str(exc))
        await self.load()


def _positive(text: str | None) -> str | None:
    """A number above 0 as typed ("8", "7,5", "95.50"), written back plainly ("7.5"), or None."""
    raw = (text or "").strip().replace(",", ".")
    try:
        x = float(raw)
    except ValueError:
        return None
    if not 0 < x < 1_000_000:
        return None
    return f"{x:g}"


def _section(text: str) -> ft.Control:
    return ft.Semantics(content=ft.Text(text, size=16, weight=ft.FontWeight.BOLD), header=True)


def _bar(b: display.Bar, prefix: str) -> ft.Control:
    return ft.Semantics(identifier=f"{prefix}-{b.key}", label=f"{b.label}: {b.amount}", content=ft.Column([
        ft.Row([ft.Text(b.label, expand=True, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS), ft.Text(b.amount)]),
        ft.ProgressBar(value=b.fraction, bar_height=10, color=LEVEL_COLORS.get(b.level, ft.Colors.PRIMARY),
                       border_radius=4),
        ft.Text(b.detail, size=12),
    ], spacing=2))


async def _show(screen: FinanceScreen) -> None:
    await screen.load()


PANEL = DomainPanel(label="nav.finance", icon=ft.Icons.ACCOUNT_BALANCE, screen=FinanceScreen, on_show=_show)
