"""The words people use for the ledger's categories, in English and German (synonyms and German
compounds: "food budget", "Lebensmittelbudget", "eating out", "Essen gehen"), and ``find_category``:
the category key a request names."""

from __future__ import annotations

import re
from functools import lru_cache

# category key -> words that name it (lower case; a German word also matches the start of a compound)
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "groceries": ("groceries", "grocery", "food", "supermarket", "supermarkets", "lebensmittel", "lebensmitteln",
                  "supermarkt", "supermärkte", "essen", "einkaufen"),
    "restaurants": ("restaurants", "restaurant", "eating out", "dining out", "dining", "takeaway", "take-away",
                    "takeout", "food delivery", "lieferdienst", "lieferdienste", "essen gehen", "auswärts essen",
                    "gastronomie", "lokal", "lokale", "kneipe", "kneipen"),
    "rent": ("rent", "miete", "mieten"),
    "utilities": ("utilities", "energy", "electricity", "power", "heating", "nebenkosten", "energie", "strom",
                  "heizung"),
    "insurance": ("insurance", "insurances", "versicherung", "versicherungen"),
    "mobility": ("transport", "transportation", "mobility", "public transport", "fuel", "petrol", "car",
                 "train", "trains", "mobilität", "tanken", "sprit", "benzin", "auto", "bahn", "fahrtkosten", "öpnv"),
    "subscriptions": ("subscriptions", "subscription", "streaming", "abos", "abo", "abonnements", "abonnement"),
    "telecom": ("phone", "mobile phone", "internet", "telecom", "telefon", "handy", "mobilfunk"),
    "shopping": ("shopping", "clothes", "clothing", "online shopping", "einkäufe", "shoppen", "kleidung",
                 "klamotten"),
    "health": ("health", "pharmacy", "doctor", "doctors", "medicine", "gesundheit", "apotheke", "arzt",
               "medikamente"),
    "leisure": ("leisure", "hobbies", "hobby", "entertainment", "fun", "freizeit", "unterhaltung"),
    "travel": ("travel", "travelling", "holidays", "holiday", "vacation", "trips", "reisen", "reise", "urlaub"),
    "cash": ("cash", "atm", "cash machine", "bargeld", "geldautomat"),
    "fees": ("bank fees", "fees", "bank charges", "bankgebühren", "gebühren", "kontoführung"),
    "taxes": ("taxes", "tax", "steuern", "steuer", "abgaben"),
    "donations": ("donations", "donation", "charity", "spenden", "spende"),
    "other": ("other", "miscellaneous", "sonstiges", "sonstige"),
}
_GERMAN_STEMS = {"lebensmittel", "supermarkt", "restaurant", "miete", "nebenkosten", "energie", "strom",
                 "versicherung", "mobilität", "abo", "telefon", "handy", "internet", "freizeit", "reise",
                 "urlaub", "bargeld", "steuer", "spende", "essen", "gesundheit", "apotheke", "kleidung", "shopping",
                 "einkauf", "tank", "benzin", "auto", "bahn"}


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    for key, words in CATEGORY_WORDS.items():
        for w in words:
            owner.setdefault(w, key)
    for stem in _GERMAN_STEMS:
        owner.setdefault(stem, next(k for k, ws in CATEGORY_WORDS.items() if any(w.startswith(stem) for w in ws)))
    alts = "|".join(re.escape(w) for w in sorted(owner, key=len, reverse=True))
    compound = "|".join(re.escape(s) for s in sorted(_GERMAN_STEMS, key=len, reverse=True))
    # a whole word, or a German compound that starts with a stem ("lebensmittelbudget", "stromkosten")
    return re.compile(rf"(?<!\w)(?:(?P<word>{alts})(?!\w)|(?P<stem>{compound})\w+)"), owner


def find_category(text: str) -> str | None:
    """The category key the text names (the first one mentioned), else None."""
    regex, owner = _pattern()
    m = regex.search(text.lower())
    if m is None:
        return None
    return owner[m.group("word") or m.group("stem")]
