"""Spoken formatting of dates, times and durations in English and German (locale-independent)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

_WD_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WD_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
_MON_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_MON_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"]


def tr(lang: str, en: str, de: str) -> str:
    return de if lang == "de" else en


def fmt_time(dt: datetime, lang: str) -> str:
    return f"{dt:%H:%M} Uhr" if lang == "de" else f"{dt:%H:%M}"


def fmt_date(d: date, lang: str, year: bool = False) -> str:
    if lang == "de":
        out = f"{_WD_DE[d.weekday()]}, {d.day}. {_MON_DE[d.month - 1]}"
    else:
        out = f"{_WD_EN[d.weekday()]}, {d.day} {_MON_EN[d.month - 1]}"
    return f"{out} {d.year}" if year else out


def fmt_when(dt: datetime, now: datetime, lang: str) -> str:
    """'today at 15:00', 'tomorrow at 09:30', 'on Friday, 6 March at 10:00' (DE likewise)."""
    days = (dt.date() - now.date()).days
    if days == 0:
        day = tr(lang, "today", "heute")
    elif days == 1:
        day = tr(lang, "tomorrow", "morgen")
    elif days == 2 and lang == "de":
        day = "übermorgen"
    else:
        day = tr(lang, "on ", "am ") + fmt_date(dt.date(), lang)
    return f"{day} {tr(lang, 'at', 'um')} {fmt_time(dt, lang)}"


def fmt_duration(td: timedelta, lang: str) -> str:
    secs = max(0, round(td.total_seconds()))
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    parts: list[str] = []

    def unit(n: int, en: str, de: str) -> None:
        if n:
            if lang == "de":
                parts.append(f"{n} {de if n == 1 else de + ('n' if de.endswith('e') else 'en')}")
            else:
                parts.append(f"{n} {en}{'' if n == 1 else 's'}")

    unit(h, "hour", "Stunde")
    unit(m, "minute", "Minute")
    if not h:
        unit(s, "second", "Sekunde")
    if not parts:
        return tr(lang, "0 seconds", "0 Sekunden")
    return tr(lang, " and ", " und ").join(parts)
