"""The typed invoice record every syntax (CII, UBL, Factur-X PDF) is read into. Amounts are ``Decimal``
as the invoice states them (never float); rates are percent (``Decimal("19.00")``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Syntax = Literal["cii", "ubl"]
Container = Literal["pdf", "xml"]

# UNTDID 1001 document types that are credit notes (EN16931 code list for BT-3)
CREDIT_NOTE_TYPES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
# UNTDID 4461 payment means that are a direct debit (the seller collects: nothing to transfer)
DIRECT_DEBIT_MEANS = frozenset({"49", "59"})


@dataclass(frozen=True)
class Party:
    name: str
    vat_id: str = ""
    country: str = ""


@dataclass(frozen=True)
class AllowanceCharge:
    """An allowance (``charge=False``) or a charge on the whole invoice or on one line."""

    charge: bool
    amount: Decimal
    basis: Decimal | None = None
    percent: Decimal | None = None
    vat_rate: Decimal | None = None
    vat_category: str = ""


@dataclass(frozen=True)
class InvoiceLine:
    line_id: str
    name: str
    quantity: Decimal
    unit: str
    net_amount: Decimal
    vat_rate: Decimal | None
    vat_category: str
    net_price: Decimal | None = None
    price_basis_quantity: Decimal | None = None
    allowances: tuple[AllowanceCharge, ...] = ()


@dataclass(frozen=True)
class VatBreakdown:
    category: str
    rate: Decimal | None
    basis: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    lines: Decimal
    allowances: Decimal
    charges: Decimal
    net: Decimal  # BT-109, the total without VAT
    vat: Decimal  # BT-110, in the invoice currency
    gross: Decimal  # BT-112
    prepaid: Decimal
    rounding: Decimal
    due: Decimal  # BT-115, the amount to pay


@dataclass(frozen=True)
class Invoice:
    syntax: Syntax
    type_code: str
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    seller: Party
    buyer: Party
    totals: Totals
    vat: tuple[VatBreakdown, ...]
    lines: tuple[InvoiceLine, ...]
    allowances: tuple[AllowanceCharge, ...] = ()
    iban: str = ""  # the seller's account to pay to (never the buyer's direct-debit account)
    bic: str = ""
    payment_reference: str = ""
    payment_means: str = ""
    profile: str = ""  # the specification identifier (BT-24): EN16931, XRechnung ...
    notes: tuple[str, ...] = field(default=())

    @property
    def credit_note(self) -> bool:
        """A credit note by its type, or an invoice whose amount due is negative (money back)."""
        return self.type_code in CREDIT_NOTE_TYPES or self.totals.due < 0

    @property
    def direct_debit(self) -> bool:
        return self.payment_means in DIRECT_DEBIT_MEANS
