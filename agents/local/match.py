"""What the recognizer hands to the handlers: the intent, its language, its slots and how sure it is."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agents.local.templates import Lang


class IntentMatch(BaseModel):
    """A recognized intent. ``slots`` hold the words as heard, ``values`` the typed meaning
    (datetime for when, timedelta for duration, DayRange for range). ``confidence`` is 1.0 for a
    template that matched the whole utterance, less for a close paraphrase (the fuzzy stage)."""

    intent: str
    language: Lang
    text: str = Field(description="the normalized utterance")
    slots: dict[str, str] = Field(default_factory=dict)
    values: dict[str, Any] = Field(default_factory=dict)
    template: str = ""
    confidence: float = 1.0


class Recognition(BaseModel):
    """One utterance understood: a ``match`` to act on, or a ``suggestion`` to ask back about
    ("Did you mean …?"), or neither (the language model or the fallback answers)."""

    match: IntentMatch | None = None
    suggestion: IntentMatch | None = None
