"""E-invoices as the Finance screen shows them (no Flet): the open invoices, and one file imported from
the screen (a file picked on the desktop or uploaded from a browser) with the fields that were read and
checked and, when it is not filed, the failed rules in plain words. The import is the same as
``personal-agent finance invoice import`` (agents/finance/invoices/store.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from agents.finance.invoices.read import InvoiceError, NoInvoiceData, read_bytes
from agents.finance.invoices.store import InvoiceRefused, import_data
from agents.finance.invoices.store import open_invoices as stored_open_invoices
from storage.db.engine import Database
from storage.errors import StorageError

if TYPE_CHECKING:
    from agents.finance.invoices.model import Invoice
    from app.services import Services


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    seller: str
    number: str
    amount: Decimal
    currency: str
    due_date: date | None
    iban: str
    direct_debit: bool


@dataclass(frozen=True)
class Checked:
    """One imported file: ``imported`` or not, ``reason`` (why not, one line, as the import says it),
    ``fields`` (field key -> value as read), ``problems`` (rule -> plain words, English and German)."""

    name: str
    imported: bool
    reason: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # rule, English, German
    warnings: list[str] = field(default_factory=list)  # rule ids kept with a filed invoice
    scan: bool = False  # a PDF without e-invoice data: it can be read as a receipt (OCR) instead


@dataclass(frozen=True)
class ReadReceipt:
    """A file read as a receipt (OCR): what was found, or why it was not added."""

    name: str
    added: bool
    vendor: str = ""
    amount: Decimal | None = None
    currency: str = "EUR"
    day: date | None = None
    booking: str = ""  # the matched bank booking in a few words
    reason: str = ""


def open_invoices(db: Database) -> list[InvoiceRow]:
    with db.session() as s:
        return [InvoiceRow(r.id, r.seller, r.number, r.amount, r.currency, r.due_date, r.iban, r.direct_debit)
                for r in stored_open_invoices(s)]


def _fields(inv: Invoice) -> list[tuple[str, str]]:
    t, c = inv.totals, inv.currency
    rows = [("seller", inv.seller.name), ("number", inv.number), ("issued", inv.issue_date.isoformat()),
            ("due", inv.due_date.isoformat() if inv.due_date else ""), ("net", f"{t.net:.2f} {c}"),
            ("vat", f"{t.vat:.2f} {c}"), ("gross", f"{t.gross:.2f} {c}"), ("to_pay", f"{t.due:.2f} {c}"),
            ("iban", inv.iban), ("reference", inv.payment_reference)]
    return [(k, v) for k, v in rows if v]


def import_file(services: Services, name: str, data: bytes) -> Checked:
    """Read, check and file one invoice file's bytes; never raises for a bad file."""
    from app.wiring.finance import fints_settings, invoice_rules_dir

    cfg = fints_settings(services.settings)
    try:
        fields = _fields(read_bytes(data).invoice)
    except InvoiceError:
        fields = []
    try:
        with services.db.session() as s:
            done = import_data(s, services.storage, name, data, invoice_rules_dir(services), cfg.currency,
                               cfg.invoice_max_mb << 20)
    except InvoiceRefused as exc:
        return Checked(name, False, str(exc), fields, [(p.rule, p.en, p.de) for p in exc.problems])
    except NoInvoiceData as exc:
        return Checked(name, False, str(exc).split("\n")[0], fields, scan=True)
    except (InvoiceError, StorageError, OSError) as exc:
        return Checked(name, False, str(exc).split("\n")[0], fields)
    return Checked(name, True, "", fields, warnings=[p.rule for p in done.warnings])


def read_receipt(services: Services, name: str, data: bytes) -> ReadReceipt:
    """Read one file's bytes as a receipt (Tesseract OCR, offline), store it and match it to a booking; never
    raises for a bad file."""
    import tempfile
    from pathlib import Path

    from agents.finance.receipts.store import ReceiptError, add_receipt

    suffix = Path(name).suffix.lower() or ".pdf"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"receipt{suffix}"
        path.write_bytes(data)
        try:
            with services.db.session() as s:
                done = add_receipt(s, services.storage, path)
        except (ReceiptError, StorageError, OSError) as exc:
            return ReadReceipt(name, False, reason=str(exc).split("\n")[0])
    f = done.fields
    return ReadReceipt(name, True, f.vendor, f.amount, f.currency, f.day, done.booking if done.transaction_id else "")
