"""Glue: the meeting service as the agents' ``MeetingControl`` (voice: "start recording the meeting").

Errors become ``ServiceError`` with a sentence for the user; statuses and hits become the agents'
boundary models."""

from __future__ import annotations

from agents.deps import ServiceError
from agents.meetings.after import FinishedMeeting
from agents.meetings.store import MeetingNotFound
from agents.models import MeetingStatus, TranscriptHit
from app.meetings.service import MeetingService
from audio.meeting.segments import MeetingError
from audio.sources import AudioInputError


class MeetingControlAdapter:
    """Implements :class:`agents.deps.MeetingControl` on top of :class:`MeetingService`."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service

    def _status(self) -> MeetingStatus:
        a = self.service.active
        if a is None:
            return MeetingStatus(state="idle")
        return MeetingStatus(state=a.state, title=a.title, started_at=a.started_at, recording_id=a.id)

    def start(self, title: str | None = None) -> MeetingStatus:
        try:
            self.service.start(title)
        except (MeetingError, AudioInputError) as exc:
            raise ServiceError(str(exc)) from None
        return self._status()

    def stop(self) -> MeetingStatus:
        try:
            info = self.service.stop()
        except MeetingError as exc:
            raise ServiceError(str(exc)) from None
        return MeetingStatus(state="idle", title=info.title, started_at=info.started_at, recording_id=info.id)

    def pause(self) -> MeetingStatus:
        try:
            self.service.pause()
        except MeetingError as exc:
            raise ServiceError(str(exc)) from None
        return self._status()

    def resume(self) -> MeetingStatus:
        try:
            self.service.resume()
        except MeetingError as exc:
            raise ServiceError(str(exc)) from None
        return self._status()

    def status(self) -> MeetingStatus:
        return self._status()

    def name_speaker(self, number: int, name: str) -> str:
        last = next((m for m in self.service.list_meetings(20) if m.state in ("done", "recovered", "interrupted")),
                    None)
        if last is None:
            raise ServiceError("there is no finished meeting yet")
        label = f"S{number}"
        if label not in last.speakers:
            raise ServiceError(f"the last meeting ({last.title}) has no speaker {number}")
        try:
            self.service.rename_speaker(last.id, label, name)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        return last.title

    def last_finished(self) -> FinishedMeeting | None:
        """The newest finished meeting with its notes ("send the notes to everyone")."""
        last = next((m for m in self.service.list_meetings(20) if m.state in ("done", "recovered", "interrupted")),
                    None)
        if last is None:
            return None
        return FinishedMeeting(id=last.id, title=last.title, started_at=last.started_at, speakers=list(last.speakers),
                               notes=last.notes)

    def voice_profiles(self) -> list[str]:
        return self.service.voice_profiles()

    def forget_voice(self, name: str) -> str | None:
        return self.service.forget_voice(name)

    def search_transcripts(self, query: str, limit: int = 5, speaker: str | None = None) -> list[TranscriptHit]:
        try:
            hits = self.service.search(query, limit, speaker)
        except (MeetingNotFound, MeetingError) as exc:
            raise ServiceError(str(exc)) from None
        return [TranscriptHit(recording_id=h.meeting_id, title=h.title, at=h.started_at, text=h.text, offset_s=h.start,
                              speaker=h.speaker)
                for h in hits]
