"""Import an e-invoice into the ledger as an open invoice: read, check, refuse what must not be filed
(a credit note, a foreign currency, a duplicate, a file that fails the rules), store the original file
through the storage adapter (its key and SHA-256 go into the database) and the fields in one database
transaction. Whatever goes wrong, nothing is left half-imported: a stored file is deleted again when the
database write fails."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.finance.invoices.check import CheckResult, check
from agents.finance.invoices.db import FinInvoice, FinInvoiceLine, FinInvoiceVat
from agents.finance.invoices.model import Invoice
from agents.finance.invoices.read import InvoiceError, read_bytes
from agents.finance.invoices.rules_text import Problem
from agents.finance.money import from_minor, to_minor
from agents.finance.text import squash
from storage.base import Backend

MAX_BYTES = 20 << 20  # an e-invoice is a few hundred KB; a bigger file is a scan or something else
KEY_PREFIX = "finance/invoices"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class InvoiceRefused(InvoiceError):
    """The file was read but is not filed (one line says why); ``problems`` lists failed rules."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Imported:
    id: int
    invoice: Invoice
    key: str
    sha256: str
    warnings: list[Problem] = field(default_factory=list)
    rules_checked: bool = True

    def line(self) -> str:
        inv = self.invoice
        due = f", due {inv.due_date.isoformat()}" if inv.due_date else ""
        return (f"imported: invoice {inv.number} from {inv.seller.name}, {inv.totals.due:.2f} {inv.currency}"
                f"{due}")


def seller_key(inv: Invoice) -> str:
    return f"vat:{squash(inv.seller.vat_id)}" if inv.seller.vat_id else f"name:{squash(inv.seller.name)}"[:200]


def _storage_key(inv: Invoice, sha: str, name: str) -> str:
    safe = _SAFE.sub("_", name).strip("._")[:80] or "invoice"
    return f"{KEY_PREFIX}/{inv.issue_date.year}/{sha[:16]}-{safe}"


def read_checked(data: bytes, rules_dir: Path | None) -> tuple[Invoice, bytes, str, CheckResult]:
    """Read and check; an invoice that fails a rule is refused with the failed rules."""
    got = read_bytes(data)
    result = check(got.invoice, got.xml, rules_dir)
    if not result.ok:
        rules = ", ".join(p.rule for p in result.errors)
        raise InvoiceRefused(f"the invoice fails {len(result.errors)} rule{'s' if len(result.errors) > 1 else ''} "
                             f"({rules}): not imported", result.errors)
    return got.invoice, got.xml, got.container, result


def import_invoice(s: Session, backend: Backend, path: Path, rules_dir: Path | None, currency: str = "EUR",
                   max_bytes: int = MAX_BYTES, today: date | None = None) -> Imported:
    """One file -> one open invoice (committed), or ``InvoiceError`` and nothing stored."""
    size = path.stat().st_size
    _check_size(size, max_bytes)
    return import_data(s, backend, path.name, path.read_bytes(), rules_dir, currency, max_bytes)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InvoiceRefused(f"the file is {size / (1 << 20):.0f} MB; an e-invoice file may be at most "
                             f"{max_bytes >> 20} MB (a scan is not read here)")
    if size == 0:
        raise InvoiceRefused("the file is empty")


def import_data(s: Session, backend: Backend, name: str, data: bytes, rules_dir: Path | None,
                currency: str = "EUR", max_bytes: int = MAX_BYTES) -> Imported:
    """One file's bytes (``name``: what it was called, e.g. a mail attachment) -> one open invoice
    (committed), or ``InvoiceError`` and nothing stored."""
    _check_size(len(data), max_bytes)
    inv, _xml, container, result = read_checked(data, rules_dir)
    if inv.credit_note:
        raise InvoiceRefused(f"invoice {inv.number} is a credit note ({inv.totals.due:.2f} {inv.currency} back to "
                             "you), not a bill to pay: not imported")
    if inv.currency != currency:
        raise InvoiceRefused(f"invoice {inv.number} is in {inv.currency or 'no currency'}; only invoices in "
                             f"{currency} are imported")
    key_seller = seller_key(inv)
    known = s.scalar(select(FinInvoice).where(FinInvoice.seller_key == key_seller, FinInvoice.number == inv.number))
    if known is not None:
        raise InvoiceRefused(f"invoice {inv.number} from {inv.seller.name} is already imported "
                             f"(from {known.file_name}): not imported again")
    sha = hashlib.sha256(data).hexdigest()
    key = _storage_key(inv, sha, name)
    existed = backend.exists(key)
    stored = backend.save(key, data)
    try:
        if stored.sha256 != sha:
            raise InvoiceError("the stored copy of the file differs from the file: not imported")
        row = _row(inv, key_seller, container, name, key, sha, result)
        s.add(row)
        s.flush()
        _children(s, row.id, inv)
        s.commit()
    except BaseException:
        s.rollback()
        if not existed:
            backend.delete(key)
        raise
    return Imported(row.id, inv, key, sha, result.warnings, result.rules_checked)


def _minor(amount: Decimal, currency: str) -> int:
    return to_minor(amount.quantize(from_minor(0, currency)), currency)


def _row(inv: Invoice, key_seller: str, container: str, name: str, key: str, sha: str,
         result: CheckResult) -> FinInvoice:
    t, c = inv.totals, inv.currency
    return FinInvoice(
        seller_key=key_seller, seller_name=inv.seller.name[:300], seller_vat_id=inv.seller.vat_id[:40],
        buyer_name=inv.buyer.name[:300], number=inv.number[:100], type_code=inv.type_code[:8],
        issue_date=inv.issue_date, due_date=inv.due_date, currency=c, net_minor=_minor(t.net, c),
        vat_minor=_minor(t.vat, c), gross_minor=_minor(t.gross, c), due_minor=_minor(t.due, c),
        iban=inv.iban[:64], bic=inv.bic[:11], payment_reference=inv.payment_reference[:200],
        direct_debit=inv.direct_debit, syntax=inv.syntax, container=container, status="open",
        file_name=name[:300], file_key=key, file_sha256=sha, warnings="\n".join(p.rule for p in result.warnings))


def _children(s: Session, invoice_id: int, inv: Invoice) -> None:
    c = inv.currency
    s.add_all([FinInvoiceLine(invoice_id=invoice_id, position=i, line_id=li.line_id[:40], name=li.name[:500],
                              quantity=str(li.quantity), unit=li.unit[:8], net_minor=_minor(li.net_amount, c),
                              vat_rate=None if li.vat_rate is None else str(li.vat_rate),
                              vat_category=li.vat_category[:4])
               for i, li in enumerate(inv.lines, 1)])
    s.add_all([FinInvoiceVat(invoice_id=invoice_id, category=v.category[:4],
                             rate=None if v.rate is None else str(v.rate), basis_minor=_minor(v.basis, c),
                             vat_minor=_minor(v.vat, c)) for v in inv.vat])
    s.flush()


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    seller: str
    number: str
    amount: Decimal
    currency: str
    due_date: date | None
    iban: str
    reference: str
    direct_debit: bool


def open_invoices(s: Session) -> list[OpenInvoice]:
    """The unpaid invoices, the earliest due first (those without a due date last)."""
    rows = s.scalars(select(FinInvoice).where(FinInvoice.status == "open")
                     .order_by(FinInvoice.due_date.is_(None), FinInvoice.due_date, FinInvoice.issue_date)).all()
    return [OpenInvoice(r.id, r.seller_name, r.number, from_minor(r.due_minor, r.currency), r.currency, r.due_date,
                        r.iban, r.payment_reference, r.direct_debit) for r in rows]
