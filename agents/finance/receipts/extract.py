"""Amount, date and vendor from a receipt's OCR text (English and German formats: "Summe", "Gesamt",
"Total", "zu zahlen", "EUR 1.234,56", "1,234.56 €", "06.12.2026", "2026-12-06", "6. Dezember 2026",
"Dec 6, 2026"). Pure functions, no OCR here: the tests run them on text and on OCR output alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# a money amount: 1.234,56 / 1,234.56 / 1234,56 / 12.50 / 1 234,56 (always two decimals on a receipt)
_AMOUNT = re.compile(r"(?<![\d.,])(-?\d{1,3}(?:[.,' \u2009]\d{3})+|-?\d+)\s?([.,])\s?(\d{2})(?!\d|[.,]\d)")
# the line that holds the total, strongest first; lines naming tax, net or a subtotal never do
_TOTAL_WORDS = [
    re.compile(r"\b(gesamtbetrag|endbetrag|rechnungsbetrag|zu zahlen|zahlbetrag|grand total|amount due|total due|"
               r"total amount|balance due)\b"),
    re.compile(r"(?<!zwischen)(summe|gesamt)|\b(total|betrag|amount)\b"),
]
_NOT_TOTAL = re.compile(r"zwischensumme|subtotal|sub total|mwst|ust\b|umsatzsteuer|steuer|netto|\bnet\b|\bvat\b|"
                        r"\btax\b|gegeben|given|tendered|rückgeld|ruckgeld|wechselgeld|\bchange\b|rabatt|discount")
_CURRENCY = [("EUR", re.compile(r"€|\beur\b|\beuro\b")), ("USD", re.compile(r"\$|\busd\b")),
             ("GBP", re.compile(r"£|\bgbp\b")), ("CHF", re.compile(r"\bchf\b"))]
_MONTHS = {
    "jan": 1, "januar": 1, "january": 1, "jänner": 1, "feb": 2, "februar": 2, "february": 2, "mär": 3, "mar": 3,
    "märz": 3, "maerz": 3, "march": 3, "apr": 4, "april": 4, "mai": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10,
    "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11, "dez": 12, "dec": 12, "dezember": 12,
    "december": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_D_NUM = re.compile(r"(?<!\d)(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_D_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_D_DMY_WORD = re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+({_MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)")
_D_MDY_WORD = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)")
_NOT_VENDOR = re.compile(r"kassenbon|kassenbeleg|quittung|beleg|rechnung|receipt|invoice|willkommen|welcome|"
                         r"vielen dank|thank you|tel\b|telefon|phone|www\.|@|str\.|straße|strasse|\bstr\b|"
                         r"ust-?id|steuer-?nr|datum|date\b|uhrzeit|time\b")


@dataclass(frozen=True)
class ReceiptFields:
    amount: Decimal | None
    currency: str
    day: date | None
    vendor: str
    labour: Decimal | None = None  # a labour share the receipt names ("Arbeitskosten", "Lohnanteil")


def parse_amount(text: str) -> Decimal | None:
    """The last money amount in ``text`` (a receipt line has the amount at its end)."""
    found = list(_AMOUNT.finditer(text))
    if not found:
        return None
    whole, _sep, cents = found[-1].groups()
    digits = re.sub(r"[.,' \u2009]", "", whole)
    return Decimal(f"{digits}.{cents}")


def _amount_lines(lines: list[str]) -> Decimal | None:
    for words in _TOTAL_WORDS:
        hits = [a for ln in lines if words.search(ln) and not _NOT_TOTAL.search(ln)
                and (a := parse_amount(ln)) is not None and a > 0]
        if hits:
            return max(hits)
    # no total named: the largest amount that is not tax, change or cash handed over
    rest = [a for ln in lines if not _NOT_TOTAL.search(ln) and (a := parse_amount(ln)) is not None and a > 0]
    return max(rest) if rest else None


def _labour(lines: list[str]) -> Decimal | None:
    hits = [a for ln in lines if re.search(r"arbeitskosten|arbeitslohn|lohnanteil|lohnkosten|labou?r", ln)
            and (a := parse_amount(ln)) is not None and a > 0]
    return max(hits) if hits else None


def _valid(y: int, m: int, d: int) -> date | None:
    if y < 100:
        y += 2000
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str, today: date | None = None) -> date | None:
    """The first plausible date (not after ``today``, not before 2000); day first when it is ambiguous
    (German and British order), month first only when the first number cannot be a month's day order."""
    limit = today or date.today()
    text = text.lower()
    found: list[tuple[int, date]] = []
    for m in _D_ISO.finditer(text):
        if (d := _valid(int(m[1]), int(m[2]), int(m[3]))) is not None:
            found.append((m.start(), d))
    for m in _D_NUM.finditer(text):
        a, b, y = int(m[1]), int(m[3]), int(m[4])
        d = _valid(y, b, a) if m[2] != "/" or a > 12 else (_valid(y, b, a) or _valid(y, a, b))
        if m[2] == "/" and b > 12:  # US order: month/day/year
            d = _valid(y, a, b)
        if d is not None:
            found.append((m.start(), d))
    for m in _D_DMY_WORD.finditer(text):
        if (d := _valid(int(m[3]), _MONTHS[m[2]], int(m[1]))) is not None:
            found.append((m.start(), d))
    for m in _D_MDY_WORD.finditer(text):
        if (d := _valid(int(m[3]), _MONTHS[m[1]], int(m[2]))) is not None:
            found.append((m.start(), d))
    for _pos, d in sorted(found, key=lambda f: f[0]):
        if date(2000, 1, 1) <= d <= limit:
            return d
    return None


def parse_vendor(lines: list[str]) -> str:
    """The first line near the top that reads like a name: letters, not a greeting, address or heading."""
    for ln in lines[:6]:
        clean = re.sub(r"\s+", " ", ln).strip(" -*=_|:.")
        letters = sum(c.isalpha() for c in clean)
        if letters < 3 or letters < len(clean) * 0.5 or _NOT_VENDOR.search(clean.lower()):
            continue
        if parse_amount(clean) is not None or parse_date(clean, date(9999, 12, 31)) is not None:
            continue
        return clean[:200]
    return ""


def extract(text: str, today: date | None = None) -> ReceiptFields:
    raw = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lower = [ln.lower() for ln in raw]
    currency = next((code for code, pat in _CURRENCY if any(pat.search(ln) for ln in lower)), "EUR")
    return ReceiptFields(amount=_amount_lines(lower), currency=currency, day=parse_date(" \n".join(lower), today),
                         vendor=parse_vendor(raw), labour=_labour(lower))
