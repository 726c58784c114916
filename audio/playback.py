"""Playback of synthesized sentences on a sounddevice OutputStream, stoppable at once.

Sentences are queued as they are synthesized and played back to back by the stream's callback.
:meth:`AudioPlayer.stop` (or a BargeIn / StopSpeaking event) silences the output within one callback
block and aborts the stream, dropping what is buffered. The :class:`PlaybackReport` says which sentences
were heard in full, how far the interrupted one got, and how quickly the stop took effect.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, computed_field

from audio.events import AudioEvent, BargeIn, StopSpeaking
from audio.stream_lock import stream_guard
from audio.tts import Audio, SpeechAudio

StopReason = Literal["finished", "barge_in", "stop", "error"]
PlayedSink = Callable[[Audio, int], None]


class PlaybackError(Exception):
    """The output device could not be opened or failed; the message says what to do."""


class SegmentReport(BaseModel):
    """One sentence of the reply and how much of it was played."""

    text: str
    frames: int
    frames_played: int
    skipped: bool = False  # never synthesized or queued: the reply was stopped before it

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete(self) -> bool:
        """Played in full (a sentence with nothing to say, e.g. only emoji, counts when reached)."""
        return not self.skipped and self.frames_played >= self.frames

    def spoken_part(self) -> str:
        """The words of this sentence that were heard (by the share of its audio that was played)."""
        if self.complete:
            return self.text
        if self.frames == 0:
            return ""
        return spoken_prefix(self.text, self.frames_played / self.frames)


def spoken_prefix(text: str, fraction: float) -> str:
    """Words of ``text`` whose end lies within the first ``fraction`` of it (by characters)."""
    words = text.split()
    if fraction <= 0 or not words:
        return ""
    total = sum(len(w) + 1 for w in words)
    out: list[str] = []
    pos = 0
    for w in words:
        pos += len(w) + 1
        if pos / total > fraction:
            break
        out.append(w)
    return " ".join(out)


class PlaybackReport(BaseModel):
    sample_rate: int
    device: str
    segments: list[SegmentReport]
    pending_text: str = ""
    stop_reason: StopReason
    stop_requested_at: float | None = None
    stopped_at: float | None = None
    first_audio_at: float | None = None
    frames_after_stop_request: int = 0
    output_latency_s: float = 0.0
    error: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def interrupted(self) -> bool:
        return self.stop_reason in ("barge_in", "stop")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spoken_text(self) -> str:
        """What the user heard: whole sentences, plus the words of the interrupted one (marked …)."""
        parts: list[str] = []
        for seg in self.segments:
            if seg.frames_played == 0 and seg.frames > 0:
                break
            part = seg.spoken_part()
            if not seg.complete:
                if part:
                    parts.append(part + " …")
                break
            parts.append(part)
        return " ".join(parts).strip()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unspoken_text(self) -> str:
        """The rest of the reply that the user did not hear."""
        parts: list[str] = []
        started = False
        for seg in self.segments:
            if started:
                parts.append(seg.text)
            elif not seg.complete:
                started = True
                spoken = seg.spoken_part()
                parts.append(seg.text[len(spoken) :].strip() if spoken else seg.text)
        if self.pending_text.strip():
            parts.append(self.pending_text.strip())
        return " ".join(p for p in parts if p).strip()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stop_latency_s(self) -> float | None:
        """Wall time from the stop request until the output was silenced and the stream stopped."""
        if self.stop_requested_at is None or self.stopped_at is None:
            return None
        return max(0.0, self.stopped_at - self.stop_requested_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def audio_after_stop_s(self) -> float:
        """Upper bound of reply audio heard after the stop request: frames handed to the device after
        the request plus what was already in the device buffer (its output latency)."""
        return self.frames_after_stop_request / self.sample_rate + self.output_latency_s


def resample(samples: Audio, src_rate: int, dst_rate: int) -> Audio:
    """Linear-interpolation resampling (speech to a device that does not take the voice's rate)."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples
    n = round(len(samples) * dst_rate / src_rate)
    x_new = np.linspace(0, len(samples) - 1, n, dtype=np.float64)
    return np.interp(x_new, np.arange(len(samples)), samples).astype(np.float32)


def resolve_output_device(device: str | int | None) -> tuple[int, dict[str, Any]]:
    """The PortAudio index and info of the configured output device (name substring or index)."""
    import sounddevice as sd

    try:
        info = sd.query_devices(device, "output")
    except (ValueError, sd.PortAudioError) as exc:
        outputs = [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
        if not outputs:
            raise PlaybackError(
                "no audio output device found: connect a speaker, or write the speech to a file"
            ) from None
        raise PlaybackError(
            f"audio output device {device!r} not usable ({exc}); available: {', '.join(outputs)} "
            "(choose one in the settings)"
        ) from None
    return int(info["index"]), dict(info)


@dataclass
class _Segment:
    text: str
    samples: Audio
    played: int = 0
    skipped: bool = False


class AudioPlayer:
    """Plays queued sentences on an output device; thread-safe enqueue/stop; one reply per player."""

    def __init__(
        self,
        device: str | int | None = None,
        sample_rate: int = 22050,
        blocksize: int = 256,
        latency: float | str = "low",
        on_played: PlayedSink | None = None,
    ) -> None:
        """``on_played(samples, rate)`` gets each block of reply audio as it goes to the device (from
        a helper thread, never the audio callback), e.g. ``Listener.feed_reference`` for the echo guard."""
        self.device = device
        self.on_played = on_played
        self._played_q: queue.SimpleQueue[Audio | None] = queue.SimpleQueue()
        self._played_thread: threading.Thread | None = None
        self.voice_rate = sample_rate
        self.blocksize = blocksize
        self.latency = latency
        self._segments: list[_Segment] = []
        self._queue: collections.deque[_Segment] = collections.deque()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._input_ended = False
        self._stop_reason: StopReason | None = None
        self._stop_requested_at: float | None = None
        self._stopped_at: float | None = None
        self._first_audio_at: float | None = None
        self._frames_after_stop = 0
        self._error: str | None = None
        self._output_latency: float | None = None
        self._stream: Any = None
        self._rate = sample_rate
        self._device_name = ""
        self.pending_text = ""
        self.open_s = 0.0  # seconds it took to open and start the output stream

    # -- control -------------------------------------------------------------------------------

    def open(self) -> AudioPlayer:
        """Open and start the stream (it plays silence until the first sentence is queued)."""
        import sounddevice as sd

        t0 = time.monotonic()
        index, info = resolve_output_device(self.device)
        self._device_name = str(info["name"])
        rate = self.voice_rate
        try:
            sd.check_output_settings(device=index, samplerate=rate, channels=1, dtype="float32")
        except (ValueError, sd.PortAudioError):
            rate = int(info["default_samplerate"])  # device takes another rate: resample to it
        self._rate = rate
        if self.on_played is not None:
            self._played_thread = threading.Thread(
                target=self._deliver_played, name="played-audio", daemon=True
            )
            self._played_thread.start()
        try:
            with stream_guard():
                self._stream = sd.OutputStream(
                    samplerate=rate,
                    blocksize=self.blocksize,
                    device=index,
                    channels=1,
                    dtype="float32",
                    latency=self.latency,
                    callback=self._callback,
                    finished_callback=self._finished,
                )
                self._stream.start()
            self.open_s = time.monotonic() - t0
        except sd.PortAudioError as exc:
            raise PlaybackError(
                f"audio output device {self._device_name!r} could not be opened: {exc}"
            ) from exc
        return self

    def enqueue(self, text: str, audio: SpeechAudio | None) -> None:
        """Queue one sentence (``audio`` None or empty: nothing to say, e.g. only emoji)."""
        samples = np.zeros(0, dtype=np.float32)
        if audio is not None and len(audio.samples):
            samples = resample(audio.samples, audio.sample_rate, self._rate)
        with self._lock:
            seg = _Segment(text, samples, skipped=self._stop_reason is not None)
            self._segments.append(seg)
            if not seg.skipped:
                self._queue.append(seg)

    def end_of_input(self) -> None:
        """No more sentences: the stream ends when the queue has been played."""
        self._input_ended = True
        if self._stream is None:
            self._finish("finished")

    def stop(self, reason: StopReason = "stop") -> None:
        """Silence the output now and drop the rest of the reply."""
        now = time.monotonic()
        with self._lock:
            if self._stop_reason is not None:
                return
            self._stop_requested_at = now
            self._stop_reason = reason
            self._queue.clear()
        stream = self._stream
        if stream is not None:
            with contextlib.suppress(Exception):  # the stream may already be closing
                stream.abort(ignore_errors=True)
        self._finish(reason)

    def handle(self, event: AudioEvent) -> None:
        """React to a pipeline event: BargeIn and StopSpeaking stop playback."""
        if isinstance(event, BargeIn):
            self.stop("barge_in")
        elif isinstance(event, StopSpeaking):
            self.stop("stop")

    def wait(self, timeout: float | None = None) -> PlaybackReport:
        """Block until the reply has been played or stopped; then close the stream."""
        if not self._done.wait(timeout):
            raise TimeoutError("playback did not finish in time")
        self.close()
        return self.report()

    def wait_done(self, timeout: float | None = None) -> bool:
        """Block until playback ended (without closing the stream)."""
        return self._done.wait(timeout)

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with stream_guard(), contextlib.suppress(Exception):
                stream.abort(ignore_errors=True)
                stream.close(ignore_errors=True)

    def queued_s(self) -> float:
        """Seconds of queued audio not yet handed to the device."""
        frames = sum(len(seg.samples) - seg.played for seg in list(self._queue))
        return frames / self._rate

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def sample_rate(self) -> int:
        return self._rate

    @property
    def first_audio_at(self) -> float | None:
        return self._first_audio_at

    def report(self) -> PlaybackReport:
        with self._lock:
            segs = [
                SegmentReport(text=s.text, frames=len(s.samples), frames_played=s.played, skipped=s.skipped)
                for s in self._segments
            ]
        return PlaybackReport(
            sample_rate=self._rate,
            device=self._device_name,
            segments=segs,
            pending_text=self.pending_text,
            stop_reason=self._stop_reason or ("finished" if self._done.is_set() else "stop"),
            stop_requested_at=self._stop_requested_at,
            stopped_at=self._stopped_at,
            first_audio_at=self._first_audio_at,
            frames_after_stop_request=self._frames_after_stop,
            output_latency_s=self._output_latency or 0.0,
            error=self._error,
        )

    # -- stream side ---------------------------------------------------------------------------

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        import sounddevice as sd

        if self._output_latency is None and self._stream is not None:
            self._output_latency = float(self._stream.latency)
        out = outdata[:, 0]
        if self._stop_reason is not None:
            out.fill(0)
            raise sd.CallbackAbort
        pos = 0
        stop_seen = False
        while pos < frames:
            seg = self._queue[0] if self._queue else None
            if seg is None:
                break
            n = min(frames - pos, len(seg.samples) - seg.played)
            if n > 0:
                out[pos : pos + n] = seg.samples[seg.played : seg.played + n]
                if self._first_audio_at is None:
                    self._first_audio_at = time.monotonic()
                seg.played += n
                pos += n
                if self._stop_reason is not None:  # request arrived while this block was filled
                    self._frames_after_stop += n
                    stop_seen = True
                    break
            if seg.played >= len(seg.samples):
                self._queue.popleft()
        out[pos:] = 0
        if self.on_played is not None and pos:
            self._played_q.put(out[:pos].copy())
        if stop_seen:
            raise sd.CallbackAbort
        if not self._queue and self._input_ended:
            raise sd.CallbackStop  # played the last block: let it drain, then finish

    def _deliver_played(self) -> None:
        sink = self.on_played
        while sink is not None:
            block = self._played_q.get()
            if block is None:
                return
            try:
                sink(block, self._rate)
            except Exception:  # a listener's bug must not stop playback
                logging.getLogger(__name__).exception("played-audio listener failed")

    def _finished(self) -> None:
        self._finish(self._stop_reason or "finished")

    def _finish(self, reason: StopReason) -> None:
        with self._lock:
            if self._stopped_at is None:
                self._stopped_at = time.monotonic()
            if self._stop_reason is None:
                self._stop_reason = reason
        self._played_q.put(None)
        self._done.set()
