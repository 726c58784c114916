"""Live transcript stage: per channel VAD (Silero) -> end-pointer -> Whisper (fast path) -> speaker.

Mono input gets speakers from :class:`Diarizer` (provisional while recording, final after stop);
multi-channel input has one speaker per channel. Every utterance becomes a :class:`TranscriptSegment`
with start and end in recorded-audio seconds."""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from audio.endpointing import EndpointConfig, EndPointer, Pause, UtteranceEnded
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Reframer
from audio.meeting.capture import Block
from audio.meeting.diarization import Diarizer, DiarizerConfig, channel_turns, speaker_of
from audio.meeting.models import SpeakerTurn, TranscriptSegment
from audio.stt import SILENCE_RMS
from audio.vad import SileroVad

if TYPE_CHECKING:
    from audio.stt import Recognizer

log = logging.getLogger(__name__)

MEETING_ENDPOINT = EndpointConfig(trailing_silence_ms=400, pause_ms=160, max_utterance_s=12.0)
SPLIT_AT_PAUSE_S = 5.0  # an utterance this long is cut at its next short pause (turns change at pauses)


@dataclass
class Transcribed:
    segment: TranscriptSegment
    lag_s: float


@dataclass
class _Channel:
    index: int
    vad: SileroVad
    ep: EndPointer
    reframer: Reframer = field(default_factory=Reframer)
    spans: list[tuple[float, float]] = field(default_factory=list)
    _start: float | None = None
    _frames: int = 0


SHORT_UTTERANCE_S = 2.0  # shorter utterances are not language-detected once the meeting has a language
UNSURE_LANGUAGE = 0.5  # a longer one detected as another language below this probability is decoded again


class LiveTranscriber:
    """Not thread-safe: the recorder feeds it from one thread."""

    def __init__(
        self,
        recognizer: Recognizer | None,
        channels: int = 1,
        language: str | None = None,
        diarizer: DiarizerConfig | None = None,
        endpoint: EndpointConfig | None = None,
        transcribe_after: float = -1.0,
        diarize: bool = True,
    ) -> None:
        """``diarize=False``: no diarizer for mono input (every segment is S1; the caller labels it,
        e.g. a final pass with the recording's speaker turns)."""
        self.recognizer = recognizer
        self.transcribe_after = transcribe_after  # recovery: utterances before this are already in the store
        self.channels = channels
        self.language = language
        self._chans = [
            _Channel(c, SileroVad(), EndPointer(endpoint or MEETING_ENDPOINT)) for c in range(channels)
        ]
        self.diarizer = Diarizer(diarizer or DiarizerConfig()) if channels == 1 and diarize else None
        self._walls: collections.deque[tuple[float, float]] = collections.deque(maxlen=4096)
        self.audio_s = 0.0
        self.decode_s = 0.0
        self.segments: list[TranscriptSegment] = []  # kept for relabelling at stop (text only: small)
        self._languages: collections.Counter[str] = collections.Counter()  # detected language per segment

    # --------------------------------------------------------------------------------------- input

    def push(self, block: Block, wall: float | None = None) -> list[Transcribed]:
        """Feed audio captured at wall time ``wall`` (monotonic; the end of the block)."""
        self.audio_s += len(block) / SAMPLE_RATE
        self._walls.append((self.audio_s, wall if wall is not None else time.monotonic()))
        out: list[Transcribed] = []
        for ch in self._chans:
            for frame in ch.reframer.push(np.ascontiguousarray(block[:, ch.index])):
                out += self._frame(ch, frame)
        return out

    def _frame(self, ch: _Channel, frame: np.ndarray) -> list[Transcribed]:
        if float(np.sqrt(np.mean(frame * frame))) < SILENCE_RMS:
            prob = 0.0
            ch.vad.reset()
        else:
            prob = ch.vad(frame)
        if self.diarizer is not None:
            self.diarizer.push(frame, prob)
        t = ch._frames * FRAME_SAMPLES / SAMPLE_RATE
        ch._frames += 1
        if prob >= 0.5 and ch._start is None:
            ch._start = t
        elif prob < 0.35 and ch._start is not None:
            ch.spans.append((ch._start, t))
            ch._start = None
        out: list[Transcribed] = []
        for ev in ch.ep.push(frame, prob):
            if isinstance(ev, UtteranceEnded):
                out += self._utterance(ch, ev)
            elif isinstance(ev, Pause) and ev.speech_end_s - ev.start_s >= SPLIT_AT_PAUSE_S:
                utt = ch.ep.close("silence")
                if utt is not None:
                    out += self._utterance(ch, utt)
        return out

    def pause_break(self) -> list[Transcribed]:
        """Recording paused: close open utterances (their text is shown now)."""
        out: list[Transcribed] = []
        for ch in self._chans:
            utt = ch.ep.close("stopped")
            if utt is not None:
                out += self._utterance(ch, utt)
        return out

    def finish(self) -> list[Transcribed]:
        out: list[Transcribed] = []
        for ch in self._chans:
            for frame in ch.reframer.flush():
                out += self._frame(ch, frame)
            if ch._start is not None:
                ch.spans.append((ch._start, ch._frames * FRAME_SAMPLES / SAMPLE_RATE))
                ch._start = None
        return out + self.pause_break()

    # ------------------------------------------------------------------------------------- decode

    def _usual_language(self) -> str | None:
        """The language most segments so far were in (None before the first)."""
        if sum(self._languages.values()) < 1:
            return None
        return self._languages.most_common(1)[0][0]

    def _wall_of(self, audio_t: float) -> float:
        for a, w in self._walls:
            if a >= audio_t:
                return w - (a - audio_t)
        return self._walls[-1][1] if self._walls else time.monotonic()

    def _utterance(self, ch: _Channel, utt: UtteranceEnded) -> list[Transcribed]:
        if self.recognizer is None or len(utt.audio) < FRAME_SAMPLES * 3:
            return []
        if utt.speech_end_s <= self.transcribe_after:
            return []
        t0 = time.perf_counter()
        # zero-pad to whole seconds: the encoder then sees at most ~30 distinct input shapes, so the
        # math library's per-shape caches stay bounded over hours (memory) and hit more often (speed)
        whole = -(-len(utt.audio) // SAMPLE_RATE) * SAMPLE_RATE
        audio = np.pad(utt.audio, (0, whole - len(utt.audio))) if whole > len(utt.audio) else utt.audio
        try:
            usual = self._usual_language()
            short = utt.speech_end_s - utt.start_s < SHORT_UTTERANCE_S
            # Whisper's language guess on a second of speech is a coin toss among ~100 languages ("ask
            # not" came out as Arabic at p=0.9): short utterances take the meeting's language so far
            language = self.language or (usual if short else None)
            dec = self.recognizer.decode(audio, language=language)
            if language is None and usual and dec.language != usual and dec.language_probability < UNSURE_LANGUAGE:
                dec = self.recognizer.decode(audio, language=usual)
        except Exception as exc:  # one bad utterance must not end the meeting's transcript
            log.error("transcribing %.1f-%.1f s failed: %s", utt.start_s, utt.speech_end_s, exc)
            return []
        if dec.text.strip() and dec.language:
            self._languages[dec.language] += 1
        self.decode_s += time.perf_counter() - t0
        text = dec.text.strip()
        if not text:
            return []
        if self.diarizer is not None:
            speaker = self.diarizer.label_for(utt.start_s, utt.speech_end_s)
        else:
            speaker = f"S{ch.index + 1}"
        seg = TranscriptSegment(
            start=round(utt.start_s, 2), end=round(utt.speech_end_s, 2), text=text, speaker=speaker,
            channel=ch.index if self.channels > 1 else None, language=dec.language,
        )
        self.segments.append(seg)
        lag = max(0.0, time.monotonic() - self._wall_of(utt.speech_end_s))
        return [Transcribed(seg, lag)]

    # ---------------------------------------------------------------------------------- speakers

    def final_turns(self) -> list[SpeakerTurn]:
        if self.diarizer is not None:
            return self.diarizer.turns()
        return channel_turns({ch.index: ch.spans for ch in self._chans})

    def relabel(self, turns: list[SpeakerTurn]) -> list[TranscriptSegment]:
        """Final speakers for the mono transcript (multi-channel speakers are already final)."""
        if self.diarizer is None:
            return self.segments
        for s in self.segments:
            s.speaker = speaker_of(turns, s.start, s.end, s.speaker)
        return self.segments
