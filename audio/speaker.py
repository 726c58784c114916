"""Speech output pipeline: text pieces -> sentences -> speakable text -> Piper -> playback.

Stages run concurrently: the caller feeds text (e.g. an LLM's tokens) into a :class:`SpeechJob`;
the splitter cuts finished sentences (the first one already at a clause break); a worker thread makes
each one speakable and synthesizes it while the player is still speaking the previous one.
The job stops at once on a BargeIn/StopSpeaking event and its report says what was actually spoken.

    speaker = Speaker(tts, device=output_device)   # tts: a PiperTts (the app shares one per process)
    job = speaker.start("en")
    for token in llm_stream: job.feed(token)
    job.finish()
    report = job.wait()        # report.spoken_text goes into the conversation history
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable

import numpy as np

from audio.events import AssistantSpeakingStarted, AssistantSpeakingStopped, AudioEvent, BargeIn, StopSpeaking
from audio.playback import AudioPlayer, PlaybackReport, PlayedSink, SegmentReport, StopReason
from audio.sentences import SentenceSplitter, split_sentences
from audio.speakable import Language, make_speakable
from audio.tts import Cancel, PiperTts, SpeechAudio, SynthesisCancelled, TtsError

MAX_TEXT_CHARS = 100_000
MAX_AHEAD_S = 20.0  # synthesize at most this much audio ahead of playback
_END = object()
EventSink = Callable[[AudioEvent], None]


class SpeechJob:
    """One spoken reply. Thread-safe: ``feed``/``finish`` from the producer, ``stop``/``handle``
    from anywhere (e.g. the speech-input thread that detects a barge-in)."""

    def __init__(
        self,
        tts: PiperTts,
        player: AudioPlayer,
        language: Language,
        first_clause: bool = True,
        max_chars: int = 300,
        on_event: EventSink | None = None,
        max_ahead_s: float = MAX_AHEAD_S,
    ) -> None:
        """``on_event`` gets AssistantSpeakingStarted when the first audio is queued for playback and
        AssistantSpeakingStopped when the reply ended or was stopped (so speech input can guard
        against hearing the assistant)."""
        self.tts = tts
        self.player = player
        self.on_event = on_event
        self.max_ahead_s = max_ahead_s
        self._started_sent = False
        self._stopped_sent = False
        self.language: Language = language
        self.splitter = SentenceSplitter(language, max_chars=max_chars, first_clause=first_clause)
        self._sentences: queue.Queue[object] = queue.Queue()
        self._texts: list[str] = []  # every sentence handed to the worker, in order
        self._cancel = Cancel()
        self._ready = threading.Event()  # set once the player's stream is open
        self._opened = False
        self._stopped = threading.Event()
        self._finished = False
        self._error: str | None = None
        self._chars = 0
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._synthesize_loop, name="tts-worker", daemon=True)
        self._worker.start()

    # -- producer side -------------------------------------------------------------------------

    def feed(self, piece: str) -> None:
        """Add text; complete sentences start being synthesized and played at once."""
        with self._lock:
            if self._finished:
                raise RuntimeError("feed() after finish()")
            if self._stopped.is_set():
                self.player.pending_text += piece  # the reply goes on, but it is not spoken
                return
            self._chars += len(piece)
            if self._chars > MAX_TEXT_CHARS:
                self._fail(f"reply longer than {MAX_TEXT_CHARS} characters: the rest is not spoken")
                self.player.pending_text += piece
                return
            for sentence in self.splitter.feed(piece):
                self._put(sentence)  # synthesis starts now, while the stream opens
            if not self._opened and piece.strip():
                self._opened = True
                try:
                    self.player.open()
                except Exception:
                    self._stopped.set()
                    self._cancel.cancel()
                    self.player.stop("error")
                    raise
                finally:
                    self._ready.set()

    def finish(self) -> None:
        """The text is complete: speak the rest, then end."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
            if not self._opened:
                self._ready.set()  # nothing was worth opening a stream for
            if not self._stopped.is_set():
                for sentence in self.splitter.flush():
                    self._put(sentence)
            else:
                self.player.pending_text += self.splitter.flush_text()
            self._sentences.put(_END)

    # -- control -------------------------------------------------------------------------------

    def stop(self, reason: StopReason = "stop") -> None:
        self._stopped.set()
        self.player.stop(reason)
        self._cancel.cancel()
        self._ready.set()
        with self._lock:
            self.player.pending_text += self.splitter.flush_text()
        self._emit_stopped()

    def handle(self, event: AudioEvent) -> None:
        if isinstance(event, BargeIn):
            self.stop("barge_in")
        elif isinstance(event, StopSpeaking):
            self.stop("stop")

    def wait(self, timeout: float | None = None) -> PlaybackReport:
        """Block until the reply was spoken or stopped; the report says what was heard.
        After a stop it returns at once (a synthesis still running is cancelled)."""
        self._worker.join(1.0 if self._stopped.is_set() else timeout)
        if self._worker.is_alive() and not self._stopped.is_set():
            raise TimeoutError("speech did not finish in time")
        report = self.player.wait(timeout)
        with self._lock:
            # sentences the worker had not reached yet: not spoken (the player's are a prefix of these)
            rest = self._texts[len(report.segments) :]
        if rest:
            skipped = [SegmentReport(text=t, frames=0, frames_played=0, skipped=True) for t in rest]
            report = report.model_copy(update={"segments": [*report.segments, *skipped]})
        if self._error:
            report = report.model_copy(update={"error": self._error, "stop_reason": "error"})
        return report

    def _put(self, sentence: str) -> None:
        self._texts.append(sentence)
        self._sentences.put(sentence)

    @property
    def done(self) -> bool:
        return self.player.done and not self._worker.is_alive()

    # -- worker --------------------------------------------------------------------------------

    def _fail(self, message: str) -> None:
        self._error = message
        self._stopped.set()
        self.player.stop("error")

    def _synthesize_loop(self) -> None:
        while True:
            item = self._sentences.get()
            if item is _END:
                self.player.end_of_input()
                self.player.wait_done()
                self._emit_stopped()
                return
            text = str(item)
            while not self._stopped.is_set() and self.player.queued_s() > self.max_ahead_s:
                self._stopped.wait(0.05)  # far enough ahead of playback: keep memory bounded
            if self._stopped.is_set():
                self.player.enqueue(text, None)  # recorded as not spoken
                continue
            try:
                audio = synthesize_sentence(self.tts, text, self.language, self._cancel)
            except SynthesisCancelled:
                self.player.enqueue(text, None)
                continue
            except TtsError as exc:
                self._fail(str(exc))
                self.player.enqueue(text, None)
                continue
            self._ready.wait()  # the output stream is open (or could not be opened)
            self.player.enqueue(text, audio)
            if audio is not None and not self._started_sent:
                self._started_sent = True
                self._emit(AssistantSpeakingStarted())

    def _emit(self, event: AudioEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a listener's bug must not kill speech output
                logging.getLogger(__name__).exception("speech event listener failed")

    def _emit_stopped(self) -> None:
        with self._lock:
            if self._stopped_sent or not self._started_sent:
                return
            self._stopped_sent = True
        self._emit(AssistantSpeakingStopped())


def synthesize_sentence(
    tts: PiperTts, text: str, language: Language, cancel: Cancel | None = None
) -> SpeechAudio | None:
    """Audio of one sentence as written by the assistant; None when nothing in it can be spoken."""
    speakable = make_speakable(text, language)
    if not speakable:
        return None
    return tts.synthesize(speakable, language, cancel)


class Speaker:
    """Makes :class:`SpeechJob` objects for one voice configuration and output device."""

    def __init__(
        self,
        tts: PiperTts,
        device: str | int | None = None,
        language: Language = "en",
        first_clause: bool = True,
        max_chars: int = 300,
        blocksize: int = 256,
        on_event: EventSink | None = None,
        on_played: PlayedSink | None = None,
        max_ahead_s: float = MAX_AHEAD_S,
    ) -> None:
        """``on_event``: AssistantSpeakingStarted/Stopped; ``on_played``: the audio blocks as they are
        played (for the listener's echo guard, ``Listener.feed_reference``)."""
        self.on_event = on_event
        self.on_played = on_played
        self.max_ahead_s = max_ahead_s
        self.tts = tts
        self.device = device
        self.language: Language = language
        self.first_clause = first_clause
        self.max_chars = max_chars
        self.blocksize = blocksize

    def start(self, language: Language | None = None) -> SpeechJob:
        """A new reply; loads the language's voice first (NoVoiceError when there is none)."""
        lang: Language = language or self.language
        rate = self.tts.sample_rate(lang)
        player = AudioPlayer(
            self.device, sample_rate=rate, blocksize=self.blocksize, on_played=self.on_played
        )
        return SpeechJob(
            self.tts, player, lang, self.first_clause, self.max_chars, self.on_event, self.max_ahead_s
        )

    def say(
        self, text: str, language: Language | None = None, timeout: float | None = None
    ) -> PlaybackReport:
        return self.speak_stream([text], language, timeout)

    def speak_stream(
        self, pieces: Iterable[str], language: Language | None = None, timeout: float | None = None
    ) -> PlaybackReport:
        job = self.start(language)
        try:
            for piece in pieces:
                job.feed(piece)
        finally:
            job.finish()
        return job.wait(timeout)


def render(tts: PiperTts, text: str | list[str], language: Language = "en", pause_s: float = 0.0) -> SpeechAudio:
    """The whole text (or these sentences of it) as one audio clip (for files, or for a client that
    plays clips): same sentences and normalization as live speech."""
    rate = tts.sample_rate(language)
    parts: list[np.ndarray] = []
    gap = np.zeros(int(pause_s * rate), dtype=np.float32)
    for sentence in split_sentences(text, language) if isinstance(text, str) else text:
        audio = synthesize_sentence(tts, sentence, language)
        if audio is not None:
            parts.extend([audio.samples, gap])
    if not parts:
        return SpeechAudio(np.zeros(0, dtype=np.float32), rate)
    return SpeechAudio(np.concatenate(parts).astype(np.float32), rate)
