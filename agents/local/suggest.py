"""Asking back: a request understood only roughly is said back ("Did you mean: what time is it?") and
kept for a short while; a following yes runs it, a no or anything else drops it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from agents import domains
from agents.local.expand import expand
from agents.local.match import IntentMatch
from agents.local.phrases import tr

SUGGESTION_TTL = timedelta(minutes=2)


@dataclass(frozen=True)
class Suggestion:
    """The request the assistant asked back about, and when."""

    match: IntentMatch
    asked_at: datetime

    def fresh(self, now: datetime) -> bool:
        return timedelta(0) <= now - self.asked_at <= SUGGESTION_TTL


def _said_back(m: IntentMatch) -> str:
    phrase = domains.say_back(m.intent, m.language)
    if phrase is None:  # a domain that says nothing: its first template's shortest sentence
        template = domains.intents()[m.intent][m.language][0]
        phrase = min(expand(template), key=len)
    return re.sub(r"\{(\w+)\}", lambda s: m.slots.get(s.group(1), ""), phrase).strip()


def did_you_mean(m: IntentMatch) -> str:
    """The question that asks back, in the language of the suggested request."""
    said = _said_back(m)
    return tr(m.language, f"Did you mean: {said}?", f"Meintest du: {said}?")


def dropped(language: str) -> str:
    return tr(language, "Okay, never mind.", "Okay, dann nicht.")
