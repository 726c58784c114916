"""Live transcript stage: per channel VAD (Silero) -> end-pointer -> Whisper (fast path) -> speaker.

Mono input gets speakers from :class:`Diarizer` (provisional while recording, final after stop);
multi-channel input (an online call) from :class:`ChannelDiarizers`, each channel diarized on its own
(one voice per channel stays one speaker; two far-side voices are two). In a two-channel call, microphone
frames that are only the far side's echo (:class:`EchoGate`) count as silence on channel 1, so the far
side's words are not transcribed a second time under the user. Every utterance becomes a
:class:`TranscriptSegment` with start and end in recorded-audio seconds."""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from audio.endpointing import EndpointConfig, EndPointer, Pause, UtteranceEnded
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Reframer
from audio.meeting.capture import Block
from audio.meeting.channel_diarization import ChannelDiarizers, channel_speaker
from audio.meeting.diarization import Diarizer, DiarizerConfig, channel_turns, speaker_of
from audio.meeting.echo import EchoGate
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
        echo_gate: bool = True,
    ) -> None:
        """``diarize=False``: no diarizer (every segment is S1, or its channel's S<n>; the caller labels
        it, e.g. a final pass with the recording's speaker turns). ``echo_gate``: with two channels, channel
        2 is the far side of a call and its echo in channel 1 is not transcribed."""
        self.recognizer = recognizer
        self.transcribe_after = transcribe_after  # recovery: utterances before this are already in the store
        self.channels = channels
        self.language = language
        self._chans = [
            _Channel(c, SileroVad(), EndPointer(endpoint or MEETING_ENDPOINT)) for c in range(channels)
        ]
        self.diarizer = Diarizer(diarizer or DiarizerConfig()) if channels == 1 and diarize else None
        self.channel_diarizers = ChannelDiarizers(channels, diarizer) if channels > 1 and diarize else None
        self.echo = EchoGate() if channels == 2 and echo_gate else None
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
        if self.echo is not None:  # the far side first: the microphone's frames are compared with it
            self.echo.far(np.ascontiguousarray(block[:, 1]))
        for ch in self._chans:
            for frame in ch.reframer.push(np.ascontiguousarray(block[:, ch.index])):
                out += self._frame(ch, frame)
        return out

    def _frame(self, ch: _Channel, frame: np.ndarray) -> list[Transcribed]:
        echo = self.echo is not None and ch.index == 0 and self.echo.near(frame)
        if echo or float(np.sqrt(np.mean(frame * frame))) < SILENCE_RMS:
            prob = 0.0
            ch.vad.reset()
        else:
            prob = ch.vad(frame)
        if self.diarizer is not None:
            self.diarizer.push(frame, prob)
        elif self.channel_diarizers is not None:
            self.channel_diarizers.push(ch.index, frame, prob)
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
        elif self.channel_diarizers is not None:
            speaker = self.channel_diarizers.label_for(ch.index, utt.start_s, utt.speech_end_s)
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
        if self.channel_diarizers is not None:
            return self.channel_diarizers.turns()
        return channel_turns({ch.index: ch.spans for ch in self._chans})

    def relabel(self, turns: list[SpeakerTurn]) -> list[TranscriptSegment]:
        """Final speakers for the transcript (each segment the speaker of its time, in its channel)."""
        if self.diarizer is None and self.channel_diarizers is None:
            return self.segments
        label_segments(self.segments, turns)
        return self.segments

    @property
    def has_voices(self) -> bool:
        """Voice vectors are kept (for voice profiles)."""
        d = self.diarizer or self.channel_diarizers
        return d is not None and d.has_voices

    def voiceprints(self, turns: list[SpeakerTurn]) -> dict[str, tuple[np.ndarray, int]]:
        """Per speaker of ``turns``: the mean voice vector and how many windows it averages."""
        d = self.diarizer or self.channel_diarizers
        return d.voiceprints(turns) if d is not None and d.has_voices else {}


class Labelled(Protocol):
    """A transcript line whose speaker can be set (a live segment or a stored line)."""

    start: float
    end: float
    speaker: str
    channel: int | None


def label_segments(segments: Sequence[Labelled], turns: list[SpeakerTurn]) -> None:
    """Each segment gets the speaker who talks most in its time (in its own channel, when it has one)."""
    for s in segments:
        if s.channel is None:
            s.speaker = speaker_of(turns, s.start, s.end, s.speaker)
        else:
            s.speaker = channel_speaker(turns, s.channel, s.start, s.end, s.speaker)
