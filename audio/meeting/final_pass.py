"""A meeting's final pass: after Stop, the stored audio is transcribed again with a larger model.

The same stages as the live transcript (per channel VAD -> end-pointer -> Whisper), without a second
diarization: segments take their speakers from the recording's final speaker turns (each in its own channel). The caller keeps
the live transcript until this returns and then replaces it in one transaction, so an interrupted pass
(cancelled, crashed, power lost) leaves the live transcript as it was."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audio.meeting.capture import Block
from audio.meeting.live import LiveTranscriber, label_segments
from audio.meeting.models import SpeakerTurn, TranscriptSegment

if TYPE_CHECKING:
    from audio.stt import Recognizer


class FinalPassCancelled(Exception):
    """The final pass was stopped before its end; nothing was replaced."""


@dataclass
class FinalPass:
    segments: list[TranscriptSegment]
    seconds: float  # wall time of the pass
    audio_s: float  # seconds of recorded audio transcribed


def retranscribe(
    recognizer: Recognizer,
    blocks: Iterable[Block],
    channels: int,
    language: str | None,
    turns: list[SpeakerTurn],
    cancel: threading.Event | None = None,
) -> FinalPass:
    """The whole recording's transcript from ``blocks`` (its stored audio, in order).
    FinalPassCancelled as soon as ``cancel`` is set."""
    t0 = time.perf_counter()
    tr = LiveTranscriber(recognizer, channels, language, diarize=False)
    segments: list[TranscriptSegment] = []
    for block in blocks:
        if cancel is not None and cancel.is_set():
            raise FinalPassCancelled("the final transcription was stopped")
        segments += [t.segment for t in tr.push(block)]
    segments += [t.segment for t in tr.finish()]
    if channels == 1 or any(t.channel is not None for t in turns):
        label_segments(segments, turns)
    return FinalPass(segments, time.perf_counter() - t0, tr.audio_s)
