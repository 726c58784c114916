"""Dates, times and durations spoken in English or German, resolved in the user's time zone.

``parse_when("next friday at 3 pm", now)`` -> the datetime; ``parse_when("übermorgen um 10", now)``;
``parse_duration("an hour and a half")``; ``parse_day_range("next week", now)`` for calendar queries.
Every parser needs the whole text to be a time expression, else it returns None (so a template slot
never swallows words it does not understand)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from agents.local.numbers import HALF_RE, NUMBER_RE, parse_half, parse_number

WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6,
}
MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12, "okt": 10, "dez": 12,
}
_WD = "(?P<wd>" + "|".join(WEEKDAYS) + ")"
_MON = "(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_NUM = "(?P<n>" + NUMBER_RE + ")"
_UNIT_SECONDS: dict[str, float] = {}
for _names, _secs in (
    (("second", "seconds", "sec", "secs", "sekunde", "sekunden"), 1),
    (("minute", "minutes", "min", "mins", "minuten"), 60),
    (("hour", "hours", "hr", "hrs", "stunde", "stunden", "std"), 3600),
    (("day", "days", "tag", "tage", "tagen"), 86400),
    (("week", "weeks", "woche", "wochen"), 604800),
):
    for _n in _names:
        _UNIT_SECONDS[_n] = _secs
_UNIT = "(?P<unit>" + "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True)) + ")"

_AM_WORDS = r"(?:in the morning|morning|früh|morgens|vormittags|am vormittag|vormittag|am morgen)"
_PM_WORDS = (
    r"(?:in the afternoon|in the evening|at night|afternoon|evening|tonight|nachmittags|am nachmittag"
    r"|abends|am abend|abend|nachmittag|nachts|in der nacht)"
)

_DURATION_PART_RE = re.compile(_NUM + r"\s+" + _UNIT + r"(?:\s+(?:and a half|und eine halbe))?")
_HALF_NUMBER_RE = re.compile(r"\b" + HALF_RE + r"(?= )")
_IN_RE = re.compile(r"in " + _NUM + r" " + _UNIT + r"(?: and a half| und eine halbe)?")
_DAYPART_RE = re.compile(_AM_WORDS + r"|" + _PM_WORDS)
_AM_RE = re.compile(_AM_WORDS)


def _clean(text: str) -> str:
    t = text.lower().strip()
    t = re.sub(r"[?!,;]", " ", t)
    t = re.sub(r"\.(?=\s|$)(?<!\d\.)", " ", t)  # keep '5.' (German ordinal) and '15.30'
    return re.sub(r"\s+", " ", t).strip()


@dataclass(frozen=True)
class When:
    """A resolved point in time. ``has_time`` is False for a day with no clock time given."""

    at: datetime
    has_time: bool


@dataclass(frozen=True)
class DayRange:
    start: datetime
    end: datetime
    label: str


# ---------------------------------------------------------------- durations


MAX_DURATION = timedelta(days=36500)  # a longer duration is capped here: the handlers answer "too long"


def _capped(seconds: float) -> timedelta:
    return timedelta(seconds=min(seconds, MAX_DURATION.total_seconds()))


def parse_duration(text: str) -> timedelta | None:
    """'5 minutes', 'an hour and a half', 'eineinhalb stunden', '1h 30m', 'zehn min' -> timedelta
    (at most MAX_DURATION: '99999999999 hours' is 100 years, not an overflow)."""
    t = _clean(text)
    special = {
        "half an hour": 1800, "a half hour": 1800, "half hour": 1800, "eine halbe stunde": 1800,
        "halbe stunde": 1800, "an hour and a half": 5400, "one and a half hours": 5400,
        "eineinhalb stunden": 5400, "anderthalb stunden": 5400, "a quarter of an hour": 900,
        "quarter of an hour": 900, "a quarter hour": 900, "eine viertelstunde": 900, "viertelstunde": 900,
        "eine dreiviertelstunde": 2700, "einer halben stunde": 1800, "einer viertelstunde": 900,
        "viertel stunde": 900, "eine viertel stunde": 900, "einer viertel stunde": 900,
        "dreiviertelstunde": 2700, "dreiviertel stunde": 2700, "drei viertel stunde": 2700,
        "eine dreiviertel stunde": 2700, "three quarters of an hour": 2700, "half a hour": 1800,
        "a half an hour": 1800, "quarter hour": 900, "halbe stunde lang": 1800, "einer stunde": 3600,
    }
    if t in special:
        return timedelta(seconds=special[t])
    t = _HALF_NUMBER_RE.sub(lambda m: str(parse_half(m.group(0))), t)  # "zweieinhalb stunden" -> 2.5
    m = re.fullmatch(r"(\d+)\s*h(?:\s*(\d+)\s*m(?:in)?)?|(\d+)\s*m(?:in)?", t)
    if m:
        if m.group(3):
            return _capped(int(m.group(3)) * 60)
        return _capped(int(m.group(1)) * 3600 + int(m.group(2) or 0) * 60)
    total = 0.0
    rest = t
    part = _DURATION_PART_RE
    found = False
    while rest:
        m = part.match(rest)
        if not m:
            return None
        n = parse_number(m.group("n"))
        if n is None:
            return None
        secs = _UNIT_SECONDS[m.group("unit")]
        total += n * secs + (secs / 2 if m.group(0).endswith(("a half", "halbe")) else 0)
        found = True
        rest = rest[m.end():].strip()
        rest = re.sub(r"^(?:and|und)\s+", "", rest)
    if not found or total <= 0:
        return None
    return _capped(total)


# ---------------------------------------------------------------- days


def _next_weekday(today: date, wd: int, strictly_after: bool) -> date:
    ahead = (wd - today.weekday()) % 7
    if ahead == 0 and strictly_after:
        ahead = 7
    return today + timedelta(days=ahead)


def _month_day(today: date, month: int, day: int, year: int | None) -> date | None:
    try:
        d = date(year or today.year, month, day)
    except ValueError:
        return None
    if year is None and d < today:
        try:
            d = date(today.year + 1, month, day)
        except ValueError:
            return None
    return d


_DAY_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:the )?day after tomorrow|übermorgen"), "plus2"),
    (re.compile(r"today|heute|this day"), "today"),
    (re.compile(r"tonight"), "tonight"),
    (re.compile(r"tomorrow|morgen(?!s)"), "tomorrow"),
    (re.compile(r"yesterday|gestern"), "yesterday"),
    (re.compile(r"(?:on |am )?" + _WD + r" (?:next week|nächste woche|in der nächsten woche)"), "wd_nextweek"),
    (re.compile(r"(?:on |am )?(?:next|coming|nächsten|nächster|kommenden|kommender) " + _WD), "wd_next"),
    (re.compile(r"(?:on |am )?(?:this |diesen |dieser |diesem )?" + _WD), "wd"),
    (re.compile(r"in " + _NUM + r" (?:days|day|tagen|tag)"), "in_days"),
    (re.compile(r"in (?:a|one|einer) (?:week|woche)"), "in_week"),
    (re.compile(r"(?:on |am )?(?:the )?(?P<d>\d{1,2})(?:st|nd|rd|th|\.)? (?:of )?" + _MON + r"(?: (?P<y>\d{4}))?"), "dmy"),
    (re.compile(r"(?:on )?" + _MON + r" (?:the )?(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,? (?P<y>\d{4}))?"), "mdy"),
    (re.compile(r"(?:on |am )?(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})?"), "dotted"),
]


def _match_day(text: str, today: date) -> tuple[date, str, int] | None:
    """Match a day expression at the start of text: (date, kind, end index)."""
    for pat, kind in _DAY_PATTERNS:
        m = pat.match(text)
        if not m or (m.end() < len(text) and text[m.end()] != " "):
            continue
        d: date | None
        if kind == "plus2":
            d = today + timedelta(days=2)
        elif kind in ("today", "tonight"):
            d = today
        elif kind == "tomorrow":
            d = today + timedelta(days=1)
        elif kind == "yesterday":
            d = today - timedelta(days=1)
        elif kind == "wd_nextweek":
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
            d = monday + timedelta(days=WEEKDAYS[m.group("wd")])
        elif kind == "wd_next":
            d = _next_weekday(today, WEEKDAYS[m.group("wd")], strictly_after=True)
        elif kind == "wd":
            d = _next_weekday(today, WEEKDAYS[m.group("wd")], strictly_after=False)
        elif kind == "in_days":
            n = parse_number(m.group("n"))
            if n is None or n != int(n):
                continue
            d = today + timedelta(days=min(int(n), MAX_DURATION.days))
        elif kind == "in_week":
            d = today + timedelta(days=7)
        elif kind in ("dmy", "mdy"):
            y = m.group("y")
            d = _month_day(today, MONTHS[m.group("mon")], int(m.group("d")), int(y) if y else None)
        else:  # dotted
            y = m.group("y")
            d = _month_day(today, int(m.group("m")), int(m.group("d")), int(y) if y else None)
        if d is None:
            continue
        return d, kind, m.end()
    return None


# ---------------------------------------------------------------- clock times

_TIME_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:at |um |gegen )?(?:noon|midday|mittag|zu mittag|12 uhr mittags)"), "noon"),
    (re.compile(r"(?:at |um )?(?:midnight|mitternacht)"), "midnight"),
    (re.compile(r"(?:um |gegen )?halb (?P<h>" + NUMBER_RE + r")"), "halb"),
    (re.compile(r"(?:um |gegen )?viertel nach (?P<h>" + NUMBER_RE + r")"), "q_past"),
    (re.compile(r"(?:um |gegen )?viertel vor (?P<h>" + NUMBER_RE + r")"), "q_to"),
    (re.compile(r"(?:at )?half past (?P<h>" + NUMBER_RE + r")"), "half_past"),
    (re.compile(r"(?:at )?(?:a )?quarter past (?P<h>" + NUMBER_RE + r")"), "q_past"),
    (re.compile(r"(?:at )?(?:a )?quarter to (?P<h>" + NUMBER_RE + r")"), "q_to"),
    (re.compile(
        r"(?:at |um |gegen |for )?(?P<h>\d{1,2}|" + NUMBER_RE + r")(?:[:.](?P<mi>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)"),
        "ampm"),
    (re.compile(r"(?:at |um |gegen |for )?(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?: uhr)?"), "hm"),
    (re.compile(r"(?:um |gegen )?(?P<h>\d{1,2}|" + NUMBER_RE + r") uhr(?: (?P<mi>\d{1,2}))?"), "uhr"),
    # "at twelve thirty", "at seven oh five": an hour and its minutes as words
    (re.compile(r"at (?P<h>" + NUMBER_RE + r") (?P<sm>(?:oh )?" + NUMBER_RE + r")(?! (?:minutes?|hours?|mins?)\b)"), "spoken"),
    (re.compile(r"(?:at |um |gegen )(?P<h>\d{1,2}|" + NUMBER_RE + r")(?: o'?clock)?"), "bare"),
    (re.compile(r"(?P<h>\d{1,2}|" + NUMBER_RE + r") o'?clock"), "bare"),
]


def _hour(text: str) -> int | None:
    n = parse_number(text)
    if n is None or n != int(n) or not 0 <= n <= 24:
        return None
    return int(n)


def _match_time(text: str) -> tuple[int, int, bool, int] | None:
    """Match a clock time at the start of text: (hour, minute, explicit_24h_or_ampm, end index)."""
    for pat, kind in _TIME_PATTERNS:
        m = pat.match(text)
        if not m or (m.end() < len(text) and text[m.end()] != " "):
            continue
        if kind == "noon":
            return 12, 0, True, m.end()
        if kind == "midnight":
            return 0, 0, True, m.end()
        h = _hour(m.group("h"))
        if h is None:
            continue
        if kind == "halb":
            return (h - 1) % 24, 30, False, m.end()
        if kind == "half_past":
            return h, 30, False, m.end()
        if kind == "q_past":
            return h, 15, False, m.end()
        if kind == "q_to":
            return (h - 1) % 24, 45, False, m.end()
        if kind == "spoken":
            said = m.group("sm")
            spoken = parse_number(said.removeprefix("oh "))
            if (spoken is None or spoken != int(spoken) or not 1 <= h <= 12
                    or not (10 <= spoken <= 59 or (said.startswith("oh ") and 1 <= spoken <= 9))):
                continue
            return h, int(spoken), False, m.end()
        mi = int(m.groupdict().get("mi") or 0)
        if mi > 59:
            continue
        if kind == "ampm":
            if not 1 <= h <= 12:
                continue
            pm = m.group("ap").startswith("p")
            return (h % 12) + (12 if pm else 0), mi, True, m.end()
        explicit = h >= 13 or h == 0 or (kind == "hm" and m.group("h").startswith("0"))
        return h % 24, mi, explicit, m.end()
    return None


def _apply_daypart(hour: int, explicit: bool, part: str | None) -> int:
    if part == "pm" and hour < 12:
        return hour + 12
    if part == "am" and hour == 12:
        return 0 if explicit is False else hour
    if part is None and not explicit and 1 <= hour <= 7:
        return hour + 12  # "at 3" means the afternoon in conversation
    return hour


# English names a part of the day after the day or with "in the"/"this"/"at": "evening next tuesday at 7" is
# the end of a title ("parents evening") before the time
_BARE_DAYPART_FIRST = re.compile(r"(?:morning|afternoon|evening|night) \S")


def parse_when(text: str, now: datetime) -> When | None:
    """Resolve a spoken point in time relative to ``now`` (aware; its zone is the user's zone)."""
    t = _clean(text)
    if not t or _BARE_DAYPART_FIRST.match(t):
        return None
    tz = now.tzinfo
    m = _IN_RE.fullmatch(t)
    if m or t.startswith(("in half an hour", "in einer halben stunde", "in an hour and a half")):
        dur = parse_duration(t[3:])
        if dur is not None:
            return When((now.astimezone(UTC) + dur).astimezone(tz), True)
    today = now.date()
    day: date | None = None
    day_kind = ""
    clock: tuple[int, int, bool] | None = None
    part: str | None = None
    rest = t
    while rest:
        if day is None and (dm := _match_day(rest, today)):
            day, day_kind, end = dm
            if day_kind == "tonight":
                part = "pm"
            rest = rest[end:].strip()
            continue
        if clock is None and (tm := _match_time(rest)):
            clock = tm[:3]
            rest = rest[tm[3]:].strip()
            continue
        if part is None and (pm := _DAYPART_RE.match(rest)):
            word = pm.group(0)
            part = "am" if _AM_RE.fullmatch(word) else "pm"
            rest = rest[pm.end():].strip()
            continue
        return None
    if day is None and clock is None:
        if part is not None:  # "tonight", "this evening" alone
            return When(datetime.combine(today, time(19 if part == "pm" else 9), tz), True)
        return None
    if clock is None:
        if part is not None:
            return When(datetime.combine(day or today, time(19 if part == "pm" else 9), tz), True)
        return When(datetime.combine(day or today, time(0), tz), False)
    hour = _apply_daypart(clock[0], clock[2], part)
    at_time = time(hour % 24, clock[1])
    if day is None:
        candidate = datetime.combine(today, at_time, tz)
        if candidate <= now:
            candidate += timedelta(days=1)
        return When(candidate, True)
    return When(datetime.combine(day, at_time, tz), True)


# ---------------------------------------------------------------- day ranges (calendar queries)


def _day_bounds(d: date, now: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(d, time(0), now.tzinfo)
    return start, start + timedelta(days=1)


def parse_day_range(text: str, now: datetime) -> DayRange | None:
    """'today', 'tomorrow', 'friday', 'next week', 'diese woche', 'am 5. märz' -> [start, end)."""
    t = _clean(text)
    t = re.sub(r"^(?:for |on |am |für |in der |the |die )", "", t)
    monday = now.date() - timedelta(days=now.weekday())
    week = {
        "this week": 0, "diese woche": 0, "dieser woche": 0, "the week": 0, "der woche": 0,
        "next week": 7, "nächste woche": 7, "nächsten woche": 7, "kommende woche": 7,
        "kommenden woche": 7, "the coming week": 7, "coming week": 7,
    }
    if t in week:
        start_d = monday + timedelta(days=week[t])
        start = datetime.combine(start_d, time(0), now.tzinfo)
        if week[t] == 0:
            start = max(start, datetime.combine(now.date(), time(0), now.tzinfo))
        return DayRange(start, datetime.combine(start_d + timedelta(days=7), time(0), now.tzinfo), t)
    if t in ("this weekend", "the weekend", "weekend", "am wochenende", "wochenende", "dieses wochenende"):
        sat = monday + timedelta(days=5)
        return DayRange(datetime.combine(sat, time(0), now.tzinfo),
                        datetime.combine(sat + timedelta(days=2), time(0), now.tzinfo), t)
    dm = _match_day(t, now.date())
    if dm is None or dm[2] != len(t):
        return None
    start, end = _day_bounds(dm[0], now)
    return DayRange(start, end, t)


# a day, a date or a clock time inside a text that should hold none (an event's title, a reminder's text):
# then the time was not understood whole ("from 5 to 5:30 pm", "next Monday" left in the title)
TIME_WORDS_INSIDE = (
    r"(?:\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonntag)\b|\b(?:today|tonight|tomorrow|next|heute|morgen|übermorgen|nächste[nrms]?)\b|"
    r"\b(?:from|von|at|um|ab|bis|to|till|until)\s+\d|\b\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|uhr|o'clock)\b)"
)
_TIME_INSIDE = re.compile(TIME_WORDS_INSIDE, re.IGNORECASE)


def has_time_words(text: str) -> bool:
    return _TIME_INSIDE.search(text) is not None
