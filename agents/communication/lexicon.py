"""Mail in the other language: a German speaker's mailbox holds English mail and the other way round ("wer hat
mir wegen Mittagessen geschrieben" is about "Lunch on Thursday?"). A few words people look their mail up by,
English <-> German: weekdays and months, meals, invoices, meetings and the like. Not a translator (none runs
offline in a few milliseconds): a search that found nothing is tried once more with these words swapped."""

from __future__ import annotations

import re

_WEEKDAYS = (("monday", "montag"), ("tuesday", "dienstag"), ("wednesday", "mittwoch"), ("thursday", "donnerstag"),
             ("friday", "freitag"), ("saturday", "samstag"), ("sunday", "sonntag"))
_MONTHS = (("january", "januar"), ("february", "februar"), ("march", "märz"), ("may", "mai"), ("june", "juni"),
           ("july", "juli"), ("october", "oktober"), ("december", "dezember"))
_THINGS = (("lunch", "mittagessen"), ("dinner", "abendessen"), ("breakfast", "frühstück"), ("invoice", "rechnung"),
           ("bill", "rechnung"), ("meeting", "treffen"), ("meeting", "besprechung"), ("appointment", "termin"),
           ("birthday", "geburtstag"), ("minutes", "protokoll"), ("contract", "vertrag"), ("order", "bestellung"),
           ("delivery", "lieferung"), ("party", "feier"), ("holiday", "urlaub"), ("rent", "miete"),
           ("keys", "schlüssel"), ("heating", "heizung"), ("tickets", "karten"), ("sale", "rabatt"),
           ("newsletter", "newsletter"), ("weekend", "wochenende"), ("tomorrow", "morgen"), ("today", "heute"))

_OTHER: dict[str, str] = {}
for _en, _de in (*_WEEKDAYS, *_MONTHS, *_THINGS):
    _OTHER.setdefault(_en, _de)
    _OTHER.setdefault(_de, _en)


def other_language(text: str) -> str | None:
    """``text`` with each word this knows in the other language ("Mittagessen" -> "lunch", "wegen Samstag"
    -> "wegen saturday"), or None when it knows none of them."""
    swapped = False

    def swap(m: re.Match[str]) -> str:
        nonlocal swapped
        other = _OTHER.get(m.group(0).lower())
        if other is None or other == m.group(0).lower():
            return m.group(0)
        swapped = True
        return other

    out = re.sub(r"[^\W\d_]+", swap, text)
    return out if swapped else None


def with_other_language(text: str) -> str:
    """``text`` and, after it, its words in the other language (for matching words of a subject)."""
    other = other_language(text)
    return f"{text} {other}" if other else text
