"""End-pointing: turns (frame, speech probability) pairs into utterances.

An utterance starts when speech lasts at least ``min_speech_ms`` (shorter blips, such as clicks, are
dropped) and keeps ``pre_roll_ms`` of audio from before the start (a ring buffer). It ends after
``trailing_silence_ms`` of silence, on :meth:`EndPointer.close` (push-to-talk release), or at
``max_utterance_s``. Inside an utterance a pause of ``pause_ms`` is reported, so that the recognizer can
decode what was said so far while the user is still talking.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Samples

EndReason = Literal["silence", "release", "max_length", "stopped"]


class EndpointConfig(BaseModel):
    threshold: float = Field(0.5, gt=0, lt=1, description="speech probability that starts speech")
    neg_threshold: float = Field(0.35, gt=0, lt=1, description="probability below which it is silence")
    min_speech_ms: int = Field(160, ge=0, description="shorter bursts are ignored (clicks)")
    pre_roll_ms: int = Field(320, ge=0)
    trailing_silence_ms: int = Field(500, ge=64)
    pause_ms: int = Field(
        32,
        ge=32,
        description="silence inside an utterance reported as a pause (a speculative decode starts)",
    )
    keep_silence_ms: int = Field(200, ge=0, description="silence kept after the last speech")
    max_utterance_s: float = Field(30.0, gt=1)


def _frames(ms: float) -> int:
    return max(1, round(ms / 1000 * SAMPLE_RATE / FRAME_SAMPLES))


@dataclass
class UtteranceStarted:
    start_s: float


@dataclass
class Pause:
    """The utterance paused: ``audio`` is everything so far (trailing silence trimmed)."""

    audio: Samples
    start_s: float
    speech_end_s: float


@dataclass
class UtteranceEnded:
    audio: Samples
    start_s: float
    end_s: float
    speech_end_s: float
    reason: EndReason


EndpointEvent = UtteranceStarted | Pause | UtteranceEnded


@dataclass
class EndPointer:
    config: EndpointConfig = field(default_factory=EndpointConfig)
    frames_seen: int = 0
    auto_end: bool = True  # False in push-to-talk: only close() (or the length cap) ends an utterance

    def __post_init__(self) -> None:
        c = self.config
        self._pre = collections.deque[Samples](maxlen=_frames(c.pre_roll_ms))
        self._candidate: list[Samples] = []  # speech frames not yet confirmed as speech
        self._utt: list[Samples] = []
        self._in_speech = False  # inside an utterance
        self._voiced = False  # the last frame was speech (hysteresis)
        self._silence_run = 0
        self._speech_run = 0
        self._start_frame = 0
        self._last_speech_frame = 0
        self._paused = False

    @property
    def active(self) -> bool:
        return self._in_speech

    def t(self, frame_index: int) -> float:
        return frame_index * FRAME_SAMPLES / SAMPLE_RATE

    def push(self, frame: Samples, prob: float) -> list[EndpointEvent]:
        c = self.config
        idx = self.frames_seen
        self.frames_seen += 1
        voiced = prob >= c.threshold or (self._voiced and prob >= c.neg_threshold)
        self._voiced = voiced
        events: list[EndpointEvent] = []
        if not self._in_speech:
            if voiced:
                self._candidate.append(frame)
                self._speech_run += 1
                if self._speech_run >= _frames(c.min_speech_ms):
                    self._in_speech = True
                    self._utt = [*self._pre, *self._candidate]
                    self._start_frame = idx + 1 - len(self._utt)
                    self._last_speech_frame = idx
                    self._silence_run = 0
                    self._paused = False
                    self._pre.clear()
                    self._candidate = []
                    events.append(UtteranceStarted(self.t(self._start_frame)))
            else:
                for f in self._candidate:  # a click: back into the ring buffer, not speech
                    self._pre.append(f)
                self._candidate = []
                self._speech_run = 0
                self._pre.append(frame)
            return events
        self._utt.append(frame)
        if voiced:
            self._silence_run = 0
            self._last_speech_frame = idx
            self._paused = False
        else:
            self._silence_run += 1
            if not self._paused and self._silence_run >= _frames(c.pause_ms):
                self._paused = True
                events.append(
                    Pause(self._trimmed(), self.t(self._start_frame), self.t(idx + 1 - self._silence_run))
                )
            if self.auto_end and self._silence_run >= _frames(c.trailing_silence_ms):
                events.append(self._end("silence"))
                return events
        if len(self._utt) * FRAME_SAMPLES >= c.max_utterance_s * SAMPLE_RATE:
            events.append(self._end("max_length"))
        return events

    def current_audio(self) -> Samples:
        """Audio of the open utterance so far (empty when none is open)."""
        return np.concatenate(self._utt) if self._in_speech and self._utt else np.zeros(0, np.float32)

    @property
    def silence_ms(self) -> float:
        """Silence since the last speech frame of the open utterance (0 when none is open)."""
        return self._silence_run * FRAME_SAMPLES / SAMPLE_RATE * 1000 if self._in_speech else 0.0

    @property
    def speech_end_s(self) -> float:
        """Stream time at the end of the open utterance's last speech frame."""
        return self.t(self._last_speech_frame + 1)

    def _trimmed(self) -> Samples:
        keep = self._last_speech_frame - self._start_frame + 1 + _frames(self.config.keep_silence_ms)
        return np.concatenate(self._utt[:keep]) if self._utt else np.zeros(0, np.float32)

    def _end(self, reason: EndReason) -> UtteranceEnded:
        audio = self._trimmed()
        ev = UtteranceEnded(
            audio=audio,
            start_s=self.t(self._start_frame),
            end_s=self.t(self.frames_seen),
            speech_end_s=self.t(self._last_speech_frame + 1),
            reason=reason,
        )
        self._in_speech = False
        self._utt = []
        self._silence_run = 0
        self._speech_run = 0
        self._voiced = False
        return ev

    def close(self, reason: EndReason = "release") -> UtteranceEnded | None:
        """End the current utterance now (push-to-talk release, stream end); None if none is open."""
        if not self._in_speech:
            self._candidate = []
            self._speech_run = 0
            return None
        return self._end(reason)

    def reset(self) -> None:
        self.__post_init__()
