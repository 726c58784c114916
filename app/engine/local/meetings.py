"""Meetings for the local engine, on top of ``Services.meeting_service`` (app/meetings): start /
pause / resume / stop, live level and transcript events, past meetings, search, playback, export.

Audio: with ``capture="client"`` the meeting records what the UI's microphone pushes (browser,
phone, window: :class:`PushedSource`); with ``capture="device"`` the service's own microphone."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from agents.i18n import resolve_language
from agents.meetings.models import speaker_label
from agents.phrasebook import phrase
from app.engine import (
    EXPORT_MEDIA_TYPES,
    AudioChunk,
    AudioClip,
    EngineError,
    ExportedFile,
    ExportFormat,
    MeetingHit,
    MeetingSegment,
    MeetingSegmentAdded,
    MeetingSummary,
    MeetingUpdated,
    MeetingView,
    NotAvailable,
    Notice,
)
from app.engine.local.voice_input import ChannelsToSixteenK, _ToSixteenK
from storage.bilingual import said

if TYPE_CHECKING:
    from app.engine.bus import EventBus
    from app.services import Services

log = logging.getLogger(__name__)

NO_TAB_NOTICE_S = 8.0  # a call's second channel silent this long into the recording: the user is told


class PushedSource:
    """A live meeting source fed by :meth:`push`: 16 kHz blocks shaped (n, channels). One channel: the
    client's microphone (mixed down). Two: an online call recorded in the browser, the microphone in the
    first channel and the tab the user shared in the second (app/gui/web/call_audio.js), so the two
    sides are separate speakers as with the desktop's call capture."""

    live = True

    def __init__(self, channels: int = 1) -> None:
        self.channels = channels
        self._q: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=2000)
        self._mono = _ToSixteenK()
        self._split = ChannelsToSixteenK(channels)
        self._stopped = threading.Event()
        self.last_push = 0.0  # monotonic time of the newest chunk; 0 until the first
        self.pushed_s = 0.0  # seconds of audio taken so far
        self.second_heard = False  # the second channel carried any sound (not exact silence) so far

    def push(self, chunk: AudioChunk) -> None:
        if self._stopped.is_set():
            return
        if self.channels == 1:
            block = self._mono(chunk).reshape(-1, 1)
        else:
            block = self._split(chunk)
            self.second_heard = self.second_heard or bool(block.size and np.any(block[:, 1]))
        self.last_push = time.monotonic()
        if block.size:
            self.pushed_s += len(block) / 16_000
            try:
                self._q.put_nowait(block)
            except queue.Full:
                log.warning("meeting audio backlog full: chunk dropped")

    def drain(self, quiet_s: float = 0.3, limit_s: float = 3.0) -> None:
        """Wait for chunks the client sent before it stopped: until none came for ``quiet_s`` (at most
        ``limit_s``). The browser delivers its last buffered audio after the stop button is pressed."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline and time.monotonic() - self.last_push < quiet_s:
            time.sleep(0.05)

    def stop(self) -> None:
        self._stopped.set()
        self._q.put(None)

    def blocks(self) -> Iterator[np.ndarray]:
        while True:
            block = self._q.get()
            if block is None:
                return
            yield block


def _level(rms_db: list[float]) -> float:
    """dBFS -> 0..1 for the meter (-60 dB and below = 0)."""
    db = max(rms_db) if rms_db else -90.0
    return float(min(1.0, max(0.0, (db + 60.0) / 60.0)))


def _segment(s: Any) -> MeetingSegment:
    return MeetingSegment(start_s=max(0.0, s.start), end_s=max(0.0, s.end), speaker=speaker_label(s.speaker),
                          text=s.text)


class MeetingAdapter:
    def __init__(self, sv: Services, bus: EventBus, capture: Literal["client", "device"] = "client") -> None:
        self.sv = sv
        self.bus = bus
        self.capture = capture
        self.source: PushedSource | None = None
        self._view = MeetingView()
        self._unsub: Any = None
        self._ticker_stop = threading.Event()
        self._told_no_tab = False
        self._early: list[AudioChunk] | None = None  # what the client sent while the meeting was starting

    def _say(self, key: str, /, **values: object) -> str:
        """The phrasebook's ``key`` in the app's language."""
        return phrase(key, resolve_language(self.sv.settings.language), **values)

    # ------------------------------------------------------------------------------ availability

    def _service(self) -> Any:
        try:
            return self.sv.meeting_service
        except (AttributeError, ModuleNotFoundError) as exc:
            raise NotAvailable(self._say("meeting.not_installed", detail=exc)) from None
        except Exception as exc:  # a service that cannot start counts as missing, with its reason
            raise NotAvailable(self._say("meeting.unavailable", detail=exc)) from None

    def status(self) -> tuple[bool, str]:
        try:
            import app.meetings.service  # noqa: F401
        except ModuleNotFoundError as exc:
            return False, self._say("feature.meetings_missing", name=exc.name)
        return True, self._say("feature.meetings_ok")

    # ------------------------------------------------------------------------------ live events

    def _emit_view(self) -> None:
        self.bus.emit(MeetingUpdated(meeting=self._view.model_copy(deep=True)))

    def _on_event(self, ev: Any) -> None:
        kind = getattr(ev, "kind", "")
        if kind == "meeting_level":
            self._view.level = _level(ev.rms_db)
            self._view.elapsed_s = float(ev.audio_t)
            self._emit_view()
        elif kind == "meeting_transcript":
            seg = _segment(ev.segment)
            self._view.segments.append(seg)
            self.bus.emit(MeetingSegmentAdded(meeting_id=self._view.id or "", segment=seg))
        elif kind == "meeting_state":
            if ev.state in ("recording", "paused"):
                self._view.state = ev.state
            self._emit_view()
        elif kind == "meeting_notes":
            self._view.summary = ev.notes.summary
            self._view.action_items = [a.text for a in ev.notes.action_items]
            self._emit_view()
        elif kind == "meeting_final_pass" and ev.phase == "done" and ev.meeting_id == self._view.id:
            # the larger model's transcript replaced the live one: show it
            self._view.segments = [_segment(s) for s in self._service().transcript(ev.meeting_id)]
            self._emit_view()
        elif kind in ("meeting_error", "meeting_space_warning", "meeting_storage"):
            msg = getattr(ev, "message", None) or getattr(ev, "detail", None) or \
                self._say("meeting.low_disk", free=f"{ev.free_mb:.0f}")
            self.bus.emit(Notice(level="warning", message=self._say("meeting.notice", detail=msg)))

    def push(self, chunk: AudioChunk) -> bool:
        """Audio from the client while a meeting records; False when no meeting takes it."""
        src = self.source
        if src is None:
            if self._early is None:
                return False
            self._early.append(chunk)  # the browser started sending while the meeting started
            return True
        src.push(chunk)
        if src.channels == 2 and not src.second_heard and src.pushed_s >= NO_TAB_NOTICE_S and not self._told_no_tab:
            self._told_no_tab = True  # the picker was cancelled, the tab shared without its sound, or it is silent
            self.bus.emit(Notice(level="warning", message=self._say("meeting.no_tab_audio")))
        if self._view.waiting_for_audio:  # the client's microphone has started: now it really records
            self._view.waiting_for_audio = False
            self._emit_view()
        return True

    # ------------------------------------------------------------------------------ control

    async def start(self, title: str, call_audio: bool = False) -> MeetingView:
        from audio.meeting.segments import MeetingError
        from audio.sources import AudioInputError

        svc = self._service()
        source = PushedSource(2 if call_audio else 1) if self.capture == "client" else None
        self._told_no_tab = False
        self._early = [] if source is not None else None
        if self._unsub is None:
            self._unsub = svc.subscribe(self._on_event)
        try:
            info = await asyncio.to_thread(svc.start, title or None, source)
        except (MeetingError, AudioInputError, OSError) as exc:
            self._early = None
            raise EngineError(self._say("meeting.could_not_start", detail=exc)) from None
        except BaseException:
            self._early = None  # the client's audio goes to speech input again
            raise
        early, self._early = self._early or [], None
        if source is not None:
            for chunk in early:
                source.push(chunk)
        self.source = source
        self._view = MeetingView(id=info.id, title=info.title, state="recording", started_at=info.started_at,
                                 waiting_for_audio=source is not None and not early)
        self._emit_view()
        self._start_ticker()
        return self._view.model_copy(deep=True)

    def _start_ticker(self) -> None:
        self._ticker_stop.clear()

        def tick() -> None:  # the timer runs on even while the client sends no audio
            while not self._ticker_stop.wait(1.0):
                v = self._view
                if v.state == "recording" and v.started_at is not None:
                    self._emit_view()

        threading.Thread(target=tick, name="meeting-ticker", daemon=True).start()

    async def _control(self, name: str) -> MeetingView:
        from audio.meeting.segments import MeetingError

        svc = self._service()
        try:
            info = await asyncio.to_thread(getattr(svc, name))
        except MeetingError as exc:
            raise EngineError(said(exc, resolve_language(self.sv.settings.language))) from None
        self._view.state = "paused" if info.state == "paused" else "recording"
        self._emit_view()
        return self._view.model_copy(deep=True)

    async def pause(self) -> MeetingView:
        return await self._control("pause")

    async def resume(self) -> MeetingView:
        return await self._control("resume")

    async def stop(self) -> MeetingView:
        from audio.meeting.segments import MeetingError

        svc = self._service()
        self._ticker_stop.set()
        self._view.state = "processing"
        self._emit_view()
        src = self.source
        if src is not None:
            await asyncio.to_thread(src.drain)
            self.source = None
            src.stop()
        try:
            info = await asyncio.to_thread(svc.stop, 300.0)
            segs = await asyncio.to_thread(svc.transcript, info.id)
        except MeetingError as exc:
            raise EngineError(said(exc, resolve_language(self.sv.settings.language))) from None
        notes = info.notes
        self._view = MeetingView(id=info.id, title=info.title, state="done", started_at=info.started_at,
                                 elapsed_s=info.duration_s, segments=[_segment(s) for s in segs],
                                 summary=notes.summary if notes else "",
                                 action_items=[a.text for a in notes.action_items] if notes else [])
        self._emit_view()
        return self._view.model_copy(deep=True)

    # ------------------------------------------------------------------------------ past meetings

    async def past(self, query: str) -> list[MeetingSummary]:
        svc = self._service()
        infos = await asyncio.to_thread(svc.list_meetings, 100)
        words = query.lower().split()
        out = []
        for i in infos:
            hay = f"{i.title} {i.notes.summary if i.notes else ''}".lower()
            if all(w in hay for w in words):
                out.append(MeetingSummary(id=i.id, title=i.title, started_at=i.started_at, duration_s=i.duration_s,
                                          summary=i.notes.summary if i.notes else ""))
        return out

    async def detail(self, meeting_id: str) -> MeetingView:
        from agents.meetings.store import MeetingNotFound

        svc = self._service()
        try:
            info, lines = await asyncio.to_thread(lambda: (svc.get(meeting_id), svc.transcript(meeting_id)))
        except MeetingNotFound:
            raise EngineError(self._say("meeting.gone")) from None
        return past_view(info, lines)

    async def rename_speaker(self, meeting_id: str, old: str, new: str) -> MeetingView:
        from agents.meetings.store import MeetingNotFound

        svc = self._service()
        try:
            stored = (await asyncio.to_thread(svc.get, meeting_id)).speakers
            old = next((x for x in stored if speaker_label(x) == old), old)  # "Speaker 1" is stored as "S1"
            await asyncio.to_thread(svc.rename_speaker, meeting_id, old, new)
        except MeetingNotFound:
            raise EngineError(self._say("meeting.gone")) from None
        except ValueError as exc:
            raise EngineError(said(exc, resolve_language(self.sv.settings.language))) from None
        return await self.detail(meeting_id)

    async def search(self, query: str) -> list[MeetingHit]:
        if not query.strip():
            raise EngineError(self._say("meeting.search_empty"))
        svc = self._service()
        hits = await asyncio.to_thread(svc.search, query, 20)
        return [MeetingHit(meeting_id=h.meeting_id, title=h.title, at=h.started_at, start_s=h.start,
                           text=f"{h.speaker}: {h.text}" if h.speaker else h.text) for h in hits]

    async def audio(self, meeting_id: str, start_s: float, duration_s: float) -> AudioClip:
        from agents.meetings.store import MeetingNotFound
        from audio.meeting.segments import MeetingError
        from audio.wav import wav_bytes

        if start_s < 0 or not 0 < duration_s <= 600:
            raise EngineError(self._say("meeting.clip_range"))
        svc = self._service()

        def collect() -> bytes:
            need = int(duration_s * 16_000)
            parts, n = [], 0
            for block in svc.audio_from(meeting_id, start_s):
                parts.append(block.mean(axis=1) if block.ndim == 2 else block)
                n += len(block)
                if n >= need:
                    break
            a = np.concatenate(parts)[:need] if parts else np.zeros(0, np.float32)
            return wav_bytes(a, 16_000)

        try:
            wav = await asyncio.to_thread(collect)
        except (MeetingNotFound, MeetingError) as exc:
            raise EngineError(said(exc, resolve_language(self.sv.settings.language))) from None
        return AudioClip(wav=wav, duration_s=(len(wav) - 44) / 32_000)

    async def export(self, meeting_id: str, fmt: ExportFormat) -> ExportedFile:
        from agents.meetings.store import MeetingNotFound

        svc = self._service()
        real = "md" if fmt == "txt" else fmt
        try:
            text = await asyncio.to_thread(svc.export, meeting_id, real)
        except (MeetingNotFound, ValueError) as exc:
            raise EngineError(said(exc, resolve_language(self.sv.settings.language))) from None
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        return ExportedFile(filename=f"meeting-{meeting_id or stamp}.{fmt}", media_type=EXPORT_MEDIA_TYPES[fmt],
                            content=text.encode("utf-8"))

    async def close(self) -> None:
        self._ticker_stop.set()
        if self.source is not None:
            self.source.stop()
            self.source = None


def past_view(info: Any, lines: list[Any]) -> MeetingView:
    """A stored meeting (agents.meetings MeetingInfo and its TranscriptLines) as the screens show it."""
    notes = info.notes
    return MeetingView(
        id=info.id, title=info.title,
        state=info.state if info.state in ("recording", "paused", "processing") else "done",
        started_at=info.started_at, elapsed_s=max(0.0, info.duration_s),
        speakers=[speaker_label(x) for x in info.speakers], segments=[_segment(x) for x in lines],
        summary=notes.summary if notes else "", decisions=list(notes.decisions) if notes else [],
        action_items=[a.text for a in notes.action_items] if notes else [])
