"""The streaming listener: frames in, typed events out (audio/events.py).

Stages per frame: mode gate → Silero VAD → end-pointer → recognizer (in one worker thread).
While the user speaks, the worker decodes what was said so far: interim text every ``interim_every_s``,
and at each pause a speculative decode of the utterance so far; once the undecoded part is long, a pause
commits the decoded prefix. At the end-point only the audio after the last pause is left to decode (and
usually it already is), which keeps end-of-speech → final text short.

Modes: ``push_to_talk`` (press/release; transcribe on release), ``hands_free`` (always listening; an
utterance counts when it starts with the wake phrase or begins inside the follow-up window after the
assistant spoke) and ``mute`` (frames are dropped).

Echo guard: between AssistantSpeakingStarted and AssistantSpeakingStopped nothing heard is transcribed as
user input. The user can still interrupt: sustained speech that is louder than the echo expected from
the played audio (fed with :meth:`Listener.feed_reference`) emits :class:`BargeIn`, and from then on the
utterance is the user's. Without a reference only clearly voiced speech of ``barge_in_ms`` counts
(fine with a headset; with loudspeakers feed the reference). Pressing push-to-talk is a barge-in too.
"""

from __future__ import annotations

import collections
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from audio.endpointing import EndpointConfig, EndPointer, Pause, UtteranceEnded, UtteranceStarted
from audio.events import (
    AssistantSpeakingStarted,
    AssistantSpeakingStopped,
    AudioEvent,
    BargeIn,
    FinalTranscript,
    Interim,
    SpeechEnded,
    SpeechStarted,
)
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Resampler, Samples
from audio.stt import Decoded, Recognizer
from audio.vad import SileroVad
from audio.wake import strip_wake_phrase, words

log = logging.getLogger(__name__)

Mode = Literal["push_to_talk", "hands_free", "mute"]


INTERIM_VOICED_FRAMES = 3  # an interim decode starts only after this many clearly voiced frames in a row
# Silero can still call the first frame after speech voiced (0.54 on digital silence right after cut-off
# speech): audio that stops one frame before the end-pointer's speech end holds all the speech
VAD_LAG_S = FRAME_SAMPLES / SAMPLE_RATE + 1e-6
ECHO_QUANTILE = 0.2  # of mic/played level ratios while the assistant speaks: the echo-only level


class ListenerConfig(BaseModel):
    mode: Mode = "push_to_talk"
    wake_phrase: str = "hey assistant"
    follow_up_window_s: float = Field(8.0, ge=0)
    endpoint: EndpointConfig = Field(default_factory=EndpointConfig)
    interim_every_s: float = Field(1.0, gt=0)
    interim_spacing: float = Field(
        2.0,
        ge=0,
        description="at least this many times the last decode's duration between interim decodes, so a"
        " slow (or busy) machine keeps the worker free for the pause and final decodes",
    )
    commit_after_s: float = Field(
        5.0, gt=0, description="a decoded prefix this long is committed once a later decode agrees with it"
    )
    max_uncommitted_s: float = Field(
        15.0, gt=1, description="a pause commits everything once this much is open"
    )
    barge_in_ms: int = Field(256, ge=32)
    echo_margin: float = Field(2.0, ge=1.0, description="mic level over expected echo for a barge-in")
    echo_gain: float = Field(1.0, gt=0, description="starting guess of echo level / played level")
    early_end_ms: int | None = Field(
        320,
        ge=64,
        description="hands-free: end the utterance after this much silence (instead of the end-pointer's"
        " trailing silence) once the speculative text of all of it ends a sentence (. ? !); None = off",
    )
    context_s: float = Field(
        10.0,
        ge=0,
        description="the previous utterance's text primes the decoder when it ended this recently (a short"
        " phrase after a pause, 'ask not', is heard in context); 0 = off",
    )
    session_language: bool = Field(
        False,
        description="keep the first confidently detected language for later utterances (skips detection;"
        " leave off when the user switches languages between utterances)",
    )


@dataclass
class _Utterance:
    uid: int
    started_wall: float
    start_s: float
    language: str | None = None
    committed_text: str = ""
    committed_upto: int = 0
    spec_base: int = -1
    spec_cut: int = -1
    spec_text: str = ""
    spec_speech_end: float = -1.0  # stream time of the last speech frame the speculative decode holds
    spec_ends_sentence: bool = False
    user: bool = True  # False: heard while the assistant spoke (echo) and no barge-in yet
    addressed_by_follow_up: bool = False
    done: bool = False
    last_interim_wall: float = 0.0
    loud_frames: int = 0
    pause_seq: int = 0  # pauses seen; a pause job whose number is not the latest is stale
    latest_pause: tuple[int, float] = (0, -1.0)  # its number, and where the speech before it ended
    spec_pause_seq: int = 0  # the pause whose speech the speculative text holds (0: none)
    context: str = ""  # the previous utterance's text (decoder prompt only, never output)

    def speculate(self, base: int, cut: int, text: str, pause: tuple[int, float], decoded: str) -> None:
        """Hold ``text`` as the speculative text of audio[base:cut], decoded for ``pause`` (its number
        and speech end); ``decoded`` is that decode's whole text (does it end a sentence?)."""
        self.spec_base, self.spec_cut, self.spec_text = base, cut, text
        self.spec_pause_seq, self.spec_speech_end = pause
        self.spec_ends_sentence = decoded.rstrip().endswith((".", "?", "!"))


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    run: Callable[[], None] = field(compare=False)


class Listener:
    """Feed 16 kHz frames of ``FRAME_SAMPLES`` with :meth:`feed`; events go to ``on_event``
    (called from the feeding thread or the recognizer's worker thread)."""

    def __init__(
        self,
        recognizer: Recognizer,
        config: ListenerConfig | None = None,
        on_event: Callable[[AudioEvent], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recognizer = recognizer
        self.config = config or ListenerConfig()
        self.on_event = on_event or (lambda e: None)
        self.clock = clock
        self.vad = SileroVad()
        self.endpointer = EndPointer(self.config.endpoint)
        self._mode: Mode = self.config.mode
        self.endpointer.auto_end = self._mode != "push_to_talk"
        self._pressed = False
        self._utt: _Utterance | None = None
        self._uids = itertools.count(1)
        self._seq = itertools.count()
        self._jobs: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._busy = threading.Event()
        self._closed = False
        self._state = threading.RLock()
        self._assistant_speaking = False
        self._assistant_stopped_at: float | None = None
        self._ref_rms: collections.deque[float] = collections.deque(maxlen=12)  # ~0.4 s of played audio
        self._ref_resampler: Resampler | None = None
        self._ref_buf = np.zeros(0, np.float32)
        self._echo_ratios: collections.deque[float] = collections.deque(maxlen=200)
        self._mic_rms: collections.deque[float] = collections.deque(maxlen=12)
        self._recent_probs: collections.deque[float] = collections.deque(maxlen=INTERIM_VOICED_FRAMES)
        self._ratio: float | None = None  # mic level / played level of the newest window
        self.frames_fed = 0
        self._session_language: str | None = None
        self._last_decode_s = 0.0
        self._last_final: tuple[float, str] | None = None  # (end wall clock, text) of the last final
        self._worker = threading.Thread(target=self._work, name="listener-stt", daemon=True)
        self._worker.start()

    # ------------------------------------------------------------------------------------ controls

    @property
    def mode(self) -> Mode:
        return self._mode

    def set_mode(self, mode: Mode) -> None:
        with self._state:
            if mode == self._mode:
                return
            self._abandon()
            self._mode = mode
            self._pressed = False
            self.endpointer.auto_end = mode != "push_to_talk"

    def press(self) -> None:
        """Push-to-talk pressed: start capturing (and interrupt the assistant if it talks)."""
        with self._state:
            if self._mode != "push_to_talk":
                return
            if self._assistant_speaking:
                self.on_event(BargeIn(reason="push-to-talk"))
            self._abandon()
            self._pressed = True

    def release(self) -> None:
        """Push-to-talk released: the utterance ends now and is transcribed."""
        with self._state:
            if self._mode != "push_to_talk" or not self._pressed:
                return
            self._pressed = False
            ev = self.endpointer.close("release")
            if ev is not None:
                self._on_end(ev)

    def handle(self, event: AudioEvent) -> None:
        """React to speech output's events (AssistantSpeakingStarted/Stopped)."""
        with self._state:
            if isinstance(event, AssistantSpeakingStarted):
                self._assistant_speaking = True  # an utterance already running stays the user's
            elif isinstance(event, AssistantSpeakingStopped):
                self._assistant_speaking = False
                self._assistant_stopped_at = self.clock()
                self._ref_rms.clear()

    def feed_reference(self, samples: Samples, sample_rate: int) -> None:
        """Audio that the speaker is playing now (mono float32), for the echo guard."""
        mono = np.asarray(samples, np.float32).reshape(-1)
        if self._ref_resampler is None or self._ref_resampler.rate_in != sample_rate:
            self._ref_resampler = Resampler(sample_rate)
        buf = np.concatenate([self._ref_buf, self._ref_resampler(mono)])
        n = len(buf) // FRAME_SAMPLES
        with self._state:
            for i in range(n):
                f = buf[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES]
                self._ref_rms.append(float(np.sqrt(np.mean(f * f))))
        self._ref_buf = buf[n * FRAME_SAMPLES :]

    def close(self) -> None:
        self._closed = True
        self._jobs.put(_Job(-1, next(self._seq), lambda: None))
        self._worker.join(timeout=30)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until every queued decode has run (tests, files)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._jobs.empty() and not self._busy.is_set():
                return True
            time.sleep(0.005)
        return False

    # --------------------------------------------------------------------------------------- frames

    def feed(self, frame: Samples) -> None:
        """One frame of ``FRAME_SAMPLES`` 16 kHz mono float32 samples."""
        self.frames_fed += 1
        with self._state:
            if self._mode == "mute" or (self._mode == "push_to_talk" and not self._pressed):
                return
            prob = self.vad(frame)
            events = self.endpointer.push(frame, prob)
            if self._assistant_speaking:
                self._track_echo(frame)
                if self._utt is not None and not self._utt.user:
                    self._check_barge_in(prob)
            for ev in events:
                if isinstance(ev, UtteranceStarted):
                    self._on_start(ev)
                elif isinstance(ev, Pause):
                    self._on_pause(ev)
                elif isinstance(ev, UtteranceEnded):
                    self._on_end(ev)
            self._maybe_end_early()
            self._recent_probs.append(prob)
            u = self._utt
            if (
                u is not None
                and u.user
                # only in the middle of clear speech (which implies the end-pointer hears speech): an
                # interim decode started as the speech fades is still running (its encoder cannot be
                # stopped) when the end comes, and delays the final
                and min(self._recent_probs) >= self.config.endpoint.threshold
                and self.clock() - u.last_interim_wall
                >= max(self.config.interim_every_s, self.config.interim_spacing * self._last_decode_s)
                and self._jobs.empty()
                and not self._busy.is_set()
            ):
                u.last_interim_wall = self.clock()
                self._submit(2, self._interim_job(u, self.endpointer.current_audio()))

    def _maybe_end_early(self) -> None:
        """Hands-free: end the utterance at ``early_end_ms`` of silence when the speculative text of all
        of it ends a sentence. Asked on every frame, and by the worker as soon as a speculative decode
        is done (a frame later would cost up to 32 ms more)."""
        u, ep, early = self._utt, self.endpointer, self.config.early_end_ms
        if (
            early is None
            or u is None
            or not u.user
            or not ep.auto_end
            or ep.silence_ms < early
            or u.spec_base != u.committed_upto
            or abs(u.spec_speech_end - ep.speech_end_s) > 1e-6
            or not u.spec_ends_sentence
        ):
            return
        ev = ep.close("silence")
        if ev is not None:
            self._on_end(ev)

    def _track_echo(self, frame: Samples) -> None:
        """Mic level over played level, every frame while the assistant speaks (~0.4 s windows on both
        sides, so echo delay and pauses average out)."""
        self._mic_rms.append(float(np.sqrt(np.mean(frame * frame))))
        ref = float(np.sqrt(np.mean(np.square(self._ref_rms)))) if self._ref_rms else 0.0
        rms = float(np.sqrt(np.mean(np.square(self._mic_rms))))
        self._ratio = rms / ref if ref > 1e-4 else None
        if self._ratio is not None:
            self._echo_ratios.append(self._ratio)

    def _check_barge_in(self, prob: float) -> None:
        u = self._utt
        assert u is not None
        ratio = self._ratio
        if ratio is not None:
            # the echo's level is what the mic hears when only the assistant talks: a low quantile of
            # all ratios (the user's own speech is the high end; learning the median from frames inside
            # the user's utterance taught the guard that the user's voice was echo)
            gain = (
                float(np.quantile(self._echo_ratios, ECHO_QUANTILE))
                if len(self._echo_ratios) >= 10
                else self.config.echo_gain
            )
            loud = prob >= self.config.endpoint.threshold and ratio > gain * self.config.echo_margin
        else:
            loud = prob >= max(0.8, self.config.endpoint.threshold)
        u.loud_frames = u.loud_frames + 1 if loud else max(0, u.loud_frames - 1)
        if u.loud_frames * FRAME_SAMPLES / SAMPLE_RATE * 1000 >= self.config.barge_in_ms:
            u.user = True
            u.addressed_by_follow_up = True  # interrupting the assistant addresses it
            self.on_event(BargeIn(reason="user speech over assistant"))
            self.on_event(SpeechStarted(audio_t=u.start_s))

    # ---------------------------------------------------------------------------------- utterances

    def _on_start(self, ev: UtteranceStarted) -> None:
        now = self.clock()
        follow = (
            self._assistant_stopped_at is not None
            and now - self._assistant_stopped_at <= self.config.follow_up_window_s
        )
        user = not self._assistant_speaking
        self._utt = _Utterance(
            uid=next(self._uids),
            started_wall=now,
            start_s=ev.start_s,
            language=self._session_language,
            user=user,
            addressed_by_follow_up=follow,
            last_interim_wall=now,
        )
        if user:
            self.on_event(SpeechStarted(audio_t=ev.start_s))

    def _on_pause(self, ev: Pause) -> None:
        u = self._utt
        if u is None or not u.user:
            return
        u.pause_seq += 1
        u.latest_pause = (u.pause_seq, ev.speech_end_s)  # one assignment: the worker reads it whole
        self._submit(1, self._pause_job(u, ev.audio, u.pause_seq, ev.speech_end_s))

    def _on_end(self, ev: UtteranceEnded) -> None:
        u = self._utt
        self._utt = None
        if u is None:
            return
        if not u.user:  # echo of the assistant, or a sound while it spoke: never user input
            u.done = True
            return
        self.on_event(SpeechEnded(audio_t=ev.end_s, reason=ev.reason))
        self._submit(0, self._final_job(u, ev, self.clock()))

    def _abandon(self) -> None:
        if self._utt is not None:
            self._utt.done = True
            self._utt = None
        self.endpointer.reset()
        self.endpointer.auto_end = self._mode != "push_to_talk"
        self.vad.reset()

    # ---------------------------------------------------------------------------------------- jobs

    def _submit(self, priority: int, run: Callable[[], None]) -> None:
        self._jobs.put(_Job(priority, next(self._seq), run))

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if self._closed:
                return
            self._busy.set()
            try:
                job.run()
            except Exception:
                log.exception("speech recognition failed")
            finally:
                self._busy.clear()

    def _decode(self, u: _Utterance, audio: Samples, cancel: Callable[[], bool] | None = None) -> Decoded:
        kw = {"cancel": cancel} if cancel is not None else {}
        last = self._last_final
        if not u.context and last is not None and 0 <= u.started_wall - last[0] <= self.config.context_s:
            # read when decoding, not at the start: the previous final may still have been running then
            # (finals run before any later decode, so it is done now)
            u.context = last[1]
        prompt = _join(u.context, u.committed_text)[-400:]
        d = self.recognizer.decode(audio, language=u.language, previous_text=prompt, **kw)
        if not d.cancelled:
            self._last_decode_s = d.seconds
        if u.language is None and d.text and not d.cancelled:
            u.language = d.language  # pinned for the rest of the utterance
            if self.config.session_language and d.language_probability >= 0.8:
                self._session_language = d.language
        return d

    def _interim_job(self, u: _Utterance, audio: Samples) -> Callable[[], None]:
        def run() -> None:
            if u.done or self._utt is not u:
                return
            base = u.committed_upto
            if len(audio) - base < SAMPLE_RATE // 2:
                return
            audio_end = u.start_s + len(audio) / SAMPLE_RATE

            def held_pause() -> tuple[int, float] | None:
                # started as the speech faded: this decode already has all the speech before the
                # latest pause, so it serves as that pause's speculative decode
                seq, speech_end = u.latest_pause
                return (seq, speech_end) if seq and audio_end >= speech_end - VAD_LAG_S else None

            # a waiting pause or final decode matters more: drop this one between encoder and decoder,
            # unless it is what that pause would decode
            d = self._decode(
                u, audio[base:], cancel=lambda: u.done or (not self._jobs.empty() and held_pause() is None)
            )
            if u.done or d.cancelled:
                return
            held = held_pause()
            if held is not None:
                u.speculate(base, len(audio), d.text, held, d.text)
                with self._state:
                    self._maybe_end_early()
            self.on_event(Interim(text=_join(u.committed_text, d.text), language=u.language))

        return run

    def _pause_job(self, u: _Utterance, audio: Samples, seq: int, speech_end_s: float) -> Callable[[], None]:
        def stale() -> bool:
            return u.done or seq != u.pause_seq  # ended, or a later pause has newer audio queued

        def run() -> None:
            if stale() or u.spec_pause_seq == seq:  # stale, or an interim decode already holds it
                return
            base = u.committed_upto
            if len(audio) <= base:
                return
            d = self._decode(u, audio[base:], cancel=stale)
            if u.done or d.cancelled:
                return
            agreed = (
                _agreed_prefix(u.spec_text, d.text) if u.spec_base == base and u.spec_cut > base else None
            )
            if (
                agreed is not None
                and (u.spec_cut - base) / SAMPLE_RATE >= self.config.commit_after_s
                and self._utt is u
            ):
                # this decode (more audio, more context) confirms the previous one: commit that one
                u.committed_text = _join(u.committed_text, u.spec_text)
                u.committed_upto = u.spec_cut
                u.speculate(u.spec_cut, len(audio), agreed, (seq, speech_end_s), d.text)
            elif (len(audio) - base) / SAMPLE_RATE >= self.config.max_uncommitted_s and self._utt is u:
                u.committed_text = _join(u.committed_text, d.text)
                u.committed_upto = len(audio)
                # nothing after the committed part yet: an empty speculative tail
                u.speculate(len(audio), len(audio), "", (seq, speech_end_s), d.text)
            else:
                u.speculate(base, len(audio), d.text, (seq, speech_end_s), d.text)
            with self._state:
                self._maybe_end_early()

        return run

    def _final_job(self, u: _Utterance, ev: UtteranceEnded, ended_wall: float) -> Callable[[], None]:
        def run() -> None:
            if u.done:
                return
            base = u.committed_upto
            audio = ev.audio
            if u.spec_base == base and (
                u.spec_cut >= len(audio) - FRAME_SAMPLES or abs(u.spec_speech_end - ev.speech_end_s) < 1e-6
            ):
                # nothing was said after the last pause (only more silence): already decoded
                tail = u.spec_text
            elif len(audio) - base >= FRAME_SAMPLES * 4:
                tail = self._decode(u, audio[base:]).text
            else:
                tail = ""
            u.done = True
            text = _join(u.committed_text, tail)
            if text:
                self._last_final = (ended_wall, text)  # when that utterance ended
            addressed = True
            follow_up = self._mode == "hands_free" and u.addressed_by_follow_up
            if self._mode == "hands_free" and not u.addressed_by_follow_up:
                rest = strip_wake_phrase(text, self.config.wake_phrase)
                addressed = rest is not None
                text = rest if rest is not None else text
            self.on_event(
                FinalTranscript(
                    text=text,
                    language=u.language,
                    audio_start=ev.start_s,
                    audio_end=ev.end_s,
                    addressed=addressed,
                    follow_up=follow_up,
                    latency_s=self.clock() - ended_wall,
                )
            )

        return run


def _agreed_prefix(earlier: str, later: str) -> str | None:
    """When the words of ``earlier`` begin ``later`` (case and punctuation aside), the rest of ``later``
    (its raw words); else None. Committing only text that a longer decode repeats keeps words that
    were cut at a pause ("ask not" heard as "asked not." at a chunk's end) out of the final text."""
    a, b = earlier.split(), later.split()
    if not a or len(b) < len(a):
        return None
    if [words(w) for w in a] != [words(w) for w in b[: len(a)]]:
        return None
    return " ".join(b[len(a) :])


def _join(a: str, b: str) -> str:
    return f"{a} {b}".strip() if a and b else (a or b).strip()
