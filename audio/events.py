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


# --- speech input (audio/listener.py emits these; the GUI and server show them) ---------------------


class SpeechStarted(AudioEvent):
    """Voice activity began (after the click filter); ``audio_t`` is the stream time in seconds."""

    kind: Literal["speech_started"] = "speech_started"
    audio_t: float = 0.0


class SpeechEnded(AudioEvent):
    """The end-pointer closed the utterance (trailing silence, release, length cap or mode change)."""

    kind: Literal["speech_ended"] = "speech_ended"
    audio_t: float = 0.0
    reason: Literal["silence", "release", "max_length", "stopped"] = "silence"


class Interim(AudioEvent):
    """Partial text of the utterance still being spoken; it may change."""

    kind: Literal["interim"] = "interim"
    text: str
    language: str | None = None


class FinalTranscript(AudioEvent):
    """Final text of one utterance. ``addressed`` is False when hands-free mode heard speech that was
    neither wake-phrase led nor inside the follow-up window (shown, not acted on)."""

    kind: Literal["final"] = "final"
    text: str
    language: str | None = None
    audio_start: float = 0.0
    audio_end: float = 0.0
    addressed: bool = True
    follow_up: bool = Field(False, description="hands-free: addressed only by the follow-up window after "
                                                "the assistant spoke (or by interrupting it), not by the wake phrase")
    latency_s: float = 0.0


class AssistantSpeakingStarted(AudioEvent):
    """Speech output started playing (the listener guards against hearing it)."""

    kind: Literal["assistant_speaking_started"] = "assistant_speaking_started"


class AssistantSpeakingStopped(AudioEvent):
    """Speech output finished or was stopped (opens the hands-free follow-up window)."""

    kind: Literal["assistant_speaking_stopped"] = "assistant_speaking_stopped"


class DeviceLost(AudioEvent):
    """The microphone disappeared or failed; the source retries on its own."""

    kind: Literal["device_lost"] = "device_lost"
    device: str
    error: str


class DeviceRestored(AudioEvent):
    kind: Literal["device_restored"] = "device_restored"
    device: str
