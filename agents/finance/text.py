"""Normalised text for matching: fingerprints, rules and payee grouping see "REWE Markt GmbH",
"rewe  markt gmbh" and an MT940 line wrapped in the middle of a word as the same text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# words a payee name carries that say nothing about who it is
_LEGAL = re.compile(r"\b(gmbh|co|kg|ag|se|ug|ev|mbh|ohg|inc|ltd|llc|sarl|sa|sca|bv|nv|eu)\b")
# the card/booking numbers and dates that make every booking of one payee look different
_NOISE = re.compile(r"\d+")


def _plain(text: str) -> str:
    t = text.casefold()
    if t.isascii():
        return t
    t = unicodedata.normalize("NFKD", t.translate(_UMLAUT))
    return "".join(c for c in t if not unicodedata.combining(c))


@lru_cache(maxsize=8192)
def squash(text: str) -> str:
    """Lower case, umlauts spelled out, no accents, no spaces or punctuation: MT940's 27/65-character line
    wraps and a CSV's extra spaces disappear."""
    return _NOT_WORD.sub("", _plain(text))


@lru_cache(maxsize=8192)
def words(text: str) -> str:
    """Lower case words separated by one space (umlauts spelled out): for rules a user can read."""
    return " ".join(_NOT_WORD.split(_plain(text))).strip()


@lru_cache(maxsize=8192)  # a statement names the same payees again and again
def payee_key(name: str, iban: str | None = None) -> str:
    """Who a booking is with, stable across bookings: the name without legal form and numbers
    ("REWE Markt GmbH 1234" and "REWE MARKT" -> "rewe markt"), or the IBAN when there is no name."""
    w = _NOISE.sub(" ", _LEGAL.sub(" ", words(name)))
    key = " ".join(w.split())[:80]
    if key:
        return key
    return (iban or "").upper()[:80]
