"""Meetings for server users: uploads become meetings (transcript, speakers, notes) through the app's
meeting service; each meeting belongs to the user who uploaded it. A recording is served as one WAV,
rendered once from its stored segments into ``<data>/server/recordings`` (so byte ranges are exact)."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from agents.meetings.models import MeetingInfo
from agents.meetings.store import MeetingNotFound
from app.engine import MeetingHit, MeetingSegment
from app.meetings.service import MeetingService
from app.server.file_cache import FileCache
from app.server.schemas import MeetingDetail, MeetingOut
from app.server.users import UserStore
from app.services import Services
from audio.meeting.capture import FileSource
from audio.meeting.segments import MeetingError
from audio.wav import wav_writer

log = logging.getLogger(__name__)
KIND = "meeting"


class NotYours(LookupError):
    """No such meeting for this user (it may exist for another user: callers say 404 either way)."""


class MeetingBusy(Exception):
    """Another meeting is being recorded or processed right now."""


def meeting_out(info: MeetingInfo) -> MeetingOut:
    return MeetingOut(id=info.id, title=info.title, state=info.state, started_at=info.started_at,  # type: ignore[arg-type]
                      duration_s=max(0.0, info.duration_s), speakers=info.speakers,
                      summary=info.notes.summary if info.notes else "", error=info.error)


class ServerMeetings:
    def __init__(self, services: Services, users: UserStore) -> None:
        self.services = services
        self.users = users
        self.uploads = services.paths.data_dir / "server" / "uploads"
        self.cache = services.paths.data_dir / "server" / "recordings"
        self.rendered = FileCache(self.cache)  # a rendered WAV not played for a day is deleted (made again)
        self._render_lock = threading.Lock()

    @property
    def service(self) -> MeetingService:
        return self.services.meeting_service

    def _own(self, user_id: int, meeting_id: str) -> MeetingInfo:
        if self.users.owner(KIND, meeting_id) != user_id:
            raise NotYours(meeting_id)
        try:
            return self.service.get(meeting_id)
        except MeetingNotFound:
            raise NotYours(meeting_id) from None

    def create_from_upload(self, user_id: int, path: Path, title: str | None, speakers: int | None) -> MeetingOut:
        """Start processing an uploaded file (it is moved into the server's uploads and deleted when done).
        AudioInputError for files without audio; MeetingBusy while another meeting is running."""
        self.uploads.mkdir(parents=True, exist_ok=True)
        kept = self.uploads / path.name
        shutil.move(str(path), kept)
        try:
            source = FileSource(kept)
            svc = self.service
            try:
                info = svc.start(title or "Uploaded meeting", source=source, speakers=speakers, origin="import")
            except MeetingError as exc:
                raise MeetingBusy(str(exc)) from None
        except BaseException:
            kept.unlink(missing_ok=True)
            raise
        self.users.own(KIND, info.id, user_id)
        threading.Thread(target=self._finish, args=(kept,), daemon=True, name="server-meeting-import").start()
        return meeting_out(info)

    def _finish(self, kept: Path) -> None:
        try:
            self.service.wait()
        except Exception:
            log.exception("meeting import failed")
        finally:
            kept.unlink(missing_ok=True)

    def list_for(self, user_id: int, query: str = "") -> list[MeetingOut]:
        ids = set(self.users.owned(KIND, user_id))
        words = [w for w in query.lower().split() if w]
        out = []
        for info in self.service.list_meetings(limit=1000):
            if info.id not in ids:
                continue
            hay = f"{info.title} {info.notes.summary if info.notes else ''}".lower()
            if all(w in hay for w in words):
                out.append(meeting_out(info))
        return out

    def detail(self, user_id: int, meeting_id: str) -> MeetingDetail:
        info = self._own(user_id, meeting_id)
        segs = [MeetingSegment(start_s=max(0.0, s.start), end_s=max(0.0, s.end), speaker=s.speaker, text=s.text)
                for s in self.service.transcript(info.id)]
        notes = info.notes
        return MeetingDetail(**meeting_out(info).model_dump(), segments=segs,
                             decisions=notes.decisions if notes else [],
                             action_items=[a.text for a in notes.action_items] if notes else [],
                             recording_url=f"/api/v1/meetings/{info.id}/recording")

    def export(self, user_id: int, meeting_id: str, fmt: str) -> str:
        return self.service.export(self._own(user_id, meeting_id).id, fmt)

    def search(self, user_id: int, query: str, limit: int) -> list[MeetingHit]:
        ids = set(self.users.owned(KIND, user_id))
        hits = [h for h in self.service.search(query, limit=max(limit * 10, 50)) if h.meeting_id in ids]
        return [MeetingHit(meeting_id=h.meeting_id, title=h.title, at=h.started_at, start_s=max(0.0, h.start),
                           text=h.text) for h in hits[:limit]]

    def recording(self, user_id: int, meeting_id: str) -> Path:
        """The meeting's audio as one 16-bit WAV (rendered on first request). MeetingError if it has none."""
        info = self._own(user_id, meeting_id)
        if info.state in ("recording", "paused", "processing"):
            raise MeetingBusy(f"meeting {info.id} is still {info.state}")
        target = self.cache / f"{info.id}.wav"
        with self._render_lock:
            if target.exists():
                self.rendered.used(target)
            else:
                self.rendered.maybe_sweep()
                self._render(info.id, target)
        return target

    def _render(self, meeting_id: str, target: Path) -> None:
        manifest = self.service.manifest(meeting_id)
        self.cache.mkdir(parents=True, exist_ok=True)
        with wav_writer(target, manifest.sample_rate, manifest.channels) as w:  # atomic: renamed when whole
            for block in self.service.audio_from(meeting_id):
                w.write(block)
