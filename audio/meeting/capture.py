"""Capture stage: sources of 16 kHz float32 blocks shaped (samples, channels).

- :class:`FileSource` decodes any file PyAV reads (mono or stereo kept as is; more channels are mixed to
  stereo; a stereo file whose two channels carry the same signal, like a mono recording saved as stereo,
  is read as mono: one voice must not become two channel speakers), either as fast as the consumer takes it or paced at ``speed`` x real time, so a file can stand
  in for a live microphone (tests, benchmarks, the crash test).
- :class:`MicSource` wraps :class:`audio.sources.MicrophoneSource` (mono, survives device loss)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from audio.events import AudioEvent
from audio.frames import SAMPLE_RATE
from audio.sources import AudioInputError, MicrophoneSource, _open_container, read_file

Block = npt.NDArray[np.float32]  # shape (samples, channels)
SAME_SIGNAL = 0.98  # channels this correlated (over the first PROBE_S seconds) are one signal
PROBE_S = 20.0


def same_signal(path: Path) -> bool:
    """True when a stereo file's two channels carry (almost) the same signal: a mono recording."""
    left, right = read_file(path, 0, PROBE_S), read_file(path, 1, PROBE_S)
    n = min(len(left), len(right))
    if n == 0:
        return True
    a, b = left[:n] - left[:n].mean(), right[:n] - right[:n].mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return den < 1e-12 or float((a * b).sum()) / den >= SAME_SIGNAL


class MeetingSource(Protocol):
    channels: int
    live: bool

    def blocks(self) -> Iterator[Block]: ...

    def stop(self) -> None: ...


class FileSource:
    """A file as a meeting source; ``speed`` None = as fast as possible, 1.0 = real time."""

    def __init__(self, path: str | Path, speed: float | None = None, block_s: float = 0.032) -> None:
        self.path = Path(path)
        c = _open_container(self.path)  # raises AudioInputError with a clear message
        try:
            n = int(c.streams.audio[0].channels or 1)
        finally:
            c.close()
        self.channels = 1 if n == 1 or same_signal(self.path) else 2
        self.speed = speed
        self.live = speed is not None
        self.block = max(1, int(block_s * SAMPLE_RATE))
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def _chunks(self) -> Iterator[Block]:
        import av

        container = _open_container(self.path)
        got = False
        try:
            stream = container.streams.audio[0]
            layout = "mono" if self.channels == 1 else "stereo"
            resampler = av.AudioResampler(format="flt", layout=layout, rate=SAMPLE_RATE)
            try:
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        a = out.to_ndarray().reshape(-1, self.channels).astype(np.float32)
                        got = got or a.size > 0
                        yield a
            except (av.FFmpegError, OSError, EOFError) as exc:
                if not got:
                    raise AudioInputError(f"{self.path}: audio data is corrupt ({exc})") from None
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1, self.channels).astype(np.float32)
        finally:
            container.close()
        if not got:
            raise AudioInputError(f"{self.path}: contains no audio samples")

    def blocks(self) -> Iterator[Block]:
        buf = np.zeros((0, self.channels), np.float32)
        t0 = time.monotonic()
        fed = 0
        for chunk in self._chunks():
            buf = np.concatenate([buf, chunk]) if len(buf) else chunk
            while len(buf) >= self.block:
                if self._stop.is_set():
                    return
                out, buf = buf[: self.block], buf[self.block :]
                fed += len(out)
                if self.speed:
                    delay = t0 + fed / SAMPLE_RATE / self.speed - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                yield out
        if len(buf) and not self._stop.is_set():
            yield buf


class MicSource:
    """The microphone (mono)."""

    channels = 1
    live = True

    def __init__(self, device: str | int | None = None, on_event: Callable[[AudioEvent], None] | None = None) -> None:
        self._mic = MicrophoneSource(device=device, on_event=on_event)

    def stop(self) -> None:
        self._mic.stop()

    def blocks(self) -> Iterator[Block]:
        for frame in self._mic.frames():
            yield frame.reshape(-1, 1)
