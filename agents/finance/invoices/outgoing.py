"""What an invoice the user writes is made of (Finance II, creating invoices): the seller (the user's own
details, from the settings), the customer (from the stored customer list), the items, and the sums the
invoice states, computed once here so the XML, the visible PDF and the database say the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

CENT = Decimal("0.01")
VAT_RATES = (Decimal("19"), Decimal("7"))  # the German standard and reduced rate
SMALL_BUSINESS_NOTE = {
    "en": "No VAT is charged: small business under § 19 UStG (Kleinunternehmerregelung).",
    "de": "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung).",
}
UNITS = {"HUR": ("hours", "Stunden"), "DAY": ("days", "Tage"), "C62": ("pieces", "Stück")}
Language = Literal["en", "de"]


class InvoiceInputError(ValueError):
    """Bad input for a new invoice: one line in English and German, nothing created."""

    def __init__(self, en: str, de: str) -> None:
        super().__init__(en)
        self.en, self.de = en, de

    def in_language(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


@dataclass(frozen=True)
class Seller:
    name: str
    street: str
    postcode: str
    city: str
    country: str
    email: str
    phone: str
    iban: str
    bic: str = ""
    vat_id: str = ""  # USt-IdNr. (BT-31)
    tax_number: str = ""  # Steuernummer (BT-32), enough for the small business rule
    small_business: bool = False  # § 19 UStG: no VAT


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "DE"
    email: str = ""
    vat_id: str = ""
    buyer_reference: str = ""  # a Leitweg-ID (public sector) or the customer's own reference


@dataclass(frozen=True)
class Item:
    description: str
    quantity: Decimal
    unit_price: Decimal  # net, per unit
    unit: str = "HUR"  # UN/ECE rec. 20: HUR hour, DAY day, C62 piece

    @property
    def net(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class NewInvoice:
    """Everything the files state; ``vat_rate`` None = the small business rule (category E, no VAT)."""

    number: str
    issue_date: date
    due_date: date
    seller: Seller
    customer: Customer
    items: tuple[Item, ...]
    vat_rate: Decimal | None
    language: Language = "en"
    buyer_reference: str = ""
    currency: str = "EUR"

    @property
    def net(self) -> Decimal:
        return sum((i.net for i in self.items), Decimal("0.00"))

    @property
    def vat(self) -> Decimal:
        if self.vat_rate is None:
            return Decimal("0.00")
        return (self.net * self.vat_rate / 100).quantize(CENT, ROUND_HALF_UP)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def vat_category(self) -> str:
        return "E" if self.vat_rate is None else "S"

    @property
    def notes(self) -> tuple[str, ...]:
        return (SMALL_BUSINESS_NOTE[self.language],) if self.vat_rate is None else ()


def check_items(items: tuple[Item, ...]) -> None:
    """Each item positive and sensible (InvoiceInputError otherwise)."""
    if not items:
        raise InvoiceInputError("an invoice needs at least one item", "eine Rechnung braucht mindestens eine Position")
    for it in items:
        if not it.description.strip():
            raise InvoiceInputError("an item has no description", "einer Position fehlt die Beschreibung")
        if it.quantity <= 0:
            raise InvoiceInputError(f"the quantity must be more than 0 (got {it.quantity})",
                                    f"die Menge muss größer als 0 sein (angegeben: {it.quantity})")
        if it.unit_price <= 0:
            raise InvoiceInputError(f"the price must be more than 0 (got {it.unit_price})",
                                    f"der Preis muss größer als 0 sein (angegeben: {it.unit_price})")
        if it.quantity > 100_000 or it.unit_price > 10_000_000:
            raise InvoiceInputError("an item's quantity or price is implausibly large",
                                    "Menge oder Preis einer Position sind unplausibel groß")
        if it.unit not in UNITS:
            raise InvoiceInputError(f"unknown unit {it.unit!r} (known: {', '.join(UNITS)})",
                                    f"unbekannte Einheit {it.unit!r} (bekannt: {', '.join(UNITS)})")


def check_rate(rate: Decimal | None) -> None:
    if rate is not None and rate not in VAT_RATES:
        raise InvoiceInputError(f"the VAT rate must be 19 or 7 percent (got {rate})",
                                f"der Umsatzsteuersatz muss 19 oder 7 Prozent sein (angegeben: {rate})")
