"""Times, dates and numbers as the GUI shows them, in the GUI's language (Babel's CLDR formats): ``14:05``
and ``06.12.26, 14:05`` in German, ``14:05`` and ``06/12/2026, 14:05`` in English (British, like the money
in app/finance/fmt.py, whose ``money`` the screens use for amounts)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime, format_time
from babel.numbers import format_decimal

from app.finance.fmt import locale_of
from app.gui.strings import language


def clock_time(at: datetime) -> str:
    """The local time of day: 14:05."""
    return str(format_time(at.astimezone(), "short", locale=locale_of(language())))


def date_time(at: datetime) -> str:
    """The local date and time, short: 06.12.26, 14:05."""
    return str(format_datetime(at.astimezone(), "short", locale=locale_of(language())))


def decimal(value: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals: 2.5 / 2,5."""
    return str(format_decimal(round(value, digits), format="#,##0." + "0" * digits if digits else "#,##0",
                              locale=locale_of(language())))
