"""Voice input of the local engine: client audio (browser, phone) and the device microphone go through
ONE :class:`audio.listener.Listener` per engine, which does the speech work (Silero VAD, end-pointing,
decoding while the user speaks, wake phrase, follow-up window, echo guard).

- :func:`decode_chunk`: PCM16 bytes at any rate and channel count -> mono float32 and its rate.
- :class:`VoiceInput`: chunks -> 16 kHz frames -> the Listener; push-to-talk press/release, hands-free
  mode, the assistant's speech as the echo reference. Audio and controls pass through one queue to one
  feeding thread, so a release is handled after all audio that came before it and the caller (the UI's
  event loop) never runs the VAD or waits for a decode.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from app.engine import AudioChunk, EngineError
from audio.events import (
    AssistantSpeakingStarted,
    AssistantSpeakingStopped,
    AudioEvent,
    FinalTranscript,
    SpeechEnded,
)
from audio.frames import Reframer, Resampler, Samples, as_mono_float32

if TYPE_CHECKING:
    from audio.listener import Listener, Mode

log = logging.getLogger(__name__)
REFERENCE_STEP_S = 0.064  # the assistant's speech is fed to the echo guard in steps of this length


def _frames(chunk: AudioChunk) -> npt.NDArray[np.int16]:
    """A chunk's PCM16 frames shaped (n, channels). EngineError on a torn or odd-sized chunk."""
    frame_bytes = 2 * chunk.channels
    if len(chunk.pcm16) % frame_bytes:
        raise EngineError(f"audio chunk of {len(chunk.pcm16)} bytes is not whole PCM16 frames of "
                          f"{chunk.channels} channel(s)")
    return np.frombuffer(chunk.pcm16, dtype="<i2").reshape(-1, chunk.channels)


def decode_chunk(chunk: AudioChunk) -> tuple[Samples, int]:
    """Mono float32 samples of a chunk and their rate. EngineError on a torn or odd-sized chunk."""
    return as_mono_float32(_frames(chunk)), chunk.sample_rate


class _ToSixteenK:
    """Streaming conversion of chunks to 16 kHz mono; restarts when the client's rate changes."""

    def __init__(self) -> None:
        self._rate: int | None = None
        self._resampler: Resampler | None = None

    def __call__(self, chunk: AudioChunk) -> Samples:
        mono, rate = decode_chunk(chunk)
        if rate != self._rate or self._resampler is None:
            self._rate, self._resampler = rate, Resampler(rate)
        return self._resampler(mono)


class ChannelsToSixteenK:
    """Streaming conversion of chunks to 16 kHz with ``channels`` channels kept apart, (n, channels) float32
    (a call recorded in the browser: the microphone in the first channel, the shared tab in the second). A
    channel the chunk does not have is silence; each channel has its own resampler, and what one gave
    beyond the others waits for the next chunk, so the channels stay aligned sample for sample."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self._rate: int | None = None
        self._resamplers: list[Resampler] = []
        self._held = [np.zeros(0, np.float32) for _ in range(channels)]

    def __call__(self, chunk: AudioChunk) -> npt.NDArray[np.float32]:
        frames = _frames(chunk).astype(np.float32) / 32768.0
        if chunk.sample_rate != self._rate or not self._resamplers:
            self._rate = chunk.sample_rate
            self._resamplers = [Resampler(chunk.sample_rate) for _ in range(self.channels)]
            self._held = [np.zeros(0, np.float32) for _ in range(self.channels)]
        silent = np.zeros(len(frames), np.float32)
        outs = [np.concatenate([held, resample(np.ascontiguousarray(frames[:, c]) if c < frames.shape[1] else silent)])
                for c, (held, resample) in enumerate(zip(self._held, self._resamplers, strict=True))]
        n = min(len(o) for o in outs)
        self._held = [o[n:] for o in outs]
        return np.stack([o[:n] for o in outs], axis=1)


class VoiceInput:
    """One Listener fed from a queue. ``on_event`` gets the Listener's events (any thread);
    :meth:`release` returns the press's transcript (None when nothing was said)."""

    def __init__(self, make_listener: Callable[[Callable[[AudioEvent], None]], Listener],
                 on_event: Callable[[AudioEvent], None]) -> None:
        self.on_event = on_event
        self.listener = make_listener(self._event)
        self.last_chunk = 0.0
        self._q: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._convert = _ToSixteenK()
        self._frames = Reframer()
        self._lock = threading.Lock()
        self._press: concurrent.futures.Future[FinalTranscript | None] | None = None
        self._texts: list[FinalTranscript] = []
        self._pending = 0  # utterances of this press ended but not yet transcribed
        self._released = False
        self._speaking_seq = 0
        self._speaking = False
        self._reference: _Reference | None = None
        self.source = "device"  # what fed the latest audio: "client" (browser, phone) or "device" (the mic)
        self._feeder = threading.Thread(target=self._run, name="voice-feed", daemon=True)
        self._feeder.start()

    # -- called from the engine (its event loop): cheap, never blocks

    def push(self, chunk: AudioChunk) -> None:
        if len(chunk.pcm16) % (2 * chunk.channels):
            decode_chunk(chunk)  # raises EngineError saying what is wrong
        self.last_chunk = time.monotonic()
        self._q.put(("chunk", chunk))

    def push_samples(self, samples: Samples) -> None:
        """16 kHz mono float32 audio (the device microphone)."""
        self._q.put(("samples", samples))

    def press(self) -> None:
        with self._lock:
            if self._press is not None and not self._press.done():
                self._press.set_result(None)
            self._press = concurrent.futures.Future()
            self._texts, self._pending, self._released = [], 0, False
        self._q.put(("press", None))

    def release(self) -> concurrent.futures.Future[FinalTranscript | None]:
        """End the press; the future resolves with its transcript (None if nothing was said)."""
        with self._lock:
            fut = self._press or concurrent.futures.Future()
            if self._press is None:
                fut.set_result(None)
        self._q.put(("release", None))
        return fut

    def set_mode(self, mode: Mode) -> None:
        self._q.put(("mode", mode))

    def assistant_speaks(self, samples: Samples | None, rate: int, duration_s: float) -> None:
        """The assistant's speech plays now for ``duration_s`` (in the browser or on this machine):
        the Listener's echo guard ignores it (fed as reference while it plays) and its follow-up
        window opens when it ends."""
        self._speaking_seq += 1
        seq = self._speaking_seq
        self.listener.handle(AssistantSpeakingStarted())
        if duration_s <= 0:
            self.listener.handle(AssistantSpeakingStopped())
            return
        self._speaking = True
        self._reference = ref = _Reference(rate, samples, duration_s)
        threading.Thread(target=self._play_reference, args=(seq, ref), name="voice-reference", daemon=True).start()

    def assistant_continues(self, samples: Samples | None, rate: int, duration_s: float) -> None:
        """More of the same reply plays right after what is playing (the client queues the clip): the
        echo guard's reference and the time until the follow-up window opens grow by it."""
        ref = self._reference
        if not self._speaking or ref is None or ref.rate != rate:
            self.assistant_speaks(samples, rate, duration_s)
            return
        ref.extend(samples, duration_s)

    def assistant_stopped(self) -> None:
        """The assistant's speech was stopped early (or ended on this machine)."""
        if self._speaking:
            self._speaking_seq += 1
            self._speaking = False
            self.listener.handle(AssistantSpeakingStopped())

    def close(self) -> None:
        self._q.put(("close", None))
        self._feeder.join(timeout=5)
        self.listener.close()
        with self._lock:
            if self._press is not None and not self._press.done():
                self._press.set_result(None)

    # -- the feeding thread

    def _run(self) -> None:
        while True:
            kind, arg = self._q.get()
            try:
                if kind == "close":
                    return
                if kind == "chunk":
                    self.source = "client"
                    self._feed(self._convert(arg))
                elif kind == "samples":
                    self.source = "device"
                    self._feed(arg)
                elif kind == "press":
                    self._frames = Reframer()
                    self.listener.press()
                elif kind == "release":
                    self._release()
                elif kind == "mode":
                    self.listener.set_mode(arg)
            except Exception:
                log.exception("voice input: %s failed", kind)

    def _feed(self, samples: Samples) -> None:
        for frame in self._frames.push(samples):
            self.listener.feed(frame)

    def _release(self) -> None:
        self.listener.release()  # emits SpeechEnded here when an utterance was going on
        with self._lock:
            self._released = True
            self._resolve()

    def _resolve(self) -> None:  # with self._lock
        fut = self._press
        if fut is None or fut.done() or not self._released or self._pending > 0:
            return
        texts = [t for t in self._texts if t.text.strip()]
        if not texts:
            fut.set_result(None)
            return
        last = texts[-1]
        fut.set_result(last.model_copy(update={"text": " ".join(t.text.strip() for t in texts),
                                               "audio_start": texts[0].audio_start}))

    def _event(self, ev: AudioEvent) -> None:
        if self.listener_mode() == "push_to_talk":
            with self._lock:
                if self._press is not None and not self._press.done():
                    if isinstance(ev, SpeechEnded):
                        self._pending += 1
                    elif isinstance(ev, FinalTranscript):
                        self._pending = max(0, self._pending - 1)
                        self._texts.append(ev)
                        self._resolve()
                        return
        self.on_event(ev)

    def listener_mode(self) -> Mode:
        listener = getattr(self, "listener", None)
        return listener.mode if listener is not None else "push_to_talk"

    def _play_reference(self, seq: int, ref: _Reference) -> None:
        rate = ref.rate
        step = max(1, int(REFERENCE_STEP_S * rate))
        start = time.monotonic()
        i = 0
        while seq == self._speaking_seq and time.monotonic() - start < ref.duration_s:
            samples = ref.samples  # read each step: assistant_continues may have added to it
            if samples is not None and i < len(samples):
                self.listener.feed_reference(samples[i : i + step], rate)
                i += step
                time.sleep(max(0.0, start + i / rate - time.monotonic()))
            else:
                time.sleep(REFERENCE_STEP_S)
        if seq == self._speaking_seq:
            self._speaking = False
            self.listener.handle(AssistantSpeakingStopped())


class _Reference:
    """The assistant's speech as it plays: samples (None when unknown) and how long it lasts."""

    def __init__(self, rate: int, samples: Samples | None, duration_s: float) -> None:
        self.rate = rate
        self.samples = samples
        self.duration_s = duration_s

    def extend(self, samples: Samples | None, duration_s: float) -> None:
        if self.samples is not None and samples is not None:
            self.samples = np.concatenate([self.samples, samples])
        self.duration_s += duration_s
