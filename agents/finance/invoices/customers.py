"""The customer list for the invoices the user creates: name, address, e-mail, VAT id, and a buyer
reference (a Leitweg-ID for public-sector customers). One customer per name (compared normalised);
found by the name the user says, or a clear part of it."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agents.finance.invoices.issued_db import FinCustomer
from agents.finance.invoices.outgoing import Customer, InvoiceInputError
from agents.finance.text import squash

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")
_FORMS = re.compile(r"\b(gmbh|ag|kg|ug|ohg|gbr|ev|e\.v\.|ltd|inc|co|und|and|&)\b", re.I)


def _customer(r: FinCustomer) -> Customer:
    return Customer(r.id, r.name, r.street, r.postcode, r.city, r.country, r.email, r.vat_id, r.buyer_reference)


def add_customer(s: Session, name: str, street: str = "", postcode: str = "", city: str = "", country: str = "DE",
                 email: str = "", vat_id: str = "", buyer_reference: str = "") -> Customer:
    """Store a new customer (committed), or InvoiceInputError with one line."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvoiceInputError("a customer needs a name (at most 200 characters)",
                                "ein Kunde braucht einen Namen (höchstens 200 Zeichen)")
    if email and not _EMAIL.match(email.strip()):
        raise InvoiceInputError(f"{email!r} is not an e-mail address", f"{email!r} ist keine E-Mail-Adresse")
    vat = vat_id.replace(" ", "").upper()
    if vat and not _VAT_ID.match(vat):
        raise InvoiceInputError(f"{vat_id!r} is not a VAT id (two letters and the number, e.g. DE123456789)",
                                f"{vat_id!r} ist keine USt-IdNr. (zwei Buchstaben und die Nummer, z. B. DE123456789)")
    country = (country or "DE").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvoiceInputError(f"{country!r} is not a two-letter country code",
                                f"{country!r} ist kein zweistelliger Ländercode")
    row = FinCustomer(name=name, name_key=squash(name)[:200], street=street.strip()[:200],
                      postcode=postcode.strip()[:20], city=city.strip()[:100], country=country,
                      email=email.strip()[:200], vat_id=vat, buyer_reference=buyer_reference.strip()[:100])
    s.add(row)
    try:
        s.commit()
    except IntegrityError:
        s.rollback()
        raise InvoiceInputError(f"there is already a customer named {name}",
                                f"es gibt schon einen Kunden namens {name}") from None
    return _customer(row)


def list_customers(s: Session) -> list[Customer]:
    return [_customer(r) for r in s.scalars(select(FinCustomer).order_by(FinCustomer.name))]


def find_customer(s: Session, said: str) -> Customer:
    """The one customer the words name: the whole name, else the name without its legal form
    ("Müller" for "Müller GmbH"). InvoiceInputError when none or several match."""
    key = squash(said)
    rows = list(s.scalars(select(FinCustomer)))
    exact = [r for r in rows if r.name_key == key]
    if len(exact) == 1:
        return _customer(exact[0])
    core = squash(_FORMS.sub(" ", said))
    partial = [r for r in rows if core and (core in r.name_key or squash(_FORMS.sub(" ", r.name)) in key)]
    if len(partial) == 1:
        return _customer(partial[0])
    if len(partial) > 1:
        names = ", ".join(r.name for r in partial[:4])
        raise InvoiceInputError(f"several customers match {said!r}: {names}",
                                f"mehrere Kunden passen zu {said!r}: {names}")
    raise InvoiceInputError(f"no customer named {said!r} in your customer list",
                            f"kein Kunde namens {said!r} in deiner Kundenliste")
