"""Number words in English and German (enough for durations, days and clock times)."""

from __future__ import annotations

import re

_EN = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "a hundred": 100, "one hundred": 100, "hundred": 100,
    "a couple of": 2, "a few": 3, "couple of": 2, "a couple": 2,
}
_DE = {
    "null": 0, "ein": 1, "eine": 1, "einen": 1, "einer": 1, "eins": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
    "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16, "siebzehn": 17,
    "achtzehn": 18, "neunzehn": 19, "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50,
    "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90, "hundert": 100, "einhundert": 100,
    "ein paar": 3,
}
WORDS: dict[str, int] = {**_EN, **_DE}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_DE_UNITS = {"ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9}
_DE_TENS = {"zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70,
            "achtzig": 80, "neunzig": 90}

# regex alternative matching any number (digits or words), longest words first
_COMPOUND_EN = [f"{t}[- ]?{u}" for t in _EN_TENS for u in _EN if 0 < _EN[u] < 10 and u not in ("a", "an")]
_SIMPLE = sorted((re.escape(w) for w in WORDS), key=len, reverse=True)
NUMBER_RE = (
    r"(?:\d+(?:[.,]\d+)?|" + "|".join(_COMPOUND_EN) + "|"
    + "(?:" + "|".join(_DE_UNITS) + ")und(?:" + "|".join(_DE_TENS) + ")|" + "|".join(_SIMPLE) + ")"
)


# "two and a half", "zweieinhalb", "anderthalb" (durations: "two and a half hours")
_HALVES_DE = {"anderthalb": 1.5, "eineinhalb": 1.5, **{f"{u}einhalb": n + 0.5 for u, n in _DE_UNITS.items() if n > 1},
              "zehneinhalb": 10.5}
HALF_RE = (r"(?:(?:" + "|".join(_COMPOUND_EN + [re.escape(w) for w in _EN if w not in ("a", "an")] + [r"\d+"])
           + r") and a half|" + "|".join(sorted(_HALVES_DE, key=len, reverse=True)) + ")")


def parse_half(text: str) -> float | None:
    """'two and a half' -> 2.5, 'zweieinhalb' -> 2.5, 'anderthalb' -> 1.5; None otherwise."""
    t = text.strip().lower()
    if t in _HALVES_DE:
        return _HALVES_DE[t]
    if t.endswith(" and a half"):
        n = parse_number(t[: -len(" and a half")])
        return None if n is None else n + 0.5
    return None


def parse_number(text: str) -> float | None:
    """'5', '2.5', 'five', 'twenty-five', 'fünfundzwanzig' -> number; None if not a number."""
    t = text.strip().lower()
    if not t:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", t):
        return float(t.replace(",", "."))
    if t in WORDS:
        return float(WORDS[t])
    m = re.fullmatch(r"(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]?(\w+)", t)
    if m and m.group(2) in _EN and _EN[m.group(2)] < 10:
        return float(_EN_TENS[m.group(1)] + _EN[m.group(2)])
    m = re.fullmatch(r"(\w+?)und(zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig)", t)
    if m and m.group(1) in _DE_UNITS:
        return float(_DE_UNITS[m.group(1)] + _DE_TENS[m.group(2)])
    return None
