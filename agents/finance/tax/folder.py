"""The year's tax folder: every booking, receipt and invoice of the year that falls into a tax category,
each counted once (a booking paid by a matched receipt or a paid invoice is shown as that document), with
the § 35a labour share taken from the invoice's lines (work, hours, travel; not material) or the receipt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.finance.db import FinCategory, FinTransaction
from agents.finance.invoices.db import FinInvoice, FinInvoiceLine
from agents.finance.money import from_minor
from agents.finance.receipts.db import FinReceipt
from agents.finance.tax.categories import BY_KEY, CATEGORIES, NONE, REDUCTION_CAP, REDUCTION_PERCENT
from agents.finance.tax.rules import Rules, load_rules
from agents.finance.text import words

LABOUR_WORDS = re.compile(r"\b(arbeit\w*|\w*arbeiten|lohn\w*|montage\w*|monteur\w*|stunden?|std|anfahrt\w*|fahrtkosten|"
                          r"handwerkerleistung\w*|dienstleistung\w*|labou?r|work|hours?|installation|service)\b")
LEDGER_TO_TAX = {"donations": "special"}


@dataclass(frozen=True)
class TaxItem:
    kind: str  # transaction receipt invoice
    id: int
    day: date
    category: str
    description: str
    amount: Decimal  # positive: money out for expenses, money in for capital income
    currency: str
    labour: Decimal | None  # § 35a categories: the labour share, None when no document names it
    file_key: str = ""
    file_name: str = ""
    media: str = ""  # pdf jpeg png xml


@dataclass(frozen=True)
class CategorySum:
    key: str
    count: int
    total: Decimal
    labour: Decimal
    missing_labour: int  # § 35a items without a document that names the labour share
    reduction: Decimal | None  # § 35a: 20 % of the labour share, capped


@dataclass(frozen=True)
class TaxFolder:
    year: int
    items: list[TaxItem]

    def sums(self) -> list[CategorySum]:
        out = []
        for c in CATEGORIES:
            mine = [i for i in self.items if i.category == c.key]
            if not mine:
                continue
            total = sum((i.amount for i in mine), Decimal(0))
            labour = sum((i.labour or Decimal(0) for i in mine), Decimal(0))
            reduction = None
            if c.labour:
                reduction = min(labour * REDUCTION_PERCENT / 100, Decimal(REDUCTION_CAP[c.key])).quantize(Decimal("0.01"))
            out.append(CategorySum(c.key, len(mine), total, labour,
                                   sum(1 for i in mine if c.labour and i.labour is None), reduction))
        return out


def _labour_of_invoice(lines: list[FinInvoiceLine], currency: str) -> Decimal | None:
    got = Decimal(0)
    for li in lines:
        if LABOUR_WORDS.search(words(li.name)):
            rate = Decimal(li.vat_rate) if li.vat_rate else Decimal(0)
            got += from_minor(li.net_minor, currency) * (1 + rate / 100)
    return got.quantize(Decimal("0.01")) if got else None


def build_folder(s: Session, year: int, rules: Rules | None = None) -> TaxFolder:
    rules = rules or load_rules(s)
    start, end = date(year, 1, 1), date(year, 12, 31)
    items: list[TaxItem] = []
    covered: set[int] = set()  # bookings shown as their document
    for inv in s.scalars(select(FinInvoice)).all():
        day = inv.paid_at or inv.issue_date
        if inv.paid_transaction_id is not None:
            covered.add(inv.paid_transaction_id)
        if not start <= day <= end:
            continue
        lines = list(s.scalars(select(FinInvoiceLine).where(FinInvoiceLine.invoice_id == inv.id)
                               .order_by(FinInvoiceLine.position)).all())
        text = " ".join([inv.seller_name, *(li.name for li in lines)])
        key = rules.category("invoice", inv.id, text, money_in=False)
        if key == NONE:
            continue
        labour = _labour_of_invoice(lines, inv.currency) if BY_KEY[key].labour else None
        items.append(TaxItem("invoice", inv.id, day, key, f"{inv.seller_name}, {inv.number}",
                             from_minor(inv.gross_minor, inv.currency), inv.currency, labour, inv.file_key,
                             inv.file_name, inv.container))
    for r in s.scalars(select(FinReceipt)).all():
        if r.transaction_id is not None:
            covered.add(r.transaction_id)
        if r.receipt_date is None or not start <= r.receipt_date <= end or r.amount_minor is None:
            continue
        key = rules.category("receipt", r.id, f"{r.vendor} {r.text}", money_in=False)
        if key == NONE:
            continue
        labour = from_minor(r.labour_minor, r.currency) if r.labour_minor is not None and BY_KEY[key].labour else None
        items.append(TaxItem("receipt", r.id, r.receipt_date, key, r.vendor or r.file_name,
                             from_minor(r.amount_minor, r.currency), r.currency, labour, r.file_key, r.file_name,
                             r.media))
    ledger = dict(s.execute(select(FinCategory.id, FinCategory.key)).tuples().all())
    for t in s.scalars(select(FinTransaction).where(FinTransaction.booking_date >= start,
                                                    FinTransaction.booking_date <= end,
                                                    FinTransaction.pending.is_(False))).all():
        if t.id in covered:
            continue
        money_in = t.amount_minor > 0
        key = rules.category("transaction", t.id, f"{t.counterparty} {t.purpose}", money_in)
        if key == NONE and ("transaction", t.id) not in rules.items and not money_in:
            key = LEDGER_TO_TAX.get(ledger.get(t.category_id or -1, ""), NONE)
        if key == NONE:
            continue
        items.append(TaxItem("transaction", t.id, t.booking_date, key,
                             f"{t.counterparty or '-'}: {t.purpose}"[:200],
                             from_minor(abs(t.amount_minor), t.currency), t.currency, None))
    items.sort(key=lambda i: (i.category, i.day, i.kind, i.id))
    return TaxFolder(year, items)
