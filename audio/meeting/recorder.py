"""One meeting's pipeline: capture thread -> (segment writer thread, live transcript thread).

Recording has priority: the writer's queue is unbounded, so a slow transcriber never costs audio. For a
live source the transcript queue is bounded (``max_backlog_s``): past that the transcriber skips audio
(logged, an ErrorEvent) rather than let memory grow; for files (import) the capture waits instead."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from audio.frames import SAMPLE_RATE
from audio.meeting.capture import Block, MeetingSource
from audio.meeting.live import LiveTranscriber, Transcribed
from audio.meeting.models import (
    ErrorEvent,
    LevelEvent,
    MeetingState,
    Pause,
    RecorderEvent,
    SpeakerTurn,
    StateEvent,
    TranscriptEvent,
    TranscriptSegment,
)
from audio.meeting.segments import SegmentWriter

log = logging.getLogger(__name__)


class _Mark(Enum):
    PAUSE = "pause"
    END = "end"


@dataclass
class RecorderConfig:
    level_every_s: float = 0.1
    max_backlog_s: float = 600.0


def _trim_heap() -> None:
    """Give freed heap pages back to the OS (glibc); keeps RSS flat over hours of many small buffers."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _db(x: float) -> float:
    return round(20 * float(np.log10(max(x, 1e-6))), 1)


class MeetingRecorder:
    def __init__(
        self,
        meeting_id: str,
        source: MeetingSource,
        writer: SegmentWriter,
        transcriber: LiveTranscriber | None,
        on_event: Callable[[RecorderEvent], None],
        on_segment: Callable[[TranscriptSegment], None] | None = None,
        config: RecorderConfig | None = None,
    ) -> None:
        self.meeting_id = meeting_id
        self.source = source
        self.writer = writer
        self.transcriber = transcriber
        self.on_event = on_event
        self.on_segment = on_segment or (lambda s: None)
        self.config = config or RecorderConfig()
        self.state: MeetingState = "recording"
        self._paused = threading.Event()
        self._stopping = threading.Event()
        self._wq: queue.Queue[Block | _Mark] = queue.Queue()
        backlog = int(self.config.max_backlog_s * SAMPLE_RATE / 512) if source.live else 256
        self._tq: queue.Queue[tuple[Block, float] | _Mark] = queue.Queue(maxsize=max(16, backlog))
        self._threads: list[threading.Thread] = []
        self.captured_s = 0.0
        self.skipped_s = 0.0
        self.lags: list[float] = []
        self.error: str | None = None
        self.store_failures = 0
        self.turns: list[SpeakerTurn] = []
        self.done = threading.Event()

    # ------------------------------------------------------------------------------------ control

    def start(self) -> None:
        self.writer.start()
        self.on_event(StateEvent(meeting_id=self.meeting_id, state="recording"))
        for name, fn in (("capture", self._capture), ("segments", self._write), ("transcript", self._transcribe)):
            t = threading.Thread(target=fn, name=f"meeting-{name}", daemon=True)
            self._threads.append(t)
            t.start()

    def pause(self) -> None:
        if self.state != "recording":
            return
        from datetime import UTC, datetime

        self._paused.set()
        self.state = "paused"
        self.writer.manifest.pauses.append(Pause(at_s=self.captured_s, paused_at=datetime.now(UTC)))
        self._wq.put(_Mark.PAUSE)
        self._tq.put(_Mark.PAUSE)
        self.on_event(StateEvent(meeting_id=self.meeting_id, state="paused"))

    def resume(self) -> None:
        if self.state != "paused":
            return
        from datetime import UTC, datetime

        if self.writer.manifest.pauses:
            self.writer.manifest.pauses[-1].resumed_at = datetime.now(UTC)
        self._paused.clear()
        self.state = "recording"
        self.on_event(StateEvent(meeting_id=self.meeting_id, state="recording"))

    def stop(self, timeout: float | None = None) -> None:
        """Stop capturing; returns when every segment is stored and the transcript is final."""
        self._stopping.set()
        self.source.stop()
        self.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Until the source ends (file) or stop() was called, and processing is complete."""
        return self.done.wait(timeout)

    # ------------------------------------------------------------------------------------ threads

    def _capture(self) -> None:
        every = int(self.config.level_every_s * SAMPLE_RATE)
        acc: list[Block] = []
        n = 0
        try:
            for block in self.source.blocks():
                if self._stopping.is_set() or self.writer.stop_requested:
                    break
                if self._paused.is_set():
                    continue
                wall = time.monotonic()
                self.captured_s += len(block) / SAMPLE_RATE
                self._wq.put(block)
                self._to_transcriber(block, wall)
                acc.append(block)
                n += len(block)
                if n >= every:
                    a = np.concatenate(acc)
                    self.on_event(LevelEvent(rms_db=[_db(float(np.sqrt(np.mean(a[:, c] ** 2)))) for c in range(a.shape[1])],
                                             peak_db=[_db(float(np.abs(a[:, c]).max())) for c in range(a.shape[1])],
                                             audio_t=round(self.captured_s, 2)))
                    acc, n = [], 0
        except Exception as exc:
            self.error = f"audio input failed: {exc}"
            log.error("meeting %s: %s", self.meeting_id, self.error)
            self.on_event(ErrorEvent(message=self.error))
        finally:
            self._wq.put(_Mark.END)
            self._tq.put(_Mark.END)

    def _to_transcriber(self, block: Block, wall: float) -> None:
        if self.transcriber is None:
            return
        if not self.source.live:
            self._tq.put((block, wall))
            return
        try:
            self._tq.put_nowait((block, wall))
        except queue.Full:
            self.skipped_s += len(block) / SAMPLE_RATE
            if self.skipped_s < 0.05:
                self.on_event(ErrorEvent(message="transcription cannot keep up; skipping audio in the live transcript"))

    def _write(self) -> None:
        try:
            while True:
                item = self._wq.get()
                if item is _Mark.END:
                    break
                if item is _Mark.PAUSE:
                    self.writer.write_manifest()
                    continue
                assert not isinstance(item, _Mark)
                before = len(self.writer.manifest.segments)
                self.writer.push(item)
                if len(self.writer.manifest.segments) // 40 != before // 40:  # about once a minute
                    _trim_heap()
            self.writer.flush()
        except Exception as exc:
            self.error = str(exc)
            log.error("meeting %s: segment writer failed: %s", self.meeting_id, exc)
            self.on_event(ErrorEvent(message=str(exc)))
            self._stopping.set()
            self.source.stop()
            while self._wq.get() is not _Mark.END:  # drain so capture never blocks
                pass

    def _emit(self, items: list[Transcribed]) -> None:
        for t in items:
            self.lags.append(t.lag_s)
            try:
                self.on_segment(t.segment)
            except Exception as exc:
                self.store_failures += 1
                if self.store_failures == 1:  # once per recording, not for every sentence after it
                    log.error("storing a transcript segment failed: %s", str(exc).splitlines()[0])
            self.on_event(TranscriptEvent(segment=t.segment, lag_s=round(t.lag_s, 3)))

    def _transcribe(self) -> None:
        tr = self.transcriber
        ended = False
        try:
            while True:
                item = self._tq.get()
                if item is _Mark.END:
                    ended = True
                    break
                if tr is None:
                    continue
                if item is _Mark.PAUSE:
                    self._emit(tr.pause_break())
                    continue
                assert not isinstance(item, _Mark)
                self._emit(tr.push(item[0], item[1]))
            if tr is not None:
                self._emit(tr.finish())
                self.turns = tr.final_turns()
        except Exception as exc:
            log.exception("meeting %s: live transcript failed", self.meeting_id)
            self.on_event(ErrorEvent(message=f"live transcript failed: {exc}"))
            while not ended:  # drain so the capture thread never blocks on a full queue
                ended = self._tq.get() is _Mark.END
        finally:
            self._finish_threads()

    def _finish_threads(self) -> None:
        for t in self._threads:
            if t is not threading.current_thread():
                t.join()
        self.done.set()
