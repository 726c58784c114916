"""The yearly tax folder on a real SQLite ledger: bookings, a receipt matched to its booking (counted
once) and an invoice whose labour share (§ 35a) comes from its lines, sorted into the German categories;
a correction sticks for the payee's next booking; the export's CSV, XLSX and PDF bundle read back; the
Steuer-ID check (official examples and typos); the command refuses a wrong Steuer-ID in one line."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from agents.finance.db import FinTransaction
from agents.finance.invoices.db import FinInvoice, FinInvoiceLine
from agents.finance.ledger import import_items
from agents.finance.models import BankTransaction
from agents.finance.receipts.db import FinReceipt
from agents.finance.tax.categories import category_key
from agents.finance.tax.export import export
from agents.finance.tax.folder import build_folder
from agents.finance.tax.rules import correct
from agents.finance.tax.steuer_id import SteuerIdError, validate_steuer_id
from storage.db.engine import Database
from storage.local import LocalBackend
from tests.finance.conftest import ROOT

pytestmark = pytest.mark.unit
GIRO = "DE89370400440532013000"


@pytest.mark.parametrize("good", ["86095742719", "65929970489", "57549285017", "25768131411", "47 036 892 816"])
def test_valid_steuer_ids(good: str) -> None:
    assert validate_steuer_id(good) == good.replace(" ", "")


@pytest.mark.parametrize(("bad", "why"), [
    ("86095742718", "check digit"), ("8609574271", "11 digits"), ("06095742719", "starts with 0"),
    ("12345678903", "pattern"), ("11112345672", "pattern"), ("8609574271x", "11 digits"),
])
def test_wrong_steuer_ids_say_why_in_both_languages(bad: str, why: str) -> None:
    with pytest.raises(SteuerIdError) as err:
        validate_steuer_id(bad)
    assert why in str(err.value) and err.value.de and err.value.de != str(err.value)


def _tx(on: date, amount: str, who: str, purpose: str) -> BankTransaction:
    return BankTransaction(iban=GIRO, booking_date=on, amount=Decimal(amount), counterparty=who, purpose=purpose)


def _seed(db: Database, files: LocalBackend) -> None:
    with db.session() as s:
        import_items(s, [
            _tx(date(2026, 3, 2), "-714.00", "Elektro Meier GmbH", "Rechnung 2026-17"),  # paid invoice below
            _tx(date(2026, 4, 1), "-89.90", "Techniker Krankenkasse", "Beitrag Zusatzversicherung"),
            _tx(date(2026, 5, 3), "-50.00", "UNICEF", "Spende"),
            _tx(date(2026, 6, 30), "12.34", "Meine Bank", "Zinsen 2. Quartal"),
            _tx(date(2026, 7, 4), "-42.50", "Buchhandlung Lesezeichen", "Fachliteratur"),
            _tx(date(2026, 8, 9), "-3.68", "REWE Markt GmbH", "Kartenzahlung"),  # the receipt below
            _tx(date(2026, 9, 9), "-120.00", "Fensterputz Blitzblank", "Fenster reinigen"),
            _tx(date(2026, 10, 1), "-60.00", "Gartenbau Grün", "Hecke schneiden"),  # no rule: corrected below
            _tx(date(2025, 12, 30), "-99.00", "Elektro Meier GmbH", "last year"),
        ], "test", "test")
        paid = s.scalar(select(FinTransaction.id).where(FinTransaction.amount_minor == -71400))
        rewe = s.scalar(select(FinTransaction.id).where(FinTransaction.amount_minor == -368))
        inv = FinInvoice(seller_key="name:elektromeier", seller_name="Elektro Meier GmbH", number="2026-17",
                         issue_date=date(2026, 2, 20), due_date=date(2026, 3, 6), currency="EUR", net_minor=60000,
                         vat_minor=11400, gross_minor=71400, due_minor=71400, syntax="cii", container="pdf",
                         status="paid", paid_at=date(2026, 3, 2), paid_transaction_id=paid,
                         file_name="meier.pdf", file_key="finance/invoices/2026/meier.pdf", file_sha256="0" * 64)
        s.add(inv)
        s.flush()
        s.add_all([FinInvoiceLine(invoice_id=inv.id, position=1, name="Arbeitszeit Elektriker", quantity="5",
                                  net_minor=40000, vat_rate="19", vat_category="S"),
                   FinInvoiceLine(invoice_id=inv.id, position=2, name="Material Kabel", quantity="1",
                                  net_minor=20000, vat_rate="19", vat_category="S")])
        s.add(FinReceipt(vendor="REWE Markt GmbH", amount_minor=368, currency="EUR", receipt_date=date(2026, 8, 8),
                         media="pdf", text="REWE Markt Milch Brot SUMME 3,68", file_name="rewe.pdf",
                         file_key="finance/receipts/2026/rewe.pdf", file_sha256="1" * 64, transaction_id=rewe))
        s.commit()
    from fpdf import FPDF

    for key in ("finance/invoices/2026/meier.pdf", "finance/receipts/2026/rewe.pdf"):
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(0, 10, key)
        files.save(key, bytes(pdf.output()))


def test_the_year_is_sorted_into_tax_categories_each_item_once(db: Database, tmp_path: Path) -> None:
    _seed(db, LocalBackend(tmp_path / "blobs"))
    with db.session() as s:
        folder = build_folder(s, 2026)
    got = {(i.kind, i.description.split(",")[0].split(":")[0], i.category) for i in folder.items}
    assert got == {("invoice", "Elektro Meier GmbH", "craftsmen"), ("transaction", "Techniker Krankenkasse", "provision"),
                   ("transaction", "UNICEF", "special"), ("transaction", "Meine Bank", "capital"),
                   ("transaction", "Buchhandlung Lesezeichen", "work_expenses"),
                   ("transaction", "Fensterputz Blitzblank", "household")}
    sums = {sm.key: sm for sm in folder.sums()}
    # labour share: 400.00 net + 19 % VAT; material does not count; 20 % of it off the tax
    assert sums["craftsmen"].labour == Decimal("476.00") and sums["craftsmen"].reduction == Decimal("95.20")
    assert sums["craftsmen"].total == Decimal("714.00")
    assert sums["household"].missing_labour == 1  # a booking without an invoice naming the labour share


def test_a_correction_sticks_for_the_payees_next_booking(db: Database, tmp_path: Path) -> None:
    _seed(db, LocalBackend(tmp_path / "blobs"))
    with db.session() as s:
        garden = s.scalar(select(FinTransaction.id).where(FinTransaction.counterparty == "Gartenbau Grün"))
        assert garden is not None
        rule = correct(s, "transaction", garden, category_key("household"), "Gartenbau Grün")
        fee = s.scalar(select(FinTransaction.id).where(FinTransaction.counterparty == "Buchhandlung Lesezeichen"))
        assert fee is not None
        correct(s, "transaction", fee, category_key("none"), "")  # out of the folder, no rule
    assert rule == "gartenbau gruen"
    with db.session() as s:
        import_items(s, [_tx(date(2026, 11, 2), "-75.00", "GARTENBAU GRÜN GmbH", "Laub")], "test2", "test")
        folder = build_folder(s, 2026)
    garden_items = [i for i in folder.items if "Gartenbau" in i.description or "GARTENBAU" in i.description]
    assert [i.category for i in garden_items] == ["household", "household"]
    assert not [i for i in folder.items if "Lesezeichen" in i.description]


def test_the_export_writes_csv_xlsx_and_a_pdf_bundle(db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    files = LocalBackend(tmp_path / "blobs")
    _seed(db, files)
    with db.session() as s:
        folder = build_folder(s, 2026)
    done = export(folder, files, tmp_path / "out", "86095742719")
    rows = list(csv.reader(done.csv.open(encoding="utf-8-sig"), delimiter=";"))
    assert rows[0][0] == "Kategorie" and len(rows) == 1 + len(folder.items)
    craft = next(r for r in rows if r[3] == "Rechnung")
    assert craft[6] == "714,00" and craft[8] == "476,00" and craft[1] == "Anlage Haushaltsnahe Aufwendungen"
    wb = load_workbook(done.xlsx)
    summary = {r[0]: r for r in wb["Zusammenfassung"].iter_rows(min_row=3, values_only=True)}
    assert summary["Handwerkerleistungen (§ 35a Abs. 3 EStG)"][3:] == (714.0, 476.0, 95.2)
    assert wb["Zusammenfassung"]["B1"].value == "Steuer-ID 86095742719"
    pdf = PdfReader(done.pdf)
    assert done.documents == 1 and len(pdf.pages) == 2  # cover + the invoice (the matched receipt is not an item)
    cover = pdf.pages[0].extract_text()
    assert "Steuerordner 2026" in cover and "Handwerkerleistungen" in cover and "95,20" in cover
    assert "finance/invoices/2026/meier.pdf" in pdf.pages[1].extract_text()


def test_the_command_refuses_a_wrong_steuer_id_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PA_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    out = tmp_path / "folder"
    res = subprocess.run([sys.executable, "-m", "app.cli.main", "finance", "tax-export", "2026", "--out", str(out),
                          "--steuer-id", "86095742718"], capture_output=True, text=True, timeout=300, env=env,
                         cwd=str(ROOT))
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2 and len(lines) == 1 and "check digit" in lines[0], res.stderr
    assert not out.exists()
