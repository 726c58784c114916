"""Typed data of the meeting recorder: manifest, transcript segments, speaker turns and live events.

Events are pydantic models (``kind`` discriminates), so the GUI can render them or send them over a
socket as JSON. The meetings domain (notes, meetings as listed, search hits) is ``agents.meetings.models``;
the notes event the service adds after a recording is ``app.meetings.events``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from audio.events import AudioEvent

MeetingState = Literal["recording", "paused", "processing", "done", "recovered", "failed"]
ACTIVE_STATES: tuple[str, ...] = ("recording", "paused", "processing")


class SegmentInfo(BaseModel):
    """One compressed audio segment in storage. ``start_s`` is recorded-audio time (pauses excluded)."""

    index: int = Field(ge=0)
    key: str
    start_s: float = Field(ge=0)
    samples: int = Field(ge=0)
    sha256: str = ""
    spooled: bool = False


class Pause(BaseModel):
    at_s: float = Field(description="recorded-audio time at which the pause began")
    paused_at: datetime
    resumed_at: datetime | None = None


class Manifest(BaseModel):
    """Everything needed to rebuild a meeting's audio from storage alone."""

    version: int = 1
    meeting_id: str
    title: str
    started_at: datetime
    ended_at: datetime | None = None
    sample_rate: int = 16_000
    channels: int = 1
    segment_s: float
    format: Literal["FLAC"] = "FLAC"
    segments: list[SegmentInfo] = Field(default_factory=list)
    pauses: list[Pause] = Field(default_factory=list)
    finalized: bool = False
    recovered: bool = False

    @property
    def duration_s(self) -> float:
        return sum(s.samples for s in self.segments) / self.sample_rate


class TranscriptSegment(BaseModel):
    """One transcribed utterance. Times are seconds of recorded audio from the meeting start."""

    start: float
    end: float
    text: str
    speaker: str = Field("S1", description="S1, S2, ... (mono diarization) or channel speakers")
    channel: int | None = None
    language: str | None = None


class SpeakerTurn(BaseModel):
    start: float
    end: float
    speaker: str
    channel: int | None = Field(None, description="multi-channel input: the channel the speaker is in")


# ------------------------------------------------------------------------------------ live events


class LevelEvent(AudioEvent):
    """Input level of the last ~100 ms (dBFS), per channel; for the GUI's meter."""

    kind: Literal["meeting_level"] = "meeting_level"
    rms_db: list[float]
    peak_db: list[float]
    audio_t: float


class TranscriptEvent(AudioEvent):
    kind: Literal["meeting_transcript"] = "meeting_transcript"
    segment: TranscriptSegment
    lag_s: float = Field(0.0, description="wall time from the end of the speech to this event")


class StateEvent(AudioEvent):
    kind: Literal["meeting_state"] = "meeting_state"
    meeting_id: str
    state: MeetingState
    detail: str = ""


class SpaceWarning(AudioEvent):
    """Free disk space is running low; ``minutes_left`` at the current data rate."""

    kind: Literal["meeting_space_warning"] = "meeting_space_warning"
    free_mb: float
    minutes_left: float
    path: str
    stopping: bool = False


class StorageNotice(AudioEvent):
    """The remote storage failed (segments go to the spool) or came back."""

    kind: Literal["meeting_storage"] = "meeting_storage"
    spooled: bool
    detail: str = ""


class ErrorEvent(AudioEvent):
    kind: Literal["meeting_error"] = "meeting_error"
    message: str


RecorderEvent = LevelEvent | TranscriptEvent | StateEvent | SpaceWarning | StorageNotice | ErrorEvent
"""What the recorder and the segment writer emit while a meeting records."""
