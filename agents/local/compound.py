"""Two requests in one sentence: "set a timer for 10 minutes and remind me at 6 pm to water the plants",
"wie spät ist es und welches Datum haben wir". Split at "and"/"und" (or "and then", "und dann", ", then")
when both halves match a template exactly and both are requests that need no yes (asking, timers,
reminders, notes): each half then runs as a request of its own. Anything else stays one request, so a
slot that holds an "and" ("remind me to buy bread and milk") is never cut."""

from __future__ import annotations

import re
from datetime import datetime

from agents.local.recognizer import IntentMatch, match_template

# intents that act at once and need no approval: two of them in one turn cannot leave two questions open
SPLITTABLE = frozenset({"GetTime", "GetDate", "WeekdayOf", "DaysUntil", "SetTimer", "TimerStatus", "CancelTimer",
                        "SetReminder", "ListReminders", "AddNote", "ListNotes"})
_JOINS = re.compile(r"(?i)\s*(?:,\s*)?\b(?:and then|und dann|and also|und außerdem|and|und)\b\s*|\s*,\s*then\s+")


def split_compound(text: str, now: datetime) -> list[IntentMatch] | None:
    """The two requests of ``text`` in order, or None when it is one request (or not two of the above)."""
    for join in _JOINS.finditer(text):
        left, right = text[:join.start()].strip(" ,"), text[join.end():].strip(" ,")
        if not left or not right:
            continue
        first = match_template(left, now)
        if first is None or first.intent not in SPLITTABLE:
            continue
        second = match_template(right, now)
        if second is not None and second.intent in SPLITTABLE:
            return [first, second]
    return None
