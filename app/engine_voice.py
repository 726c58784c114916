"""Voice capture stages of the local engine, for audio that a client (browser, phone, window) pushes.

- :func:`decode_chunk`: PCM16 bytes at any rate and channel count -> 16 kHz mono float32.
- :class:`UtteranceBuffer`: push-to-talk; collects the audio between press and release.
- :class:`WakeSegmenter`: hands-free; Silero VAD + the end-pointer cut utterances out of the stream.
- :func:`strip_wake_phrase`: is an utterance addressed to us, and what follows the wake phrase.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata

import numpy as np

from app.engine import AudioChunk, EngineError
from audio.endpointing import EndpointConfig, EndPointer, UtteranceEnded
from audio.frames import SAMPLE_RATE, Reframer, Resampler, Samples, as_mono_float32

MAX_UTTERANCE_S = 60.0


def decode_chunk(chunk: AudioChunk) -> tuple[Samples, int]:
    """Mono float32 samples of a chunk and their rate. EngineError on a torn or odd-sized chunk."""
    frame_bytes = 2 * chunk.channels
    if len(chunk.pcm16) % frame_bytes:
        raise EngineError(f"audio chunk of {len(chunk.pcm16)} bytes is not whole PCM16 frames of "
                          f"{chunk.channels} channel(s)")
    a = np.frombuffer(chunk.pcm16, dtype="<i2")
    if chunk.channels > 1:
        a = a.reshape(-1, chunk.channels)
    return as_mono_float32(a), chunk.sample_rate


class _ToSixteenK:
    """Streaming conversion to 16 kHz; restarts when the client's rate changes."""

    def __init__(self) -> None:
        self._rate: int | None = None
        self._resampler: Resampler | None = None

    def __call__(self, chunk: AudioChunk) -> Samples:
        mono, rate = decode_chunk(chunk)
        if rate != self._rate or self._resampler is None:
            self._rate, self._resampler = rate, Resampler(rate)
        return self._resampler(mono)


class UtteranceBuffer:
    """The audio of one push-to-talk press (thread-safe; capped at MAX_UTTERANCE_S)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: list[Samples] = []
        self._n = 0
        self._convert = _ToSixteenK()
        self.last_push = 0.0

    def reset(self) -> None:
        with self._lock:
            self._parts, self._n, self._convert = [], 0, _ToSixteenK()

    def push(self, chunk: AudioChunk) -> None:
        samples = self._convert(chunk)
        with self._lock:
            self.last_push = time.monotonic()
            if self._n + len(samples) > MAX_UTTERANCE_S * SAMPLE_RATE:
                return
            self._parts.append(samples)
            self._n += len(samples)

    def push_samples(self, samples: Samples) -> None:
        with self._lock:
            self.last_push = time.monotonic()
            self._parts.append(samples)
            self._n += len(samples)

    @property
    def seconds(self) -> float:
        return self._n / SAMPLE_RATE

    def audio(self) -> Samples:
        with self._lock:
            return np.concatenate(self._parts) if self._parts else np.zeros(0, np.float32)


def trim_silence(audio: Samples, dbfs: float = -45.0, margin_s: float = 0.3, frame: int = 512) -> Samples:
    """The audio from shortly before the first to shortly after the last frame louder than ``dbfs``.
    Whisper's short-window decoding goes wrong on long leading silence, and push-to-talk has some."""
    n = len(audio) // frame
    if n == 0:
        return audio
    frames = audio[: n * frame].reshape(n, frame).astype(np.float64)
    loud = np.flatnonzero(np.sqrt(np.mean(frames * frames, axis=1)) >= 10 ** (dbfs / 20))
    if loud.size == 0:
        return audio[:0]
    margin = int(margin_s * SAMPLE_RATE)
    start = max(0, int(loud[0]) * frame - margin)
    end = min(len(audio), (int(loud[-1]) + 1) * frame + margin)
    return audio[start:end]


def is_silent(audio: Samples, dbfs: float = -50.0) -> bool:
    if audio.size == 0:
        return True
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return rms < 10 ** (dbfs / 20)


class WakeSegmenter:
    """Cuts utterances out of a continuous stream (hands-free). Not thread-safe: one pushing thread."""

    def __init__(self, trailing_silence_ms: int = 500) -> None:
        from audio.vad import SileroVad

        self._vad = SileroVad()
        self._ep = EndPointer(EndpointConfig(trailing_silence_ms=trailing_silence_ms))
        self._frames = Reframer()
        self._convert = _ToSixteenK()

    def push(self, chunk: AudioChunk) -> list[UtteranceEnded]:
        out: list[UtteranceEnded] = []
        for frame in self._frames.push(self._convert(chunk)):
            out.extend(e for e in self._ep.push(frame, self._vad(frame)) if isinstance(e, UtteranceEnded))
        return out


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFKC", text).lower()).split()


def strip_wake_phrase(text: str, wake_phrase: str) -> str | None:
    """The request after the wake phrase, or None when the utterance does not start with it.
    Case and punctuation do not matter ("Hey, Assistant! what time is it" -> "what time is it")."""
    wake = _words(wake_phrase)
    if not wake:
        return text.strip()
    words = text.split()
    plain = _words(text)
    if plain[: len(wake)] != wake:
        return None
    # drop as many original tokens as make up the wake words
    taken, i = 0, 0
    while i < len(words) and taken < len(wake):
        taken += len(_words(words[i]))
        i += 1
    return " ".join(words[i:]).strip(" ,.!?")
