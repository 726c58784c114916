"""Typed events of the voice pipeline (pydantic models, so they cross thread and process
boundaries as plain data). Speech input emits them; speech output reacts to BargeIn and StopSpeaking."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, Field


class AudioEvent(BaseModel):
    """Base of all pipeline events; ``at`` is ``time.monotonic()`` when the event happened."""

    at: float = Field(default_factory=time.monotonic)


class BargeIn(AudioEvent):
    """The user started speaking while the assistant was talking: stop talking now."""

    kind: Literal["barge_in"] = "barge_in"
    reason: str = "speech detected"


class StopSpeaking(AudioEvent):
    """An explicit request (button, key, command) to stop the assistant's speech."""

    kind: Literal["stop_speaking"] = "stop_speaking"
    reason: str = "stop requested"
