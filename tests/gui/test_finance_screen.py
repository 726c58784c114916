"""The Finance screen without a browser: its view logic (app/finance/display.py) and the screen's
control tree on a real seeded ledger (the local source), including the category edit that teaches a
rule. The Flet page is a stand-in that records updates (controls are plain objects)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.engine import EngineInfo
from app.finance import display, views
from app.finance.fmt import month_name
from app.finance.scheduler import AccountSync, SyncStatus
from tests.finance.seed import GIRO, seed_ledger
from tests.gui.controls import texts as _texts

pytestmark = pytest.mark.unit




def _spending(*rows: tuple[str, str]) -> views.MonthSpending:
    return views.MonthSpending(month="2026-11", categories=[
        views.SpendingRow(category=k, name_de=k.title(), name_en=k.title(), amount=Decimal(a), currency="EUR", count=2)
        for k, a in rows])


def test_spending_bars_scale_to_the_largest_and_speak_the_language() -> None:
    bars = display.spending_bars(_spending(("rent", "950.00"), ("groceries", "475.00"), ("", "38.50")), "de")
    assert [b.fraction for b in bars[:2]] == [1.0, 0.5]
    assert bars[0].amount == "950,00\xa0€" and bars[2].label == "Ohne Kategorie" and bars[2].key == "none"
    en = display.spending_bars(_spending(("rent", "1234.5")), "en")
    assert en[0].amount == "€1,234.50" and en[0].detail == "2 bookings"
    assert display.spending_bars(_spending(), "en") == []
    assert display.totals([(Decimal("1.50"), "EUR"), (Decimal("2"), "EUR"), (Decimal("3"), "CHF")], "en") \
        == "CHF3.00 + €3.50"


def test_budget_bars_show_left_or_over_and_the_level() -> None:
    def budget(spent: str, percent: int, level: str) -> views.BudgetView:
        limit = Decimal("150.00")
        return views.BudgetView(category="groceries", name_de="Lebensmittel", name_en="Groceries", month="2026-11",
                                limit=limit, spent=Decimal(spent), left=limit - Decimal(spent), percent=percent,
                                level=level, currency="EUR")  # type: ignore[arg-type]

    over, near = display.budget_bars([budget("159.05", 106, "exceeded"), budget("120.00", 80, "warning")], "en")
    assert over.fraction == 1.0 and over.level == "exceeded" and over.detail == "€9.05 over · 106 %"
    assert near.fraction == 0.8 and near.detail == "€30.00 left · 80 %" and near.amount == "€120.00 of €150.00"
    assert display.budget_bars([budget("159.05", 106, "exceeded")], "de")[0].label == "Lebensmittel"


def test_sync_line_running_failed_done_off() -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    running = SyncStatus(interval_min=360, running=True, next_run_at=None, last_run_at=now,
                         accounts=[AccountSync(account="giro", state="running", step="fetching")])
    assert display.sync_line(running) == "Bank sync: 'giro' fetching…"
    assert display.sync_line(running, language="de") == "Bankabgleich: 'giro' holt Umsätze…"  # the step in German
    failed = running.model_copy(update={"running": False, "accounts": [AccountSync(
        account="giro", state="failed", message="bank 'giro': the bank at fints.example.de is not reachable")]})
    assert display.sync_line(failed) == "bank 'giro': the bank at fints.example.de is not reachable"
    ok = running.model_copy(update={"running": False, "next_run_at": now + timedelta(hours=6), "accounts": [
        AccountSync(account="giro", state="ok", new_transactions=3, finished_at=now)]})
    line = display.sync_line(ok)
    assert line.startswith("Bank synced at ") and "3 new bookings; next sync at" in line
    off = SyncStatus(interval_min=0, running=False, next_run_at=None, last_run_at=None, accounts=[])
    assert display.sync_line(off) == "No scheduled bank sync"
    assert display.sync_line(None) == ""


def test_transaction_cells_and_paging() -> None:
    t = views.TransactionView(id=1, account=GIRO, booking_date=date(2026, 11, 3), amount=Decimal("-54.20"),
                              currency="EUR", counterparty="", counterparty_iban=None, purpose="Einkauf",
                              booking_text="", category=None, category_source="")
    assert display.transaction_cells(t, {}, "de") == ("03.11.2026", "Einkauf", "-54,20\xa0€", "Ohne Kategorie")
    page = views.TransactionPage(total=60, offset=25, limit=25, items=[t] * 25)
    assert display.paging_line(page) == "26–50 of 60"
    assert display.paging_line(views.TransactionPage(total=0, offset=0, limit=25, items=[])) == "No bookings match."


class _Page:
    """The bits of ft.Page the screen uses: update() and run_task() (tasks are not run here)."""

    def __init__(self) -> None:
        self.updates = 0
        self.tasks: list[Any] = []

    def update(self) -> None:
        self.updates += 1

    def run_task(self, fn: Any, *args: Any) -> None:
        self.tasks.append(fn)


class _Model:
    def __init__(self, language: str) -> None:
        self.info = EngineInfo(kind="local", language=language)


class _App:
    def __init__(self, language: str) -> None:
        self.page = _Page()
        self.model = _Model(language)
        self.screen = "finance"
        self.toasts: list[str] = []
        self.engine = object()

    def toast(self, text: str) -> None:
        self.toasts.append(text)


@pytest.fixture
def screen(pa_home: Path) -> Any:
    from app.cli.common import services
    from app.finance.scheduler import BankSyncScheduler
    from app.finance.source import LocalFinance
    from app.gui.finance import FinanceScreen

    sv = services()
    sv.db.migrate()
    seed_ledger(sv.db)
    app = _App("de")
    s = FinanceScreen(app)  # type: ignore[arg-type]
    s.build()
    s.source = LocalFinance(sv, BankSyncScheduler(sv, lambda: [], interval_s=0))
    return s


def test_screen_shows_the_ledger_and_the_edit_teaches_a_rule(screen: Any) -> None:
    asyncio.run(screen.load())
    balances = _texts(screen.accounts)
    assert "4.321,09\xa0€" in balances and "500,00\xa0€" in balances
    assert any(t.startswith("DE89 3704 0044 0532 0130 00") for t in balances)
    assert screen.month_label.value == month_name(views.month_of(date.today()), "de")
    subs = _texts(screen.subscriptions)
    assert "Netflix International B.V." in subs and "Spotify AB" in subs
    assert screen.paging.value.startswith("1–25 von ")  # the screen is in German
    # last month: rent is the largest bar, groceries are over their budget
    asyncio.run(screen._shift(-1))
    spent = _texts(screen.spending)
    assert spent[:2] == ["Miete", "950,00\xa0€"]
    assert "9,05\xa0€ drüber · 106 %" in _texts(screen.budgets)
    # search, then correct the trattoria's category: a rule for the payee, and its other bookings follow
    screen.query.value = "trattoria"
    asyncio.run(screen._search())
    rows = screen.transactions.controls
    assert rows and all("Trattoria Da Enzo" in _texts(r) for r in rows)
    assert all(any(t.endswith("Ohne Kategorie") for t in _texts(r)) for r in rows)
    asyncio.run(screen._edit(screen.page_data.items[0]))
    assert screen.editor.visible and "Trattoria" in str(screen.edit_title.value)
    screen.edit_category.value = "restaurants"
    asyncio.run(screen._save_category())
    assert screen.app.toasts[-1] == "Moved to Restaurants; learned the rule payee 'trattoria da enzo'"
    assert not screen.editor.visible
    assert all(any(t.endswith("Restaurants") for t in _texts(r)) for r in screen.transactions.controls)
    screen.category_filter.value = views.UNCATEGORISED
    screen.query.value = ""
    asyncio.run(screen._search())
    assert not any("Trattoria Da Enzo" in _texts(r) for r in screen.transactions.controls)


def test_screen_on_a_phone_engine_cannot_edit() -> None:
    from app.engine.remote import RemoteEngine
    from app.finance.source import RemoteFinance, finance_source

    remote = finance_source(RemoteEngine("http://127.0.0.1:9"))
    assert isinstance(remote, RemoteFinance) and remote.can_edit is False
    assert finance_source(object()) is None


class _PayingApp(_App):
    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.asked: list[str] = []
        self.went: list[str] = []

    def go(self, screen: str) -> None:
        self.went.append(screen)

    async def ask(self, text: str) -> None:
        self.asked.append(text)


def test_invoice_import_shows_the_checked_fields_the_failed_rules_and_the_open_list(
        pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli.common import services
    from app.finance import invoice_views
    from app.finance.scheduler import BankSyncScheduler
    from app.finance.source import LocalFinance
    from app.gui.finance import FinanceScreen
    from tests.finance.invoice_files import INVOICES, RULES

    monkeypatch.setenv("PA_DOMAINS__FINANCE__INVOICE_RULES_DIR", str(RULES))
    monkeypatch.setattr("app.gui.strings._language", "de")  # the GUI's language is the process's
    sv = services()
    sv.db.migrate()
    app = _PayingApp("de")
    s = FinanceScreen(app)  # type: ignore[arg-type]
    s.build()
    s.source = LocalFinance(sv, BankSyncScheduler(sv, lambda: [], interval_s=0))
    asyncio.run(s.load())
    assert s.invoice_section.visible and _texts(s.invoices) == ["Keine offenen Rechnungen."]

    asyncio.run(s.import_invoice("EN16931_Elektron.pdf", (INVOICES / "fx" / "EN16931_Elektron.pdf").read_bytes()))
    shown = _texts(s.invoice_result)
    assert shown[0] == "EN16931_Elektron.pdf: als offene Rechnung abgelegt."
    assert "Verkäufer: ELEKTRON Industrieservice GmbH" in shown and "Zu zahlen: 300.00 EUR" in shown
    assert "IBAN: DE91100000000123456789" in shown
    [row] = s.invoices.controls
    assert _texts(row) == ["ELEKTRON Industrieservice GmbH", "Rechnung 181301674 · 300,00\xa0€ · ohne Fälligkeit"]
    assert "finance-invoice-pay" in repr(row)  # its Pay button

    bad = INVOICES / "fx" / "EN16931_ElektronischeAdresse.pdf"
    asyncio.run(s.import_invoice(bad.name, bad.read_bytes()))
    shown = _texts(s.invoice_result)
    assert shown[0].startswith("EN16931_ElektronischeAdresse.pdf: nicht importiert. the invoice fails 1 rule")
    assert any(x.startswith("BR-CL-25: ") for x in shown), shown  # the failed rule in plain (German) words
    asyncio.run(s.import_invoice("notes.pdf", b"%PDF-1.4 truncated"))
    assert _texts(s.invoice_result)[0].startswith("notes.pdf: nicht importiert.")
    assert len(s.invoices.controls) == 1  # nothing else was filed

    [open_row] = invoice_views.open_invoices(sv.db)
    asyncio.run(s._pay(open_row))  # the assistant drafts the transfer and asks: the approval card
    assert app.went == ["conversation"]
    assert app.asked == ["bezahle die Rechnung von ELEKTRON Industrieservice GmbH, Nummer 181301674"]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_invoice_form_asks_the_assistant_which_drafts_it_for_the_yes(
        pa_home: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """Create an invoice from the Finance screen: the form becomes the spoken request (so the same approval card
    asks first); the local recognizer reads back every field of it; bad numbers are refused in one line."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from agents.local.recognizer import recognize
    from app.cli.common import services
    from app.finance.scheduler import BankSyncScheduler
    from app.finance.source import LocalFinance
    from app.gui.finance import FinanceScreen

    monkeypatch.setattr("app.gui.strings._language", lang)
    sv = services()
    sv.db.migrate()
    app = _PayingApp(lang)
    app.toasts: list[str] = []  # type: ignore[misc]
    app.toast = app.toasts.append  # type: ignore[method-assign]
    s = FinanceScreen(app)  # type: ignore[arg-type]
    s.build()
    s.source = LocalFinance(sv, BankSyncScheduler(sv, lambda: [], interval_s=0))
    asyncio.run(s.load())
    assert s.create_section.visible
    s.inv_customer.value, s.inv_hours.value, s.inv_rate.value = "Müller GmbH", "zero", "95"
    asyncio.run(s._create_invoice())
    assert app.asked == [] and app.toasts[-1].startswith(("Give the customer", "Gib den Kunden"))
    s.inv_item.value = "Beratung" if lang == "de" else "consulting"
    s.inv_hours.value, s.inv_rate.value = "7,5", "95"
    asyncio.run(s._create_invoice())
    (said,) = app.asked
    assert app.went == ["conversation"] and s.inv_customer.value == ""
    m = recognize(said, datetime(2026, 12, 6, 10, tzinfo=ZoneInfo("Europe/Berlin")))
    assert m is not None and m.intent == "FinanceCreateInvoice", said
    assert m.slots["customer"].lower() == "müller gmbh" and m.slots["rate"] == "95"
    assert m.slots["hours"] in ("7.5", "7,5") and m.slots["item"].lower() in ("beratung", "consulting"), m.slots


def test_a_pdf_without_invoice_data_is_offered_as_a_receipt_and_read_by_ocr(
        pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing a plain PDF (no e-invoice data) says so and offers to read it as a receipt; reading it (the
    PDF's text, else Tesseract) keeps it as a receipt with its shop, amount and date."""
    from fpdf import FPDF

    from app.cli.common import services
    from app.finance.scheduler import BankSyncScheduler
    from app.finance.source import LocalFinance
    from app.gui.finance import FinanceScreen

    monkeypatch.setattr("app.gui.strings._language", "en")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for line in ("Baeckerei Schmidt", "Hauptstr. 5, 80331 Muenchen", "05.12.2026 08:14", "2x Broetchen 1,20",
                 "1x Kaffee 3,10", "Summe EUR 4,30", "Vielen Dank"):
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    sv = services()
    sv.db.migrate()
    app = _PayingApp("en")
    s = FinanceScreen(app)  # type: ignore[arg-type]
    s.build()
    s.source = LocalFinance(sv, BankSyncScheduler(sv, lambda: [], interval_s=0))
    asyncio.run(s.load())
    asyncio.run(s.import_invoice("bakery.pdf", data))
    shown = _texts(s.invoice_result)
    assert shown[0].startswith("bakery.pdf: not imported. the PDF carries no e-invoice data")
    assert "finance-read-receipt" in repr(s.invoice_result.controls[-1])
    asyncio.run(s.read_receipt("bakery.pdf", data))
    shown = _texts(s.invoice_result)
    assert shown[0] == "bakery.pdf: kept as a receipt.", shown
    assert "Amount: €4.30" in shown and "Date: 2026-12-05" in shown, shown
    assert any(x.startswith("Seller: Baeckerei Schmidt") for x in shown), shown
