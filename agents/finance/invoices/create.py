"""Create an invoice (Finance II, for freelancers): the customer from the customer list, the next gapless
number of the year, the CII XML (drafthorse), the Factur-X PDF/A-3 and the XRechnung XML. Both files are
read back with the importer's reader and must pass our own check (XSD, EN16931 rules, sums) and state what
was asked before anything is kept; then they go through the storage adapter and the invoice into the
database, in the transaction that took the number. Whatever fails, nothing is left: no row, no file, and
the number is not used up."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from agents.finance.invoices.check import check
from agents.finance.invoices.cii_build import build_cii
from agents.finance.invoices.customers import find_customer
from agents.finance.invoices.issued_db import FinIssuedInvoice
from agents.finance.invoices.numbering import next_number
from agents.finance.invoices.outgoing import (
    InvoiceInputError,
    Item,
    Language,
    NewInvoice,
    Seller,
    check_items,
    check_rate,
)
from agents.finance.invoices.pdf_render import facturx_pdf
from agents.finance.invoices.read import read_bytes
from agents.finance.money import to_minor
from storage.base import Backend

KEY_PREFIX = "finance/invoices/issued"


class InvoiceNotValid(InvoiceInputError):
    """A created file failed our own check: a fault of ours, said in one line; nothing is kept."""


@dataclass(frozen=True)
class Created:
    id: int
    invoice: NewInvoice
    pdf: bytes
    xml: bytes  # the XRechnung XML
    pdf_key: str
    xml_key: str
    pdf_sha256: str
    xml_sha256: str
    rules_checked: bool

    def line(self, lang: str = "en") -> str:
        inv = self.invoice
        amount = f"{inv.gross:.2f} {inv.currency}"
        if lang == "de":
            vat = "ohne Umsatzsteuer (§ 19 UStG)" if inv.vat_rate is None else f"inkl. {inv.vat_rate} % USt."
            return (f"Rechnung {inv.number} an {inv.customer.name} erstellt: {amount} {vat}, fällig am "
                    f"{inv.due_date.strftime('%d.%m.%Y')}")
        vat = "without VAT (§ 19 UStG)" if inv.vat_rate is None else f"incl. {inv.vat_rate}% VAT"
        return (f"created invoice {inv.number} to {inv.customer.name}: {amount} {vat}, due "
                f"{inv.due_date.isoformat()}")


def _verified(data: bytes, inv: NewInvoice, rules_dir: Path | None, what: str) -> bool:
    """Read the created file back with the importer's reader and check it; True when the EN16931 rules ran."""
    got = read_bytes(data)
    result = check(got.invoice, got.xml, rules_dir)
    if not result.ok:
        rules = ", ".join(p.rule for p in result.errors)
        raise InvoiceNotValid(f"the created {what} failed our own check ({rules}): no invoice was created",
                              f"die erstellte Datei ({what}) hat unsere Prüfung nicht bestanden ({rules}): "
                              "keine Rechnung erstellt")
    read = got.invoice
    stated = (read.number, read.totals.due, read.totals.vat, read.seller.name, read.buyer.name, read.currency)
    if stated != (inv.number, inv.gross, inv.vat, inv.seller.name, inv.customer.name, inv.currency):
        raise InvoiceNotValid(f"the created {what} does not state what was asked: no invoice was created",
                              f"die erstellte Datei ({what}) enthält nicht das Verlangte: keine Rechnung erstellt")
    return result.rules_checked


def create_invoice(s: Session, backend: Backend, seller: Seller, customer: str, items: tuple[Item, ...],
                   vat_percent: Decimal | None, language: Language, rules_dir: Path | None, today: date,
                   payment_days: int = 14, buyer_reference: str = "") -> Created:
    """One new invoice (committed) or InvoiceInputError / a storage error, and nothing kept.
    ``vat_percent`` None = no VAT under § 19 UStG; a small business (the seller's setting) cannot charge VAT."""
    check_items(items)
    check_rate(vat_percent)
    if seller.small_business and vat_percent is not None:
        raise InvoiceInputError("you are set up as a small business (§ 19 UStG): your invoices carry no VAT",
                                "du bist als Kleinunternehmer eingerichtet (§ 19 UStG): deine Rechnungen "
                                "enthalten keine Umsatzsteuer")
    if vat_percent is None and not seller.small_business:
        raise InvoiceInputError("an invoice without VAT needs the small business rule (§ 19 UStG) in your seller "
                                "details", "eine Rechnung ohne Umsatzsteuer braucht die Kleinunternehmerregelung "
                                "(§ 19 UStG) in deinen Absenderangaben")
    if len(buyer_reference) > 100:
        raise InvoiceInputError("the buyer reference is too long (at most 100 characters)",
                                "die Käuferreferenz ist zu lang (höchstens 100 Zeichen)")
    who = find_customer(s, customer)
    stored: list[str] = []
    try:
        number = next_number(s, today.year)
        inv = NewInvoice(number=number, issue_date=today, due_date=today + timedelta(days=payment_days),
                         seller=seller, customer=who, items=items, vat_rate=vat_percent, language=language,
                         buyer_reference=buyer_reference.strip())
        pdf = facturx_pdf(inv, build_cii(inv, "facturx"))
        xml = build_cii(inv, "xrechnung")
        rules_checked = _verified(pdf, inv, rules_dir, "PDF") & _verified(xml, inv, rules_dir, "XRechnung XML")
        base = f"{KEY_PREFIX}/{today.year}/{number}"
        saved = {}
        for key, data in ((f"{base}.pdf", pdf), (f"{base}-xrechnung.xml", xml)):
            if backend.exists(key):
                raise InvoiceInputError(f"a file for invoice {number} is already in storage: not overwritten",
                                        f"eine Datei zu Rechnung {number} liegt schon im Speicher: nicht "
                                        "überschrieben")
            sha = hashlib.sha256(data).hexdigest()
            got = backend.save(key, data)
            stored.append(key)
            if got.sha256 != sha:
                raise InvoiceInputError("the stored copy of the invoice differs from it: not created",
                                        "die gespeicherte Kopie der Rechnung weicht ab: nicht erstellt")
            saved[key] = sha
        row = FinIssuedInvoice(
            number=number, customer_id=who.id, customer_name=who.name, customer_email=who.email, issue_date=today,
            due_date=inv.due_date, language=language, vat_rate=None if vat_percent is None else str(vat_percent),
            currency=inv.currency, net_minor=to_minor(inv.net), vat_minor=to_minor(inv.vat),
            gross_minor=to_minor(inv.gross), pdf_key=f"{base}.pdf", pdf_sha256=saved[f"{base}.pdf"],
            xml_key=f"{base}-xrechnung.xml", xml_sha256=saved[f"{base}-xrechnung.xml"], status="created")
        s.add(row)
        s.commit()
    except BaseException:
        s.rollback()
        for key in stored:
            backend.delete(key)
        raise
    return Created(row.id, inv, pdf, xml, row.pdf_key, row.xml_key, row.pdf_sha256, row.xml_sha256, rules_checked)
