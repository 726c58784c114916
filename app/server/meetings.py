"""Meetings for server users: uploads become meetings (transcript, speakers, notes) through the app's
meeting service; each meeting belongs to the user who uploaded it. A recording is served as one WAV,
rendered once from its stored segments into ``<data>/server/recordings`` (so byte ranges are exact)."""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agents.meetings.models import MeetingInfo, speaker_label
from agents.meetings.store import MeetingNotFound
from app.engine import MeetingHit, MeetingSegment
from app.meetings.service import MeetingService
from app.server.file_cache import FileCache
from app.server.schemas import MeetingDetail, MeetingOut
from app.server.uploads import Upload
from app.server.users import UserStore
from app.services import Services
from audio.meeting.capture import FileSource
from audio.meeting.models import Manifest
from audio.meeting.segments import MeetingError
from audio.sources import AudioInputError
from audio.wav import pcm16, pcm16_wav_header, wav_writer
from storage.bilingual import Bilingual
from storage.sealed_file import write_sealed_file

log = logging.getLogger(__name__)
KIND = "meeting"


class NotYours(LookupError):
    """No such meeting for this user (it may exist for another user: callers say 404 either way)."""


class MeetingBusy(Bilingual):
    """The meeting is still being recorded or processed (its message names only the caller's meeting)."""


@dataclass
class _Job:
    """An upload waiting for (or in) processing."""

    key: str
    user_id: int
    upload: Upload  # an unnamed temp file: nothing of it stays on disk after a crash
    title: str
    speakers: int | None
    queued_at: datetime
    alias: str = ""
    error: str | None = None


def meeting_out(info: MeetingInfo) -> MeetingOut:
    return MeetingOut(id=info.id, title=info.title, state=info.state, started_at=info.started_at,  # type: ignore[arg-type]
                      duration_s=max(0.0, info.duration_s), speakers=[speaker_label(x) for x in info.speakers],
                      summary=info.notes.summary if info.notes else "", error=info.error)


class ServerMeetings:
    def __init__(self, services: Services, users: UserStore) -> None:
        self.services = services
        self.users = users
        # older versions kept queued uploads here as named files, which a crash left behind in plaintext;
        # the queue lives in memory, so nothing here is still wanted at start
        shutil.rmtree(services.paths.data_dir / "server" / "uploads", ignore_errors=True)
        self.cache = services.paths.data_dir / "server" / "recordings"
        self.rendered = FileCache(self.cache)  # a rendered WAV not played for a day is deleted (made again)
        self.keys = services.data_keys  # encryption at rest on: the rendered WAV is sealed as well
        self._render_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: deque[_Job] = deque()  # uploads waiting for the one being processed
        self._running: _Job | None = None
        self._worker: threading.Thread | None = None
        self._aliases: dict[str, str] = {}  # provisional id of a queued upload -> its meeting id
        self._failed: dict[str, _Job] = {}  # queued uploads that could not start

    @property
    def service(self) -> MeetingService:
        return self.services.meeting_service

    def _own(self, user_id: int, meeting_id: str) -> MeetingInfo:
        if self.users.owner(KIND, meeting_id) != user_id:
            raise NotYours(meeting_id)
        if self._pending(user_id, meeting_id) is not None:
            raise MeetingBusy("the recording is still waiting to be processed",
                              de="die Aufnahme wartet noch auf die Verarbeitung")
        meeting_id = self._aliases.get(meeting_id, meeting_id)
        try:
            return self.service.get(meeting_id)
        except MeetingNotFound:
            raise NotYours(meeting_id) from None

    def create_from_upload(self, user_id: int, upload: Upload, title: str | None, speakers: int | None) -> MeetingOut:
        """Process an uploaded file (taken over: closed, so freed, once processed or refused).
        If another recording is being processed, this one waits in line (per server, in order):
        its provisional id answers like a meeting in state "processing" until it starts.
        AudioInputError (its message names no server path) for files without audio."""
        job = _Job(uuid.uuid4().hex[:12], user_id, upload, (title or "").strip()[:300] or "Uploaded meeting",
                   speakers, datetime.now(UTC))
        with self._queue_lock:
            if not self._queue and self._worker is None:
                try:
                    info = self._start(job)
                except MeetingError:  # a recording not started here (the desktop's): wait in line
                    info = None
                if info is not None:
                    self._worker = self._spawn()
                    return meeting_out(info)
            job.alias = f"queued-{job.key}"
            self.users.own(KIND, job.alias, user_id)
            self._queue.append(job)
            if self._worker is None:
                self._worker = self._spawn()
            return self._queued_out(job)

    def _start(self, job: _Job) -> MeetingInfo:
        """Start one upload now; MeetingError while the service is busy with another recording."""
        try:
            source = FileSource(job.upload.path)
            info = self.service.start(job.title, source=source, speakers=job.speakers, origin="import")
        except AudioInputError as exc:
            job.upload.close()
            raise AudioInputError(str(exc).replace(str(job.upload.path), "the upload")) from None
        except MeetingError:
            raise
        except BaseException:
            job.upload.close()
            raise
        self.users.own(KIND, info.id, job.user_id)
        self._running = job
        return info

    def _spawn(self) -> threading.Thread:
        t = threading.Thread(target=self._work, daemon=True, name="server-meeting-import")
        t.start()
        return t

    def _work(self) -> None:
        """Finish the running upload, then start the next in line, until the line is empty."""
        while True:
            self._finish_running()
            with self._queue_lock:
                if not self._queue:
                    self._worker = None
                    return
                job = self._queue[0]
            try:
                info = self._start(job)
            except MeetingError:  # busy with a recording not started here: look again shortly
                time.sleep(2)
                continue
            except Exception as exc:
                log.warning("queued meeting upload could not start: %s", type(exc).__name__)
                msg = str(exc) if isinstance(exc, AudioInputError) else "the upload could not be processed"
                job.error = f"not usable audio: {msg}" if isinstance(exc, AudioInputError) else msg
                with self._queue_lock:
                    self._queue.popleft()
                    self._failed[job.alias] = job
                continue
            with self._queue_lock:
                self._queue.popleft()
                self._aliases[job.alias] = info.id

    def _finish_running(self) -> None:
        job, self._running = self._running, None
        if job is None:
            return
        try:
            self.service.wait()
        except Exception:
            log.exception("meeting import failed")
        finally:
            job.upload.close()

    def _queued_out(self, job: _Job) -> MeetingOut:
        state = "failed" if job.error else "processing"
        return MeetingOut(id=job.alias, title=job.title, state=state, started_at=job.queued_at,  # type: ignore[arg-type]
                          duration_s=0.0, error=job.error)

    def _pending(self, user_id: int, meeting_id: str) -> MeetingOut | None:
        """A queued (or failed before it started) upload of this user, as a meeting."""
        with self._queue_lock:
            job = next((j for j in self._queue if j.alias == meeting_id), None) or self._failed.get(meeting_id)
        if job is None or job.user_id != user_id:
            return None
        return self._queued_out(job)

    def list_for(self, user_id: int, query: str = "") -> list[MeetingOut]:
        ids = set(self.users.owned(KIND, user_id))
        words = [w for w in query.lower().split() if w]
        out = [p for alias in ids if alias.startswith("queued-") and (p := self._pending(user_id, alias))
               and all(w in p.title.lower() for w in words)]
        for info in self.service.list_meetings(limit=1000):
            if info.id not in ids:
                continue
            hay = f"{info.title} {info.notes.summary if info.notes else ''}".lower()
            if all(w in hay for w in words):
                out.append(meeting_out(info))
        return out

    def detail(self, user_id: int, meeting_id: str) -> MeetingDetail:
        if self.users.owner(KIND, meeting_id) == user_id and (pending := self._pending(user_id, meeting_id)):
            return MeetingDetail(**pending.model_dump(), recording_url=f"/api/v1/meetings/{meeting_id}/recording")
        info = self._own(user_id, meeting_id)
        segs = [MeetingSegment(start_s=max(0.0, s.start), end_s=max(0.0, s.end), speaker=speaker_label(s.speaker), text=s.text)
                for s in self.service.transcript(info.id)]
        notes = info.notes
        return MeetingDetail(**meeting_out(info).model_dump(), segments=segs,
                             decisions=notes.decisions if notes else [],
                             action_items=[a.text for a in notes.action_items] if notes else [],
                             recording_url=f"/api/v1/meetings/{info.id}/recording")

    def rename_speaker(self, user_id: int, meeting_id: str, old: str, new: str) -> None:
        info = self._own(user_id, meeting_id)
        stored = next((x for x in info.speakers if speaker_label(x) == old), old)
        self.service.rename_speaker(info.id, stored, new)

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
            raise MeetingBusy(f"meeting {info.id} is still {info.state}",
                              de=f"Meeting {info.id} ist noch im Zustand {info.state}")
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
        if self.keys is not None:
            key_id = self.keys.current
            write_sealed_file(target, self._pcm_wav(meeting_id, manifest), key_id, self.keys.key(key_id))
            return
        with wav_writer(target, manifest.sample_rate, manifest.channels) as w:  # atomic: renamed when whole
            for block in self.service.audio_from(meeting_id):
                w.write(block)

    def _pcm_wav(self, meeting_id: str, manifest: Manifest) -> Iterator[bytes]:
        """The recording as 16-bit WAV bytes, front to back: the header says the manifest's frame count
        (a sealed file cannot be patched afterwards), so the audio is cut or padded with silence to it."""
        total, channels = sum(s.samples for s in manifest.segments), manifest.channels
        yield pcm16_wav_header(total, manifest.sample_rate, channels)
        written = 0
        for block in self.service.audio_from(meeting_id):
            pcm = pcm16(block)[: total - written]
            written += len(pcm)
            yield pcm.tobytes()
        if written < total:
            yield bytes((total - written) * channels * 2)
