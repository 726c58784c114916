"""Money and months as the screen shows them, in the user's language (Babel's CLDR formats):
``1.234,50 €`` in German, ``€1,234.50`` in English, ``November 2026``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

_LOCALES = {"de": "de_DE", "en": "en_GB"}


def locale_of(language: str) -> str:
    return _LOCALES.get(language.split("-")[0].split("_")[0].lower(), "en_GB")


def money(amount: Decimal, currency: str, language: str = "en") -> str:
    return format_currency(amount, currency, locale=locale_of(language))


def month_name(month: str, language: str = "en") -> str:
    """``2026-11`` -> ``November 2026`` / ``November 2026`` (de: ``Nov. 2026`` forms are avoided)."""
    year, mon = (int(p) for p in month.split("-"))
    return format_date(date(year, mon, 1), "LLLL yyyy", locale=locale_of(language))
