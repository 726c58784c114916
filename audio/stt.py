"""Speech recognition with faster-whisper (CTranslate2), offline model by default.

:class:`Recognizer` loads the model once and warms it up. Two ways in:

- :meth:`Recognizer.transcribe` for files and arrays: the audio streams through VAD and the
  end-pointer (constant memory for any length); each utterance is transcribed with faster-whisper,
  language detected per utterance unless configured, with segments and word timings.
- :meth:`Recognizer.decode` for live utterances: the fast path. Whisper's encoder normally always
  runs on a 30 s window; here it runs on the utterance plus a short zero pad (the encoder cost falls
  roughly with the window), the language comes from the same encoder pass, and the token budget is
  bounded by the audio length. Output that looks degenerate (repetition loops, hitting the budget)
  is decoded again on the standard 30 s window.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from audio.endpointing import EndpointConfig, EndPointer, UtteranceEnded
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Samples, frames_of
from audio.sources import AudioInputError, channel_count, file_frames
from audio.vad import SileroVad

log = logging.getLogger(__name__)

SILENCE_RMS = 10 ** (-65 / 20)  # frames below -65 dBFS skip the VAD model (digital silence)
WARM_UP_WINDOW_S = 12.0  # the warm-up's first encoder pass (see Recognizer.warm_up)
# numpy's BLAS (OpenBLAS) threads for this process. Each decode's log-mel features end in a small matrix
# product; with OpenBLAS's default of one thread per core its idle threads then spin on both cores for
# a while, and the encoder pass that follows at once ran ~60 ms slower (0.27 s instead of 0.21 s for a
# 4.7 s window; measured). The products here are tiny, so one thread loses nothing.
BLAS_THREADS = 1
MAX_TEXT_TOKENS = 448  # Whisper's decoder positions (prompt and output together)
# languages whose fast decode asks CTranslate2 for prompt + budget, so it writes at most about half the
# budget (see writable): English needs ~2.3 tokens a second of speech (jfk), which fits, and a loop stops
# there early, as before. Others need more (German ~4.6) and get the whole budget in one pass: going on
# from a prefix afterwards decodes the prefix again (~2x the time of one pass on a German sentence).
HALF_BUDGET_LANGUAGES = frozenset({"en"})


class RecognizerConfig(BaseModel):
    model: str = "base"
    compute_type: str = "int8"
    language: str | None = Field(None, description="ISO code; None = detect per utterance")
    languages: list[str] = Field(default_factory=list, description="restrict detection to these")
    beam_size: int = Field(1, ge=1, le=10)
    hotwords: list[str] = Field(default_factory=list)
    cpu_threads: int = Field(0, ge=0, description="0 = all cores")
    models_dir: Path | None = None
    pad_s: float = Field(1.5, ge=0.5, le=10, description="zero pad after speech in the fast path")
    warm_up: bool = True


class Word(BaseModel):
    start: float
    end: float
    word: str
    probability: float


class Segment(BaseModel):
    start: float
    end: float
    text: str
    language: str | None = None
    words: list[Word] = Field(default_factory=list)


class Transcript(BaseModel):
    text: str
    language: str | None = Field(None, description="language of the most speech")
    languages: list[str] = Field(default_factory=list, description="languages in order of appearance")
    duration: float
    segments: list[Segment] = Field(default_factory=list)
    channel: int | None = None


class Decoded(BaseModel):
    text: str
    language: str
    language_probability: float = 1.0
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    fallback: bool = False
    seconds: float = 0.0
    cancelled: bool = False


def _compression_ratio(text: str) -> float:
    b = text.encode("utf-8")
    return len(b) / max(1, len(zlib.compress(b)))


def _looks_degenerate(text: str) -> bool:
    words = text.lower().split()
    if len(words) >= 12 and _compression_ratio(text) > 2.4:
        return True
    grams = [" ".join(words[i : i + 4]) for i in range(max(0, len(words) - 3))]
    return any(grams.count(g) >= 3 for g in set(grams))


def trim_repeat(text: str) -> str:
    """Cut a decode that starts over (``A B C D A B C``, a typical loop on cut-off audio) at the restart."""
    words = text.split()
    norm = [w.lower().strip(".,!?;:") for w in words]
    for i in range(2, len(words) - 1):
        tail = norm[i:]
        if len(tail) >= 2 and norm[: len(tail)] == tail[: len(norm[: len(tail)])] and norm[0] == tail[0]:
            return " ".join(words[:i])
    return text


def writable(prompt_tokens: int, max_length: int) -> int:
    """How many tokens CTranslate2's Whisper ``generate`` writes at most after a prompt of ``prompt_tokens``
    when given ``max_length``: ``min(max_length // 2, max_length - prompt)`` (whisper.cc, as OpenAI's
    reference decoder), not ``max_length - prompt``. The fast path's first pass asks ``prompt + budget``
    and so may write about half its budget (7 tokens a second): room for English (~2.3 tokens a second
    of speech), not for German (~4.6: longer words in more pieces), whose long sentences stopped there
    mid-word ("... mit der Software und ein Geschen"). :meth:`Recognizer.decode` asks for the whole
    budget in languages other than English, and goes on from its words when a decode stopped at the cap."""
    return max(0, min(max_length // 2, max_length - prompt_tokens))


def continuation_length(prompt_tokens: int, budget: int) -> int:
    """The ``max_length`` that lets a decode write ``budget`` tokens in all after a prompt of
    ``prompt_tokens`` (at most Whisper's 448 positions). Tokens given after the prompt as a prefix (the
    words of a decode that goes on) count in them: CTranslate2 forces them and then writes the rest."""
    return min(MAX_TEXT_TOKENS, max(2 * budget, prompt_tokens + budget))


def limit_blas_threads() -> None:
    """Keep numpy's BLAS at :data:`BLAS_THREADS` for the whole process (its spinning threads slow the
    Whisper encoder, which needs both cores)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(BLAS_THREADS, user_api="blas")


class Recognizer:
    """faster-whisper, loaded once. Model calls are serialised (one decode at a time)."""

    def __init__(self, config: RecognizerConfig | None = None) -> None:
        from faster_whisper import WhisperModel

        from audio.models import resolve_whisper_model

        self.config = config or RecognizerConfig()
        limit_blas_threads()
        models_dir = self.config.models_dir or Path.home() / ".cache" / "personal-agent" / "models"
        path = resolve_whisper_model(self.config.model, models_dir)
        self.model = WhisperModel(
            path, device="cpu", compute_type=self.config.compute_type, cpu_threads=self.config.cpu_threads
        )
        self.multilingual = bool(self.model.model.is_multilingual)
        self._lock = threading.Lock()
        self._tokenizers: dict[str, Any] = {}
        self.check_language(self.config.language)
        if self.config.warm_up:
            self.warm_up()

    # ------------------------------------------------------------------------------------- helpers

    def check_language(self, language: str | None) -> None:
        """ValueError unless ``language`` (an ISO code; None = detect) is one this model knows."""
        if language and language not in self.model.supported_languages:
            raise ValueError(f"language '{language}' is not supported by this model")

    def warm_up(self) -> None:
        """One encoder pass on a long window, then one decode of a short tone.

        The long pass matters on this AVX2 CPU (oneDNN's int8 GEMM, measured): until one encoder pass
        has run on a window of more than ~10.6 s, every encoder pass on a shorter one runs on one core
        while the other spins (1.3-1.8x slower here: 0.43 s instead of 0.24 s for a 6.5 s window); after
        it, short windows use both cores for the life of the process (bench/encoder_warmup.py)."""
        t = np.arange(int(WARM_UP_WINDOW_S * SAMPLE_RATE)) / SAMPLE_RATE
        tone = (0.05 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        feats = self.features(tone, WARM_UP_WINDOW_S)
        with self._lock:
            self.model.model.encode(feats, to_cpu=False)
        self.decode(tone[:SAMPLE_RATE], language=self.config.language or "en")

    def features(self, audio: Samples, window_s: float) -> Any:
        """The encoder's input for ``audio`` in a window of ``window_s`` (at most 30 s): log-mel
        features of the audio, zero-padded or cut to the window."""
        import ctranslate2

        n = int(min(30.0, window_s) * SAMPLE_RATE) // 160 * 160
        x = np.zeros(n, np.float32)
        x[: min(n, len(audio))] = audio[:n]
        feats = np.ascontiguousarray(self.model.feature_extractor(x)[None, :, : n // 160])
        return ctranslate2.StorageView.from_array(feats)

    def _tokenizer(self, language: str) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        if language not in self._tokenizers:
            self._tokenizers[language] = Tokenizer(
                self.model.hf_tokenizer, self.multilingual, task="transcribe", language=language
            )
        return self._tokenizers[language]

    @property
    def hotwords(self) -> str | None:
        """The vocabulary as decoder prompt text: the list said twice ("A, B, A, B."). Said once, Whisper
        base wrote "ComfyUI" in 3 of 12 decodes of hotwords.mp3 shifted by 0-220 ms; said twice, in 12."""
        if not self.config.hotwords:
            return None
        words = ", ".join(self.config.hotwords)
        return f"{words}, {words}."

    def _pick_language(self, probs: list[tuple[str, float]]) -> tuple[str, float]:
        allowed = self.config.languages
        for lang, p in probs:
            if not allowed or lang in allowed:
                return lang, p
        return allowed[0], 0.0

    # ----------------------------------------------------------------------------------- fast path

    def decode(
        self,
        audio: Samples,
        language: str | None = None,
        previous_text: str = "",
        cancel: Callable[[], bool] | None = None,
    ) -> Decoded:
        """Text of one short utterance (≤ 30 s) as fast as this model can give it.

        ``cancel`` is asked between the encoder and the decoder pass (and before waiting for the model):
        when it returns True the decode stops early and returns a :class:`Decoded` with ``cancelled``
        set and empty text. Listeners use it to drop an interim decode that a newer one made stale."""
        from faster_whisper.transcribe import get_suppressed_tokens

        t0 = time.perf_counter()
        audio = np.asarray(audio, np.float32)
        secs = len(audio) / SAMPLE_RATE
        if secs > 28.0:
            return self._decode_standard(audio, language, previous_text, t0)
        feats = self.features(audio, secs + self.config.pad_s)
        language = language or self.config.language
        with self._lock:
            if cancel is not None and cancel():
                return Decoded(
                    text="", language=language or "", cancelled=True, seconds=time.perf_counter() - t0
                )
            enc = self.model.model.encode(feats, to_cpu=False)
            if cancel is not None and cancel():
                return Decoded(
                    text="", language=language or "", cancelled=True, seconds=time.perf_counter() - t0
                )
            lang_p = 1.0
            if language is None:
                if self.multilingual:
                    res = self.model.model.detect_language(enc)[0]
                    language, lang_p = self._pick_language([(tok[2:-2], p) for tok, p in res])
                else:
                    language = "en"
            tok = self._tokenizer(language)
            prompt: list[int] = []
            context = " ".join(x for x in (self.hotwords, previous_text.strip()) if x)
            if context:
                prompt = [tok.sot_prev, *tok.encode(" " + context)[-(223 // 2 - 1) :]]
            prompt += [*tok.sot_sequence, tok.no_timestamps]
            budget = int(7 * secs) + 12
            generate = functools.partial(
                self.model.model.generate,
                enc,
                beam_size=self.config.beam_size,
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=True,
                suppress_tokens=get_suppressed_tokens(tok, (-1,)),
            )
            max_length = (
                min(MAX_TEXT_TOKENS, len(prompt) + budget)
                if language in HALF_BUDGET_LANGUAGES
                else continuation_length(len(prompt), budget)
            )
            r = generate([prompt], max_length=max_length)[0]
            ids = [i for i in r.sequences_ids[0] if i < tok.eot]
            first = tok.decode(ids).strip()
            if (
                len(ids) >= writable(len(prompt), max_length) - 1
                and len(ids) < budget - 1
                and trim_repeat(first) == first
                and not _looks_degenerate(first)
            ):
                # stopped by CTranslate2's cap, not at the end of the speech, and no loop: go on from the
                # words so far (they are the prefix; the encoder pass is reused) up to the whole budget
                prefix = [*prompt, *ids]
                more = generate([prefix], max_length=continuation_length(len(prompt), budget))[0]
                out = [i for i in more.sequences_ids[0] if i < tok.eot]
                ids = out if out[: len(ids)] == ids else [*ids, *out]  # the result holds the prefix
        text = trim_repeat(tok.decode(ids).strip())
        avg = float(r.scores[0]) * len(ids) / (len(ids) + 1) if r.scores else 0.0
        nsp = float(r.no_speech_prob)
        if nsp > 0.6 and avg < -1.0:
            text = ""
        elif len(ids) >= budget - 1 or _looks_degenerate(text):
            log.debug("fast decode looked degenerate (%r); using the 30 s window", text[:80])
            return self._decode_standard(audio, language, previous_text, t0)
        return Decoded(
            text=text,
            language=language,
            language_probability=lang_p,
            no_speech_prob=nsp,
            avg_logprob=avg,
            seconds=time.perf_counter() - t0,
        )

    def _decode_standard(
        self, audio: Samples, language: str | None, previous_text: str, t0: float
    ) -> Decoded:
        with self._lock:
            segs, info = self.model.transcribe(
                audio,
                language=language or self.config.language,
                beam_size=self.config.beam_size,
                without_timestamps=True,
                condition_on_previous_text=False,
                initial_prompt=previous_text or None,
                hotwords=self.hotwords,
                vad_filter=False,
            )
            text = " ".join(s.text.strip() for s in segs).strip()
        return Decoded(
            text=text,
            language=info.language,
            language_probability=info.language_probability,
            fallback=True,
            seconds=time.perf_counter() - t0,
        )

    # ------------------------------------------------------------------------------- files, arrays

    def utterances(
        self, frames: Iterable[Samples], endpoint: EndpointConfig | None = None
    ) -> Iterator[UtteranceEnded]:
        """Speech utterances of a frame stream (VAD + end-pointer), in order, in constant memory."""
        vad = SileroVad()
        ep = EndPointer(endpoint or EndpointConfig(trailing_silence_ms=600, max_utterance_s=28.0))
        for frame in frames:
            if float(np.sqrt(np.mean(frame * frame))) < SILENCE_RMS:
                prob = 0.0
                vad.reset()
            else:
                prob = vad(frame)
            for ev in ep.push(frame, prob):
                if isinstance(ev, UtteranceEnded):
                    yield ev
        last = ep.close("stopped")
        if last is not None:
            yield last

    def detect_language(self, audio: Samples) -> tuple[str, float]:
        """Language of a short stretch of speech from one encoder pass on a short window."""
        if not self.multilingual:
            return "en", 1.0
        audio = np.asarray(audio, np.float32)[: 28 * SAMPLE_RATE]
        feats = self.features(audio, len(audio) / SAMPLE_RATE + self.config.pad_s)
        with self._lock:
            enc = self.model.model.encode(feats, to_cpu=False)
            res = self.model.model.detect_language(enc)[0]
        return self._pick_language([(tok[2:-2], p) for tok, p in res])

    def transcribe_utterance(
        self, utt: UtteranceEnded, language: str | None = None, word_timestamps: bool = True
    ) -> list[Segment]:
        """Segments of one utterance; without word timings it takes the fast path."""
        language = language or self.config.language
        if language is None:
            language, _ = self.detect_language(utt.audio)
        dur = len(utt.audio) / SAMPLE_RATE
        if not word_timestamps:
            d = self.decode(utt.audio, language=language)
            if not d.text:
                return []
            return [
                Segment(
                    start=round(utt.start_s, 3),
                    end=round(utt.start_s + dur, 3),
                    text=d.text,
                    language=language,
                )
            ]
        with self._lock:
            segs, info = self.model.transcribe(
                utt.audio,
                language=language,
                beam_size=self.config.beam_size,
                word_timestamps=True,
                condition_on_previous_text=False,
                hotwords=self.hotwords,
                vad_filter=False,
            )
            out: list[Segment] = []
            for s in segs:
                text = s.text.strip()
                if not text:
                    continue
                words = [
                    Word(
                        start=round(utt.start_s + w.start, 3),
                        end=round(utt.start_s + w.end, 3),
                        word=w.word.strip(),
                        probability=round(w.probability, 3),
                    )
                    for w in (s.words or [])
                ]
                out.append(
                    Segment(
                        start=round(utt.start_s + s.start, 3),
                        end=round(utt.start_s + min(s.end, dur), 3),
                        text=text,
                        language=info.language,
                        words=words,
                    )
                )
        return out

    def iter_segments(
        self, frames: Iterable[Samples], language: str | None = None, word_timestamps: bool = True
    ) -> Iterator[Segment]:
        for utt in self.utterances(frames):
            yield from self.transcribe_utterance(utt, language, word_timestamps)

    def transcribe(
        self,
        source: str | Path | Samples,
        language: str | None = None,
        word_timestamps: bool = True,
        channel: int | None = None,
    ) -> Transcript:
        """Transcript of a file (any format PyAV decodes) or a 16 kHz float32 array.

        Raises AudioInputError for files that hold no decodable audio; silence gives empty text."""
        counter = _FrameCounter()
        if isinstance(source, str | Path):
            frames: Iterable[Samples] = counter.wrap(file_frames(source, channel))
        else:
            a = np.asarray(source)
            if a.ndim != 1 or a.dtype != np.float32:
                raise AudioInputError(f"audio arrays must be 1-D float32 at 16 kHz, got {a.dtype} {a.shape}")
            frames = counter.wrap(frames_of(a))
        segments = list(self.iter_segments(frames, language, word_timestamps))
        return _transcript(segments, counter.seconds, channel)

    def transcribe_channels(self, path: str | Path, language: str | None = None) -> list[Transcript]:
        """One transcript per channel (e.g. one speaker per side of a stereo recording)."""
        n = channel_count(path)
        return [self.transcribe(path, language=language, channel=c) for c in range(min(n, 2))]


class _FrameCounter:
    def __init__(self) -> None:
        self.frames = 0

    def wrap(self, frames: Iterable[Samples]) -> Iterator[Samples]:
        for f in frames:
            self.frames += 1
            yield f

    @property
    def seconds(self) -> float:
        return self.frames * FRAME_SAMPLES / SAMPLE_RATE


def _transcript(segments: list[Segment], duration: float, channel: int | None) -> Transcript:
    langs: list[str] = []
    weight: dict[str, float] = {}
    for s in segments:
        if s.language:
            if not langs or langs[-1] != s.language:
                langs.append(s.language)
            weight[s.language] = weight.get(s.language, 0.0) + (s.end - s.start)
    return Transcript(
        text=" ".join(s.text for s in segments).strip(),
        language=max(weight, key=lambda k: weight[k]) if weight else None,
        languages=langs,
        duration=round(duration, 3),
        segments=segments,
        channel=channel,
    )
