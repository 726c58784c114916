"""Property tests (hypothesis) of the offline understanding: the intent recognizer with all its stages
(templates, slots, fuzzy matcher, classifier) and the parsers of times, durations, day ranges and
numbers, over random text in English and German: words they know mixed with any Unicode, control
characters, huge numbers, empty and very long input. Nothing may raise, and every call stays fast
(CPU time, with a generous bound: a regex that backtracks takes seconds, not milliseconds).

Derandomized with a fixed number of examples, so the suite is repeatable and quick."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agents.local import normalize as norm_mod
from agents.local.numbers import WORDS, parse_half, parse_number
from agents.local.recognizer import understand
from agents.local.timeparse import (
    MONTHS,
    WEEKDAYS,
    has_time_words,
    parse_day_range,
    parse_duration,
    parse_when,
)

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
MAX_CALL_S = 0.5  # per call; typical is well under a millisecond
MAX_LONG_S = 3.0  # all parsers together on a few thousand characters
EXAMPLES = 200

# words the parsers and templates react to, EN + DE, so that random sentences reach deep stages
KNOWN = sorted({
    *WORDS, *MONTHS, *WEEKDAYS,
    "set", "a", "timer", "for", "remind", "me", "in", "at", "to", "on", "tomorrow", "today", "tonight",
    "next", "week", "weekend", "hours", "hour", "minutes", "minute", "seconds", "half", "quarter", "past",
    "noon", "midnight", "am", "pm", "o'clock", "what", "time", "is", "it", "weather", "note", "take",
    "delete", "send", "mail", "yes", "no", "cancel", "stop", "calendar", "events", "meeting", "start",
    "stell", "einen", "wecker", "erinnere", "mich", "morgen", "übermorgen", "heute", "um", "uhr", "halb",
    "viertel", "nach", "vor", "stunden", "stunde", "minuten", "sekunden", "nächste", "woche",
    "wie", "spät", "ist", "es", "notiz", "lösche", "schick", "ja", "nein", "abbrechen", "termine",
    "eineinhalb", "anderthalb", "dreiviertel", "den", "der", "die", "das", "und",
})
HUGE = st.one_of(st.integers(min_value=0, max_value=10**30).map(str),
                 st.sampled_from(["99999999999", "1e308", "10**400", "٣", "²", "½", "0x1F", "-5", "007",
                                  "12.03.", "31.02.2026", "29.02.2025", "25:99", "24:00", "9.99", "1,5",
                                  "9" * 400]))
ODD = st.sampled_from(["\x00", "\x1b[2J", "\x1b]0;title\x07", "\r", "\t", "\u200b", "\u202e", "\ufeff",
                       "\ud800", "\U0001f600", "ß", "ẞ", "İ", "ﬁ", "Ⅻ", "　", "…", "„", "“", "'", "-", ".",
                       ":", "/", "(", ")", "[", "]", "{", "}", "*", "+", "?", "\\", "|", "^", "$"])
# letters that re.IGNORECASE matches but lower() does not map back: ı (dotless i), ſ (long s), K (Kelvin)
CASE_VARIANT = st.sampled_from(KNOWN).map(lambda w: w.replace("i", "ı").replace("s", "ſ").replace("k", "\u212a"))
TOKEN = st.one_of(st.sampled_from(KNOWN), HUGE, ODD, CASE_VARIANT, st.text(max_size=12))
SENTENCE = st.lists(TOKEN, max_size=25).flatmap(
    lambda toks: st.sampled_from([" ", "", "  ", "\n"]).map(lambda sep: sep.join(toks)))
ANY_TEXT = st.one_of(SENTENCE, st.text(max_size=200), st.binary(max_size=200).map(
    lambda b: b.decode("utf-8", "surrogateescape")))
SETTINGS: dict[str, Any] = {"max_examples": EXAMPLES, "derandomize": True, "database": None, "deadline": None,
                            "suppress_health_check": list(HealthCheck)}


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Templates compile, the fuzzy index is built and the classifier loads on first use: not part of a
    call's time."""
    for text in ("set a timer for five minutes", "stell einen Timer auf fünf Minuten", "xq blorp zzv"):
        understand(text, NOW)


def timed(fn: Callable[[], Any]) -> Any:
    """``fn()``, asserting its CPU time (this thread's: a busy shared machine does not count)."""
    t0 = time.thread_time()
    out = fn()
    took = time.thread_time() - t0
    assert took < MAX_CALL_S, f"took {took:.3f} s of CPU"
    return out


@settings(**SETTINGS)
@given(text=ANY_TEXT)
@example(text="Ω≈ç√∫˜µ≤≥÷åß∂ƒ©˙∆˚¬…æœ∑´®†¥¨ˆøπ“‘¡™£¢∞§¶•ªº–≠¸˛Ç◊ı˜Â¯˘¿ÅÍ")  # KeyError 'ı' (found by test_schema)
@example(text="dir aufſchreiben: Milch")
def test_the_recognizer_never_raises_and_stays_fast(text: str) -> None:
    rec = timed(lambda: understand(text, NOW))
    for m in (rec.match, rec.suggestion):
        if m is not None:
            assert m.intent and 0 <= m.confidence <= 1
            assert all(isinstance(v, str) for v in m.slots.values())


@settings(**SETTINGS)
@given(text=ANY_TEXT)
def test_the_time_parsers_never_raise_and_stay_fast(text: str) -> None:
    d = timed(lambda: parse_duration(text))
    assert d is None or (isinstance(d, timedelta) and d >= timedelta(0))
    w = timed(lambda: parse_when(text, NOW))
    assert w is None or w.at.tzinfo is not None
    r = timed(lambda: parse_day_range(text, NOW))
    assert r is None or r.start <= r.end
    timed(lambda: has_time_words(text))


@settings(**SETTINGS)
@given(text=ANY_TEXT)
def test_numbers_and_normalization_never_raise(text: str) -> None:
    for fn in (parse_number, parse_half):
        n = timed(lambda fn=fn: fn(text))  # type: ignore[misc]
        assert n is None or isinstance(n, float)
    assert isinstance(timed(lambda: norm_mod.normalize(text)), str)
    assert isinstance(timed(lambda: norm_mod.prepare(text)), str)
    assert timed(lambda: norm_mod.guess_language(text)) in (None, "en", "de")


@settings(**{**SETTINGS, "max_examples": 60})
@given(number=st.integers(min_value=10**6, max_value=10**40),
       unit=st.sampled_from(["hours", "minutes", "seconds", "days", "weeks", "Stunden", "Minuten", "Tagen"]),
       frame=st.sampled_from(["set a timer for {n} {u}", "remind me in {n} {u} to call mum",
                              "stell einen Timer auf {n} {u}", "erinnere mich in {n} {u} an den Müll",
                              "in {n} {u}", "{n} {u}"]))
def test_huge_durations_never_overflow(number: int, unit: str, frame: str) -> None:
    text = frame.format(n=number, u=unit)
    timed(lambda: parse_duration(text))
    timed(lambda: parse_when(text, NOW))
    timed(lambda: understand(text, NOW))


@pytest.mark.parametrize("text", ["", " ", "\x00" * 50, "9" * 5000, "a " * 3000, "um " * 2000,
                                  "in 1 hour and " * 400, "ß" * 5000, "\U0001f600" * 2000])
def test_long_and_degenerate_input_stays_bounded(text: str) -> None:
    t0 = time.thread_time()
    understand(text, NOW)
    parse_duration(text)
    parse_when(text, NOW)
    parse_day_range(text, NOW)
    parse_number(text)
    norm_mod.normalize(text)
    assert time.thread_time() - t0 < MAX_LONG_S
