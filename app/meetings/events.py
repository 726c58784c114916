"""The live events of a meeting as the service's subscribers get them: the recorder's events
(``audio.meeting.models``) plus the notes written after stop."""

from __future__ import annotations

from typing import Literal

from agents.meetings.models import MeetingNotes
from audio.events import AudioEvent
from audio.meeting.models import (
    ErrorEvent,
    LevelEvent,
    SpaceWarning,
    StateEvent,
    StorageNotice,
    TranscriptEvent,
)


class NotesEvent(AudioEvent):
    kind: Literal["meeting_notes"] = "meeting_notes"
    notes: MeetingNotes


class FinalPassEvent(AudioEvent):
    """The final transcription after Stop (a larger model): started, done (the transcript was replaced),
    stopped or failed (the live transcript stays)."""

    kind: Literal["meeting_final_pass"] = "meeting_final_pass"
    meeting_id: str
    phase: Literal["started", "done", "stopped", "failed"]
    seconds: float | None = None


MeetingEvent = (
    LevelEvent | TranscriptEvent | StateEvent | SpaceWarning | StorageNotice | NotesEvent | FinalPassEvent
    | ErrorEvent
)
