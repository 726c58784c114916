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
    say_de: str = ""  # the name spoken (no paragraph signs), when it differs
    say_en: str = ""

    def spoken(self, lang: str) -> str:
        return (self.say_de or self.de) if lang == "de" else (self.say_en or self.en.lower())


CATEGORIES: list[TaxCategory] = [
    TaxCategory("work_expenses", "Werbungskosten", "Work expenses", "Anlage N"),
    TaxCategory("provision", "Vorsorgeaufwand", "Insurance and pension contributions", "Anlage Vorsorgeaufwand"),
    TaxCategory("special", "Sonderausgaben", "Special expenses (donations, church tax, childcare)",
                "Anlage Sonderausgaben", say_en="special expenses"),
    TaxCategory("household", "Haushaltsnahe Dienstleistungen (§ 35a Abs. 2 EStG)", "Household services (§ 35a (2))",
                "Anlage Haushaltsnahe Aufwendungen", labour=True, say_de="haushaltsnahe Dienstleistungen",
                say_en="household services"),
    TaxCategory("craftsmen", "Handwerkerleistungen (§ 35a Abs. 3 EStG)", "Craftsmen's services (§ 35a (3))",
                "Anlage Haushaltsnahe Aufwendungen", labour=True, say_de="Handwerker", say_en="craftsmen"),
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
