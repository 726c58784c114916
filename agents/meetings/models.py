"""Typed data of the meetings domain: transcript lines as stored, notes, action items, meetings as
listed, search hits.

The audio layer's ``TranscriptSegment`` (live transcription) is not imported here: whatever has the
fields of :class:`SegmentLike` can be stored, summarised and searched."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field


class SegmentLike(Protocol):
    """What the domain needs of a transcribed utterance (the audio layer's segments have it)."""

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...

    @property
    def text(self) -> str: ...

    @property
    def speaker(self) -> str: ...

    @property
    def channel(self) -> int | None: ...

    @property
    def language(self) -> str | None: ...


class TranscriptLine(BaseModel):
    """One transcribed utterance as stored. Times are seconds of recorded audio from the meeting start."""

    start: float
    end: float
    text: str
    speaker: str = Field("S1", description="S1, S2, ... (mono diarization) or channel speakers")
    channel: int | None = None
    language: str | None = None

    @classmethod
    def of(cls, seg: SegmentLike) -> TranscriptLine:
        return cls(start=seg.start, end=seg.end, text=seg.text, speaker=seg.speaker, channel=seg.channel,
                   language=seg.language)


class ActionItem(BaseModel):
    text: str
    owner: str | None = None
    due: date | None = None
    at_s: float | None = Field(None, description="where in the meeting it was said")


class MeetingNotes(BaseModel):
    """The result of summarising a meeting (by the LLM or the offline extractive method)."""

    summary: str
    decisions: list[str] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    method: Literal["llm", "extractive"] = "extractive"


class MeetingInfo(BaseModel):
    """A meeting as listed and shown."""

    id: str
    title: str
    state: str
    source: str
    started_at: datetime
    ended_at: datetime | None = None
    duration_s: float = 0.0
    channels: int = 1
    speakers: list[str] = Field(default_factory=list)
    storage_prefix: str = ""
    notes: MeetingNotes | None = None
    error: str | None = None


class SearchHit(BaseModel):
    meeting_id: str
    title: str
    started_at: datetime
    start: float = Field(description="seconds into the meeting")
    speaker: str
    snippet: str
    text: str


def speaker_label(speaker: str | None) -> str:
    """The diarizer's "S1" as people read it ("Speaker 1"); a name stays as it is."""
    speaker = str(speaker or "")
    return f"Speaker {speaker[1:]}" if speaker[:1] == "S" and speaker[1:].isdigit() else speaker
