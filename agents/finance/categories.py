"""Categories and rules: the default German category set (with English names), rules that put a
booking in a category by payee, IBAN or purpose text, and learning from the user's corrections (a
correction creates a rule for that payee, or moves the existing one to the new category)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agents.finance.db import FinCategory, FinRule, FinTransaction
from agents.finance.text import payee_key, words
from storage.db.models import utcnow

# key, German name, English name, kind
DEFAULT_CATEGORIES: list[tuple[str, str, str, str]] = [
    ("groceries", "Lebensmittel", "Groceries", "expense"),
    ("rent", "Miete", "Rent", "expense"),
    ("utilities", "Nebenkosten & Energie", "Utilities & energy", "expense"),
    ("insurance", "Versicherungen", "Insurance", "expense"),
    ("mobility", "Mobilität", "Transport", "expense"),
    ("restaurants", "Restaurants", "Restaurants", "expense"),
    ("subscriptions", "Abos", "Subscriptions", "expense"),
    ("telecom", "Telefon & Internet", "Phone & internet", "expense"),
    ("shopping", "Einkäufe", "Shopping", "expense"),
    ("health", "Gesundheit", "Health", "expense"),
    ("leisure", "Freizeit", "Leisure", "expense"),
    ("travel", "Reisen", "Travel", "expense"),
    ("cash", "Bargeld", "Cash", "expense"),
    ("fees", "Bankgebühren", "Bank fees", "expense"),
    ("taxes", "Steuern & Abgaben", "Taxes", "expense"),
    ("donations", "Spenden", "Donations", "expense"),
    ("salary", "Gehalt", "Salary", "income"),
    ("other_income", "Sonstige Einnahmen", "Other income", "income"),
    ("transfers", "Umbuchungen", "Transfers", "transfer"),
    ("other", "Sonstiges", "Other", "expense"),
]

# shipped rules: (field, text in ``words`` form, category key); users' corrections win over them
DEFAULT_RULES: list[tuple[str, str, str]] = [
    *[("payee", p, "groceries") for p in ("rewe", "edeka", "aldi", "lidl", "netto", "penny", "kaufland",
                                          "real", "tegut", "globus", "denns", "alnatura")],
    *[("payee", p, "restaurants") for p in ("lieferando", "mcdonalds", "burger king", "starbucks", "wolt")],
    *[("payee", p, "mobility") for p in ("deutsche bahn", "db vertrieb", "aral", "shell", "esso", "total",
                                         "jet tankstelle", "bvg", "mvg", "hvv", "uber", "sixt", "share now")],
    *[("payee", p, "subscriptions") for p in ("netflix", "spotify", "disney", "dazn", "audible", "apple com bill",
                                              "amazon prime", "youtube premium")],
    *[("payee", p, "insurance") for p in ("allianz", "huk", "ergo", "axa", "generali", "devk", "debeka",
                                          "signal iduna", "r v versicherung")],
    *[("payee", p, "telecom") for p in ("telekom", "vodafone", "o2", "telefonica", "1 1", "congstar")],
    *[("payee", p, "shopping") for p in ("amazon", "zalando", "ikea", "otto", "mediamarkt", "saturn", "dm drogerie",
                                         "rossmann")],
    *[("payee", p, "health") for p in ("apotheke", "techniker krankenkasse", "aok", "barmer")],
    *[("payee", p, "utilities") for p in ("stadtwerke", "vattenfall", "eon", "e on", "enbw", "rundfunk")],
    ("payee", "finanzamt", "taxes"),
    ("purpose", "miete", "rent"),
    ("purpose", "gehalt", "salary"),
    ("purpose", "lohn", "salary"),
    ("purpose", "bargeldauszahlung", "cash"),
    ("purpose", "geldautomat", "cash"),
    ("purpose", "entgeltabschluss", "fees"),
    ("purpose", "kontofuehrung", "fees"),
    ("purpose", "spende", "donations"),
]


def ensure_defaults(s: Session) -> None:
    """Adds the default categories and rules that are missing (idempotent; a user's edits are kept)."""
    have = {c.key: c for c in s.scalars(select(FinCategory))}
    for key, de, en, kind in DEFAULT_CATEGORIES:
        if key not in have:
            have[key] = FinCategory(key=key, name_de=de, name_en=en, kind=kind)
            s.add(have[key])
    s.flush()
    rules = {(r.field, r.pattern) for r in s.scalars(select(FinRule))}
    for field, pattern, key in DEFAULT_RULES:
        if (field, pattern) not in rules:
            s.add(FinRule(field=field, pattern=pattern, category_id=have[key].id, source="default"))
    s.flush()


@dataclass(frozen=True)
class _Compiled:
    id: int
    field: str
    pattern: str
    category_id: int
    user: bool

    @property
    def needle(self) -> str:
        """The pattern as whole words inside a text padded with spaces."""
        return f" {self.pattern} "


class Categorizer:
    """The rules, loaded once per import: user rules first, then IBAN before payee before purpose, and
    the longest (most specific) text first."""

    _ORDER: ClassVar[dict[str, int]] = {"iban": 0, "payee": 1, "purpose": 2}

    def __init__(self, s: Session) -> None:
        rows = s.scalars(select(FinRule)).all()
        self.rules = sorted(
            (_Compiled(r.id, r.field, r.pattern, r.category_id, r.source == "user") for r in rows),
            key=lambda r: (not r.user, self._ORDER.get(r.field, 9), -len(r.pattern)),
        )
        # (field, text to look for, rule) in the order above, the padding done once per import
        self._checks = [(r.field, r.pattern if r.field == "iban" else r.needle, r) for r in self.rules]

    def match(self, counterparty: str, counterparty_iban: str | None, purpose: str) -> _Compiled | None:
        texts = {"payee": f" {words(counterparty)} ", "purpose": f" {words(purpose)} "}
        iban = (counterparty_iban or "").upper()
        for field, needle, rule in self._checks:
            if field == "iban":
                if iban and needle == iban:
                    return rule
            elif needle in texts.get(field, ""):
                return rule
        return None


def category_by_name(s: Session, name: str) -> FinCategory | None:
    """A category by key or by its German or English name (case and umlauts ignored)."""
    want = words(name)
    for c in s.scalars(select(FinCategory)):
        if want in (words(c.key), words(c.name_de), words(c.name_en)):
            return c
    return None


def correct(s: Session, transaction_id: int, category_key: str, apply_to_similar: bool = True) -> FinRule:
    """The user says a booking belongs to another category: it is recategorised, a rule for its payee
    (or its IBAN when it has no name) is created or moved to the new category, and with
    ``apply_to_similar`` the payee's other bookings not set by hand follow."""
    tx = s.get(FinTransaction, transaction_id)
    if tx is None:
        raise KeyError(f"no transaction {transaction_id}")
    cat = category_by_name(s, category_key)
    if cat is None:
        raise KeyError(f"no category {category_key!r}")
    tx.category_id, tx.category_source = cat.id, "user"
    field, pattern = ("payee", words(tx.counterparty)) if words(tx.counterparty) else (
        "iban", (tx.counterparty_iban or "").upper())
    if not pattern:
        field, pattern = "purpose", words(tx.purpose)[:200]
    rule = s.scalar(select(FinRule).where(FinRule.field == field, FinRule.pattern == pattern))
    if rule is None:
        rule = FinRule(field=field, pattern=pattern[:200], category_id=cat.id, source="user")
        s.add(rule)
    else:
        rule.category_id, rule.source, rule.updated_at = cat.id, "user", utcnow()
    s.flush()
    if apply_to_similar:
        key = payee_key(tx.counterparty, tx.counterparty_iban)
        s.execute(update(FinTransaction)
                  .where(FinTransaction.payee_key == key, FinTransaction.category_source != "user")
                  .values(category_id=cat.id, category_source="rule"))
    return rule
