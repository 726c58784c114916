"""Audio frames of the speech-input pipeline: 16 kHz mono float32, 512 samples (32 ms) each, which is
the block size Silero VAD runs on. Helpers here cut arbitrary chunks into such frames, mix channels
down and resample streams (with PyAV's swresample, which faster-whisper already brings)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
FRAME_SAMPLES = 512
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE

Samples = npt.NDArray[np.float32]


def as_mono_float32(data: npt.ArrayLike) -> Samples:
    """Float32 mono from int16/int32/float arrays shaped (n,) or (n, channels)."""
    a = np.asarray(data)
    if a.dtype == np.int16:
        a = a.astype(np.float32) / 32768.0
    elif a.dtype == np.int32:
        a = a.astype(np.float32) / 2147483648.0
    else:
        a = a.astype(np.float32, copy=False)
    if a.ndim == 2:
        a = a.mean(axis=1, dtype=np.float32)
    elif a.ndim != 1:
        raise ValueError(f"audio must be 1-D or (samples, channels), got shape {a.shape}")
    return np.ascontiguousarray(a, dtype=np.float32)


class Resampler:
    """Streaming resampler to 16 kHz mono (keeps its filter state between calls)."""

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE) -> None:
        if rate_in <= 0:
            raise ValueError(f"sample rate must be positive, got {rate_in}")
        self.rate_in = rate_in
        self.rate_out = rate_out
        self._av = None
        if rate_in != rate_out:
            import av

            self._av = av.AudioResampler(format="flt", layout="mono", rate=rate_out)

    def __call__(self, mono: Samples) -> Samples:
        if self._av is None:
            return mono
        return self._run(mono)

    def _run(self, mono: Samples | None) -> Samples:
        import av

        assert self._av is not None
        if mono is None:
            outs = self._av.resample(None)
        else:
            frame = av.AudioFrame.from_ndarray(mono.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = self.rate_in
            outs = self._av.resample(frame)
        parts = [o.to_ndarray().reshape(-1).astype(np.float32, copy=False) for o in outs]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def flush(self) -> Samples:
        if self._av is None:
            return np.zeros(0, np.float32)
        return self._run(None)


def resample(audio: Samples, rate_in: int, rate_out: int = SAMPLE_RATE) -> Samples:
    """Resample a whole mono array."""
    r = Resampler(rate_in, rate_out)
    return np.concatenate([r(audio), r.flush()])


class Reframer:
    """Cuts a stream of chunks of any length into frames of exactly ``size`` samples."""

    def __init__(self, size: int = FRAME_SAMPLES) -> None:
        self.size = size
        self._buf = np.zeros(0, np.float32)

    def push(self, chunk: Samples) -> Iterator[Samples]:
        buf = np.concatenate([self._buf, chunk]) if self._buf.size else chunk
        n = len(buf) // self.size
        for i in range(n):
            yield buf[i * self.size : (i + 1) * self.size].copy()
        self._buf = buf[n * self.size :].copy()

    def flush(self) -> Iterator[Samples]:
        """The remainder, zero-padded to a full frame (nothing if empty)."""
        if self._buf.size:
            out = np.zeros(self.size, np.float32)
            out[: self._buf.size] = self._buf
            self._buf = np.zeros(0, np.float32)
            yield out


def frames_of(audio: Samples, size: int = FRAME_SAMPLES) -> Iterator[Samples]:
    """Frames of a whole array (last one zero-padded)."""
    r = Reframer(size)
    yield from r.push(audio)
    yield from r.flush()


def reframe(chunks: Iterable[Samples], size: int = FRAME_SAMPLES) -> Iterator[Samples]:
    r = Reframer(size)
    for c in chunks:
        yield from r.push(c)
    yield from r.flush()
