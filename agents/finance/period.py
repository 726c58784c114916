"""The period a finance question names ("last month", "im November", "this year", "letzte Woche"),
as a date range ``[start, end)`` with a label to say back. Month names come from the time parser's
table (``agents.local.timeparse.MONTHS``); the default is the current month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from agents.local.phrases import tr
from agents.local.timeparse import MONTHS

_MON_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_MON_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"]


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    label: str  # "last month", "im November 2026"


def _month(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    return start, date(year + (month == 12), month % 12 + 1, 1)


_RELATIVE: list[tuple[str, str]] = [
    (r"last month|the previous month|previous month|letzten monat|letzter monat|vorigen monat|vormonat|im vormonat|"
     r"letzte[nm]? monat", "last_month"),
    (r"this month|current month|so far this month|diesen monat|diesem monat|dieser monat|im laufenden monat|"
     r"laufenden monat|bisher im monat", "this_month"),
    (r"last week|the past week|letzte woche|letzten woche|vorige woche|vergangene woche", "last_week"),
    (r"this week|diese woche|dieser woche", "this_week"),
    (r"last year|the previous year|letztes jahr|letzten jahr|vorjahr|im vorjahr|vergangenes jahr", "last_year"),
    (r"this year|so far this year|dieses jahr|diesem jahr|in diesem jahr|bisher im jahr", "this_year"),
    (r"yesterday|gestern", "yesterday"),
    (r"today|heute", "today"),
]
_MONTH_RE = re.compile(r"(?<!\w)(" + "|".join(sorted((m for m in MONTHS if len(m) > 3), key=len, reverse=True))
                       + r")(?:\s+(\d{4}))?(?!\w)")


def find_period(text: str, today: date, lang: str) -> Period:
    """The period named in ``text``; the current month when none is named."""
    t = text.lower()
    for pattern, kind in _RELATIVE:
        if re.search(rf"(?<!\w)(?:{pattern})(?!\w)", t):
            return _relative(kind, today, lang)
    m = _MONTH_RE.search(t)
    if m:
        month = MONTHS[m.group(1)]
        year = int(m.group(2)) if m.group(2) else (today.year if month <= today.month else today.year - 1)
        start, end = _month(year, month)
        name = (_MON_DE if lang == "de" else _MON_EN)[month - 1]
        shown = f"{name} {year}" if year != today.year or m.group(2) else name
        return Period(start, end, tr(lang, f"in {shown}", f"im {shown}"))
    return _relative("this_month", today, lang)


def _relative(kind: str, today: date, lang: str) -> Period:
    if kind == "last_month":
        first = today.replace(day=1)
        prev = first - timedelta(days=1)
        return Period(*_month(prev.year, prev.month), tr(lang, "last month", "im letzten Monat"))
    if kind == "this_month":
        return Period(today.replace(day=1), today + timedelta(days=1), tr(lang, "this month", "in diesem Monat"))
    monday = today - timedelta(days=today.weekday())
    if kind == "last_week":
        return Period(monday - timedelta(days=7), monday, tr(lang, "last week", "letzte Woche"))
    if kind == "this_week":
        return Period(monday, today + timedelta(days=1), tr(lang, "this week", "diese Woche"))
    if kind == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year, 1, 1), tr(lang, "last year", "letztes Jahr"))
    if kind == "this_year":
        return Period(date(today.year, 1, 1), today + timedelta(days=1), tr(lang, "this year", "dieses Jahr"))
    if kind == "yesterday":
        return Period(today - timedelta(days=1), today, tr(lang, "yesterday", "gestern"))
    return Period(today, today + timedelta(days=1), tr(lang, "today", "heute"))
