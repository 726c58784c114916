"""The usual German tax categories of a private return, with the form they go to (EN + DE names)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaxCategory:
    key: str
    de: str
    en: str
    form: str  # where it goes in the return
    labour: bool = False  # § 35a: only the labour share (Arbeitskosten) counts


CATEGORIES: list[TaxCategory] = [
    TaxCategory("work_expenses", "Werbungskosten", "Work expenses", "Anlage N"),
    TaxCategory("provision", "Vorsorgeaufwand", "Insurance and pension contributions", "Anlage Vorsorgeaufwand"),
    TaxCategory("special", "Sonderausgaben", "Special expenses (donations, church tax, childcare)",
                "Anlage Sonderausgaben"),
    TaxCategory("household", "Haushaltsnahe Dienstleistungen (§ 35a Abs. 2 EStG)", "Household services (§ 35a (2))",
                "Anlage Haushaltsnahe Aufwendungen", labour=True),
    TaxCategory("craftsmen", "Handwerkerleistungen (§ 35a Abs. 3 EStG)", "Craftsmen's services (§ 35a (3))",
                "Anlage Haushaltsnahe Aufwendungen", labour=True),
    TaxCategory("capital", "Kapitalerträge", "Capital income", "Anlage KAP"),
]
BY_KEY = {c.key: c for c in CATEGORIES}
NONE = "none"  # a correction that takes an item out of the tax folder
# § 35a: 20 % of the labour share is deducted from the tax, at most 4,000 EUR (household) / 1,200 EUR (craftsmen)
REDUCTION_PERCENT = 20
REDUCTION_CAP = {"household": 4000, "craftsmen": 1200}


def category_key(text: str) -> str:
    """A category key from its key, German or English name (case-insensitive), or ``KeyError``."""
    t = text.strip().casefold()
    if t in (NONE, "keine", "kein", "nicht"):
        return NONE
    for c in CATEGORIES:
        if t in (c.key, c.de.casefold(), c.en.casefold()) or (c.de.casefold().startswith(t) and len(t) >= 5):
            return c.key
    names = ", ".join(c.key for c in CATEGORIES)
    raise KeyError(f"no tax category '{text}' (one of: {names}, none)")
