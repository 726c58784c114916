"""The meeting API for the GUI, the CLI and the agents: start / pause / resume / stop, live events,
import, recovery of unfinished meetings, list / show / export / search, audio from any moment.

One recording at a time per process. While recording, the process holds an exclusive lock file per
meeting (released by the kernel if the process dies): a meeting in state recording/paused whose lock is
free was cut off by a crash and is recovered from its stored segments on the next start."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from agents.meetings.export import export
from agents.meetings.models import MeetingInfo, MeetingNotes, SearchHit, SegmentLike, TranscriptLine
from agents.meetings.notes import make_notes
from agents.meetings.store import MeetingStore
from agents.meetings.voices import MeetingVoice, VoiceProfiles
from app.meetings.events import FinalPassEvent, MeetingEvent, NotesEvent
from app.metrics import MEETING_LAG, MEETING_SECONDS
from audio.meeting.capture import Block, FileSource, MeetingSource
from audio.meeting.der import parse_rttm, to_rttm
from audio.meeting.diarization import DiarizerConfig
from audio.meeting.final_pass import FinalPassCancelled, retranscribe
from audio.meeting.live import LiveTranscriber
from audio.meeting.models import Manifest, SpeakerTurn, StateEvent, TranscriptEvent, TranscriptSegment
from audio.meeting.playback import iter_audio, load_manifest, rebuild_manifest
from audio.meeting.recorder import MeetingRecorder
from audio.meeting.segments import MeetingError, SegmentWriter, SpaceMonitor
from storage.base import Backend
from storage.db.engine import Database
from storage.errors import NotFoundError, StorageError

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from audio.stt import Recognizer

log = logging.getLogger(__name__)
EventCallback = Callable[[MeetingEvent], None]


@dataclass
class MeetingConfig:
    segment_s: float = 1.5
    prefix: str = "meetings"
    language: str | None = None
    max_speakers: int = 4
    min_free_minutes: float = 10.0
    reserve_mb: float = 50.0
    warn_minutes: float = 10.0
    space_check_s: float = 5.0
    transcribe: bool = True


@dataclass
class _Active:
    info: MeetingInfo
    recorder: MeetingRecorder
    writer: SegmentWriter
    lock: IO[bytes]
    backend: Backend


class MeetingInterrupted(MeetingError):
    """A recording or import stopped early; the message says why and what was kept."""


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)  # SQLAlchemy: the driver's own message, without the SQL
    lines = str(orig if orig is not None else exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


@dataclass
class MeetingService:
    db: Database
    backend_factory: Callable[[], Backend]
    data_dir: Path
    recognizer_factory: Callable[[], Recognizer] | None = None
    model_factory: Callable[[], Model | None] = lambda: None
    space_paths: list[Path] = field(default_factory=list)
    config: MeetingConfig = field(default_factory=MeetingConfig)
    source_factory: Callable[[], MeetingSource] | None = None
    storage_kind: str = "local"
    # the larger model of the final pass after Stop (None from the factory, or no factory: no final pass)
    final_recognizer_factory: Callable[[], Recognizer | None] | None = None

    def __post_init__(self) -> None:
        self.store = MeetingStore(self.db)
        self.voices = VoiceProfiles(self.db)
        self._active: _Active | None = None
        self._listeners: list[EventCallback] = []
        self._lock = threading.RLock()
        self._recognizer: Recognizer | None = None
        self._backend: Backend | None = None
        self._finished = threading.Event()
        self.last_problem: str | None = None  # why the last recording stopped early (None: it did not)
        self.last_turns: list[SpeakerTurn] = []
        self._final_recognizer: Recognizer | None = None
        self._final_idle = threading.Event()  # set while no final pass runs
        self._final_idle.set()
        self._final_cancel = threading.Event()
        self._final_meeting: str | None = None
        self.last_final_pass: dict[str, object] | None = None  # what the last final pass did (for the bench)
        (self.data_dir / "meetings").mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------------------ shared parts

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = self.backend_factory()
        return self._backend

    def recognizer(self) -> Recognizer | None:
        if not self.config.transcribe or self.recognizer_factory is None:
            return None
        if self._recognizer is None:
            self._recognizer = self.recognizer_factory()
        return self._recognizer

    def final_recognizer(self) -> Recognizer | None:
        if not self.config.transcribe or self.final_recognizer_factory is None:
            return None
        if self._final_recognizer is None:
            self._final_recognizer = self.final_recognizer_factory()
        return self._final_recognizer

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Live events (level, transcript, state, warnings, notes). Returns the unsubscribe function."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _emit(self, event: MeetingEvent) -> None:
        if isinstance(event, TranscriptEvent):
            MEETING_LAG.observe(event.lag_s)
        for cb in list(self._listeners):
            try:
                cb(event)
            except Exception as exc:  # a broken listener must not break the recording
                log.warning("meeting event listener failed: %s", exc)

    def _lock_path(self, meeting_id: str) -> Path:
        return self.data_dir / "meetings" / f"{meeting_id}.lock"

    # ------------------------------------------------------------------------------------ control

    @property
    def active(self) -> MeetingInfo | None:
        a = self._active
        if a is None:
            return None
        return a.info.model_copy(update={"state": a.recorder.state, "duration_s": round(a.recorder.captured_s, 2)})

    def start(self, title: str | None = None, source: MeetingSource | None = None, speakers: int | None = None,
              origin: str = "mic") -> MeetingInfo:
        with self._lock:
            if self._active is not None:
                title = self._active.info.title
                raise MeetingError(f"a meeting is already being recorded: {title}",
                                   de=f"es wird schon eine Besprechung aufgenommen: {title}")
            # a new recording has the cores: the last meeting's final pass stops (its live transcript stays)
            self.stop_final_pass()
            if source is None:
                if self.source_factory is None:
                    raise MeetingError("no audio input is configured for meeting recording",
                                       de="für Besprechungsaufnahmen ist kein Audioeingang eingerichtet")
                source = self.source_factory()
            space = SpaceMonitor(self.space_paths or [self.data_dir], reserve_mb=self.config.reserve_mb,
                                 warn_minutes=self.config.warn_minutes)
            space.check_before_start(self.config.min_free_minutes)
            recognizer = self.recognizer()
            now = datetime.now(UTC)
            meeting_id = now.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
            title = (title or "").strip() or f"Meeting {now.astimezone().strftime('%Y-%m-%d %H:%M')}"
            prefix = f"{self.config.prefix}/{meeting_id}"
            lock = open(self._lock_path(meeting_id), "wb")  # noqa: SIM115  (held for the whole recording)
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            info = self.store.create(meeting_id, title[:300], origin, source.channels, self.storage_kind, prefix,
                                     f"{socket.gethostname()}:{os.getpid()}", started_at=now)
            manifest = Manifest(meeting_id=meeting_id, title=info.title, started_at=now, channels=source.channels,
                                segment_s=self.config.segment_s)
            backend = self.backend
            writer = SegmentWriter(backend, prefix, manifest, on_event=self._emit, space=space,
                                   space_every_s=self.config.space_check_s)
            transcriber = None
            if recognizer is not None:
                transcriber = LiveTranscriber(
                    recognizer, source.channels, self.config.language,
                    DiarizerConfig(num_speakers=speakers, max_speakers=self.config.max_speakers))
            recorder = MeetingRecorder(meeting_id, source, writer, transcriber, self._emit,
                                       on_segment=lambda s: self._store_segment(meeting_id, s))
            self._active = _Active(info, recorder, writer, lock, backend)
            recorder.start()
            threading.Thread(target=self._finish_when_done, args=(self._active,), daemon=True,
                             name="meeting-finish").start()
            return info

    def capturing(self) -> bool:
        """True while a recording is still taking audio (a file source ends by itself)."""
        a = self._active
        return a is not None and not a.recorder.done.is_set()

    def pause(self) -> MeetingInfo:
        a = self._require_active()
        a.recorder.pause()
        self.store.update(a.info.id, state="paused")
        return self.active or a.info

    def resume(self) -> MeetingInfo:
        a = self._require_active()
        a.recorder.resume()
        self.store.update(a.info.id, state="recording")
        return self.active or a.info

    def stop(self, timeout: float | None = None) -> MeetingInfo:
        """Stop recording; returns the finished meeting (transcript final, speakers, notes)."""
        a = self._require_active()
        a.recorder.stop()
        return self.wait(timeout)

    def wait(self, timeout: float | None = None) -> MeetingInfo:
        """Until the current recording ends (a file source ends by itself) and is finalized."""
        a = self._active
        if a is None:
            raise MeetingError("no meeting is being recorded", de="es wird keine Besprechung aufgenommen")
        if not a.recorder.wait(timeout):
            raise MeetingError("the recording did not finish in time", de="die Aufnahme wurde nicht rechtzeitig fertig")
        self._finished.wait(timeout)
        return self.store.get(a.info.id)

    def _store_segment(self, meeting_id: str, seg: TranscriptSegment) -> None:
        self.store.add_segment(meeting_id, seg)

    def _require_active(self) -> _Active:
        if self._active is None:
            raise MeetingError("no meeting is being recorded", de="es wird keine Besprechung aufgenommen")
        return self._active

    def _finish_when_done(self, a: _Active) -> None:
        self._finished.clear()
        self.last_problem = None
        finalized = False
        a.recorder.wait()
        # a recording cut short (the disk filled, the input failed) keeps what was stored: "interrupted"
        state = "done" if a.recorder.error is None else "interrupted"
        try:
            self._finalize(a.info, a.writer.manifest, a.recorder, a.backend, state=state)
            finalized = state == "done"
            if a.recorder.error is not None:
                self.last_problem = f"{a.recorder.error}; the {a.writer.manifest.duration_s:.0f} s stored " \
                                    f"before are kept as meeting {a.info.id}"
        except Exception as exc:
            reason = _one_line(exc)
            log.error("finalizing meeting %s failed: %s", a.info.id, reason)
            log.debug("finalizing meeting %s failed", a.info.id, exc_info=True)
            first = a.recorder.error or reason
            try:
                self.store.update(a.info.id, state="interrupted", error=f"{first}"[:2000])
                self.last_problem = f"{first}; what was stored is kept as meeting {a.info.id}"
            except Exception as exc2:  # the database is on the full disk too
                log.error("meeting %s could not be marked interrupted: %s", a.info.id, _one_line(exc2))
                self.last_problem = f"{first}; what was stored of meeting {a.info.id} is recovered " \
                                    "the next time the app starts"
        finally:
            with self._lock:
                a.lock.close()
                self._lock_path(a.info.id).unlink(missing_ok=True)
                final = finalized and a.recorder.transcriber is not None and self.final_recognizer_factory is not None
                if final:
                    self._final_idle.clear()  # before stop() returns: wait_final_pass() sees it running
                    self._final_cancel.clear()
                    self._final_meeting = a.info.id
                self._active = None
            self._finished.set()
        if final:
            self._final_pass(a.info, a.writer.manifest, a.backend, a.recorder.turns)

    def _final_pass(self, info: MeetingInfo, manifest: Manifest, backend: Backend, turns: list[SpeakerTurn]) -> None:
        """Transcribe the stored recording again with the larger model and replace the live transcript
        with it in one transaction; until then, and if this fails or is stopped, the live one stays."""
        try:
            rec = self.final_recognizer()
            if rec is None:
                return
            self._emit(FinalPassEvent(meeting_id=info.id, phase="started"))
            done = retranscribe(rec, iter_audio(backend, manifest), manifest.channels, self.config.language, turns,
                                self._final_cancel)
            live = self.store.segments(info.id)
            self.store.replace_segments(info.id, done.segments)
            final = self.store.segments(info.id)
            speakers = sorted({s.speaker for s in final} | {t.speaker for t in turns})
            notes = make_notes(final, datetime.now().astimezone(), self._model())
            self.store.update(info.id, speakers=speakers, notes=notes)
            self.last_final_pass = {"meeting_id": info.id, "seconds": round(done.seconds, 3),
                                    "audio_s": round(done.audio_s, 2), "live_text": " ".join(s.text for s in live),
                                    "final_text": " ".join(s.text for s in final)}
            self._emit(NotesEvent(notes=notes))
            self._emit(FinalPassEvent(meeting_id=info.id, phase="done", seconds=round(done.seconds, 2)))
        except FinalPassCancelled:
            log.info("final transcription of meeting %s stopped; the live transcript is kept", info.id)
            self._emit(FinalPassEvent(meeting_id=info.id, phase="stopped"))
        except Exception as exc:
            log.error("final transcription of meeting %s failed: %s; the live transcript is kept",
                      info.id, _one_line(exc))
            self._emit(FinalPassEvent(meeting_id=info.id, phase="failed"))
        finally:
            self._final_meeting = None
            self._final_idle.set()

    def wait_final_pass(self, timeout: float | None = None) -> bool:
        """Until no final pass runs (True), or False after ``timeout``."""
        return self._final_idle.wait(timeout)

    def stop_final_pass(self, timeout: float | None = None) -> bool:
        """Stop a running final pass (the live transcript stays); True once none runs."""
        self._final_cancel.set()
        return self._final_idle.wait(timeout)

    def _finalize(self, info: MeetingInfo, manifest: Manifest, recorder: MeetingRecorder | None,
                  backend: Backend, state: str, segments: Sequence[SegmentLike] | None = None,
                  turns_override: list[SpeakerTurn] | None = None) -> MeetingInfo:
        self.store.update(info.id, state="processing")
        self._emit(StateEvent(meeting_id=info.id, state="processing"))
        manifest.finalized = True
        manifest.ended_at = manifest.ended_at or datetime.now(UTC)
        SegmentWriter(backend, info.storage_prefix, manifest).write_manifest()
        if recorder is not None and recorder.transcriber is not None:
            segments = recorder.transcriber.relabel(recorder.turns)
            if recorder.transcriber.has_voices:
                self._name_known_voices(info.id, recorder.transcriber.voiceprints(recorder.turns), recorder.turns,
                                        segments)
        turns = recorder.turns if recorder is not None else (turns_override or [])
        self.last_turns = turns
        if turns:
            try:
                backend.save(f"{info.storage_prefix}/speakers.rttm", to_rttm(info.id, turns).encode())
            except StorageError as exc:
                log.warning("speaker turns of %s not stored: %s", info.id, exc)
        if segments is not None:
            self.store.replace_segments(info.id, segments)
        final = self.store.segments(info.id)
        speakers = sorted({s.speaker for s in final}) if final else []
        if turns:
            speakers = sorted({t.speaker for t in turns} | set(speakers))
        notes = make_notes(final, datetime.now().astimezone(), self._model())
        error = recorder.error if recorder is not None else None
        MEETING_SECONDS.inc(max(0.0, manifest.duration_s))
        out = self.store.update(info.id, state=state, ended_at=manifest.ended_at, duration_s=round(manifest.duration_s, 2),
                                speakers=speakers, notes=notes, error=error)
        self._emit(NotesEvent(notes=notes))
        self._emit(StateEvent(meeting_id=info.id, state=state))  # type: ignore[arg-type]
        return out

    def _name_known_voices(self, meeting_id: str, prints: dict[str, tuple[np.ndarray, int]],
                           turns: list[SpeakerTurn], segments: Sequence[TranscriptSegment]) -> None:
        """Speakers whose voice matches a profile get its name (turns and segments in place); every speaker's
        vector is kept with the meeting, with the match score, so a name given later can learn the voice."""
        try:
            matches = {m.speaker: m for m in self.voices.match(prints)}
        except Exception as exc:  # a profile problem must not cost the meeting
            log.warning("voice profiles not matched: %s", _one_line(exc))
            matches = {}
        names = {spk: m.profile for spk, m in matches.items()}
        for t in turns:
            t.speaker = names.get(t.speaker, t.speaker)
        for seg in segments:
            seg.speaker = names.get(seg.speaker, seg.speaker)
        self.voices.save_meeting(meeting_id, [
            MeetingVoice(names.get(spk, spk), vec, n, matches[spk].profile if spk in matches else None,
                         matches[spk].score if spk in matches else None) for spk, (vec, n) in prints.items()])

    def _model(self) -> Model | None:
        try:
            return self.model_factory()
        except Exception as exc:
            log.info("no language model for meeting notes: %s", exc)
            return None

    # ------------------------------------------------------------------------------------ import

    def import_file(self, path: str | Path, title: str | None = None, speakers: int | None = None) -> MeetingInfo:
        """An audio file becomes a meeting: same segments, transcript, speakers and notes as a recording.
        MeetingInterrupted if it stopped early (e.g. the disk filled): what was stored is kept."""
        source = FileSource(path)
        self.start(title or Path(path).stem, source=source, speakers=speakers, origin="import")
        info = self.wait()
        if self.last_problem is not None:
            raise MeetingInterrupted(f"the import stopped early: {self.last_problem}")
        return info

    # ---------------------------------------------------------------------------------- recovery

    def _is_orphan(self, meeting_id: str) -> bool:
        if self._active is not None and self._active.info.id == meeting_id:
            return False
        path = self._lock_path(meeting_id)
        if not path.exists():
            return True
        with open(path, "ab") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # another process is recording it right now
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return True

    def recover_unfinished(self) -> list[MeetingInfo]:
        """Find meetings cut off by a crash or power loss and finalize them from their stored segments."""
        out: list[MeetingInfo] = []
        for info in self.store.unfinished():
            if not self._is_orphan(info.id):
                continue
            try:
                out.append(self.recover(info.id))
            except Exception as exc:
                log.exception("recovering meeting %s failed", info.id)
                out.append(self.store.update(info.id, state="failed", error=f"recovery failed: {exc}"[:2000]))
        return out

    def recover(self, meeting_id: str) -> MeetingInfo:
        info = self.store.get(meeting_id)
        backend = self.backend
        base = load_manifest(backend, info.storage_prefix) or Manifest(
            meeting_id=info.id, title=info.title, started_at=info.started_at, channels=info.channels,
            segment_s=self.config.segment_s)
        manifest = rebuild_manifest(backend, info.storage_prefix, base)
        manifest.recovered = True
        manifest.ended_at = info.started_at + timedelta(seconds=manifest.duration_s + sum(
            ((p.resumed_at or p.paused_at) - p.paused_at).total_seconds() for p in manifest.pauses))
        done = self.store.segments(meeting_id)
        last = max((s.end for s in done), default=-1.0)
        tr = LiveTranscriber(self.recognizer(), manifest.channels, self.config.language,
                             DiarizerConfig(max_speakers=self.config.max_speakers), transcribe_after=last)
        new: list[TranscriptSegment] = []
        for block in iter_audio(backend, manifest):
            new += [t.segment for t in tr.push(block)]
        new += [t.segment for t in tr.finish()]
        turns = tr.final_turns()
        segs = sorted(done + [TranscriptLine.of(s) for s in new], key=lambda s: s.start)
        if tr.diarizer is not None or tr.channel_diarizers is not None:
            from audio.meeting.live import label_segments

            label_segments(segs, turns)
        self._lock_path(meeting_id).unlink(missing_ok=True)
        return self._finalize(info, manifest, None, backend, state="recovered", segments=segs, turns_override=turns)

    # ----------------------------------------------------------------------------------- reading

    def list_meetings(self, limit: int = 50) -> list[MeetingInfo]:
        return self.store.recent(limit)

    def get(self, ref: str) -> MeetingInfo:
        return self.store.resolve(ref)

    def transcript(self, ref: str) -> list[TranscriptLine]:
        return self.store.segments(self.store.resolve(ref).id)

    def notes(self, ref: str) -> MeetingNotes | None:
        return self.store.resolve(ref).notes

    def export(self, ref: str, fmt: str) -> str:
        info = self.store.resolve(ref)
        return export(info, self.store.segments(info.id), fmt)

    def search(self, query: str, limit: int = 20, speaker: str | None = None) -> list[SearchHit]:
        """Passages matching ``query``; with ``speaker`` (a name or "Speaker 2") only theirs."""
        return self.store.search(query, limit, speaker)

    def rename_speaker(self, ref: str, old: str, new: str) -> MeetingInfo:
        """Name a speaker of a finished meeting (ValueError for a bad name or an unknown speaker)."""
        info = self.store.resolve(ref)
        if info.state in ("recording", "paused", "processing") or info.id == self._final_meeting:
            raise ValueError("the meeting is still being recorded or transcribed")
        out = self.store.rename_speaker(info.id, old, new)
        self.voices.name_speaker(info.id, old, " ".join(new.split()))  # the voice is learnt under that name
        return out

    def voice_profiles(self) -> list[str]:
        return self.voices.names()

    def forget_voice(self, name: str) -> str | None:
        """Delete a voice profile (meetings keep the names they show); the name deleted, None if unknown."""
        return self.voices.forget(name)

    def speaker_voices(self, ref: str) -> list[MeetingVoice]:
        """A meeting's speakers with the profile each matched and the score (None: named by the user or
        not matched)."""
        return self.voices.of_meeting(self.store.resolve(ref).id)

    def manifest(self, ref: str) -> Manifest:
        info = self.store.resolve(ref)
        m = load_manifest(self.backend, info.storage_prefix)
        if m is None:
            raise MeetingError(f"meeting {info.id} has no audio manifest in {self.backend.location}",
                               de=f"zur Besprechung {info.id} gibt es unter {self.backend.location} kein Audioverzeichnis")
        return m

    def speaker_turns(self, ref: str) -> list[SpeakerTurn]:
        """The final speaker turns (stored beside the audio as RTTM)."""
        info = self.store.resolve(ref)
        try:
            data = self.backend.load(f"{info.storage_prefix}/speakers.rttm").decode()
        except NotFoundError:
            return []
        return parse_rttm(data)

    def audio_from(self, ref: str, start_s: float = 0.0) -> Iterator[Block]:
        """The meeting's audio from ``start_s`` (e.g. a search hit's time stamp) on, block by block."""
        return iter_audio(self.backend, self.manifest(ref), start_s)

    def close(self) -> None:
        """Stop a running recording cleanly (the backend belongs to whoever gave it)."""
        if self._active is not None:
            with contextlib.suppress(MeetingError):
                self.stop(timeout=60)
        self.stop_final_pass(timeout=60)
