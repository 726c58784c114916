"""Piper text-to-speech: one voice per language, loaded lazily, offline.

The English default is the bundled en_US-joe-medium (``audio.models.piper_voice_files``). A language's
voice is the one configured for it (``VoiceConfig.voices``), else the default voice when it speaks the
language, else a voice the model manager installed for it (catalogue order: de_DE-thorsten-medium
first). Without any, :class:`PiperTts` speaks that language with espeak-ng (``audio.espeak``, the
fallback, when installed) and :meth:`PiperTts.is_fallback` says so; with neither,
:class:`NoVoiceError` says clearly what to install.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from audio import espeak
from audio.models import ModelError, installed_voices, piper_voice_files
from audio.speakable import Language, strip_controls
from audio.wav import pcm16
from audio.wav import write_wav as write_wav_file

if TYPE_CHECKING:
    from piper import PiperVoice

DEFAULT_VOICE = "en_US-joe-medium"
LANGUAGE_NAMES = {"en": "English", "de": "German"}

Audio = npt.NDArray[np.float32]


class TtsError(Exception):
    """Speech could not be synthesized; the message says why and what to do."""


class NoVoiceError(TtsError):
    """No Piper voice is configured or installed for a language."""


@dataclass(frozen=True)
class SpeechAudio:
    """Mono float32 samples in [-1, 1] at ``sample_rate``."""

    samples: Audio
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def int16(self) -> npt.NDArray[np.int16]:
        return pcm16(self.samples)


def check_wav_path(path: Path) -> Path:
    """TtsError unless ``path`` can become a WAV file (check before spending time on synthesis)."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".wav":
        raise TtsError(f"output file must end in .wav: {path}")
    if not path.parent.is_dir():
        raise TtsError(f"output folder does not exist: {path.parent}")
    if path.is_dir():
        raise TtsError(f"output path is a folder: {path}")
    return path


def write_wav(path: Path, audio: SpeechAudio) -> Path:
    """Write 16-bit mono PCM WAV; atomically, so a failure leaves no half file."""
    return write_wav_file(check_wav_path(path), audio.samples, audio.sample_rate)


@dataclass
class VoiceConfig:
    """Which voice speaks which language, and how fast."""

    default_voice: str = DEFAULT_VOICE
    voices: dict[str, str] = field(default_factory=dict)
    length_scale: float = 1.0
    models_dir: Path | None = None  # where the model manager installs voices
    fallback: bool = True  # espeak-ng for a language without a Piper voice

    def voice_for(self, language: str) -> str:
        if language in self.voices:
            return self.voices[language]
        if _voice_language(self.default_voice) in (language, None):
            return self.default_voice
        installed = [v for v in installed_voices(self.models_dir) if _voice_language(v) == language]
        if installed:
            return min(installed, key=_preference)
        name = LANGUAGE_NAMES.get(language, language)
        raise NoVoiceError(
            f"no Piper voice for {name} ({language}): install one in Voices & models"
            f" (for example {SUGGESTED_VOICES.get(language, 'a ' + name + ' voice')})"
        )


SUGGESTED_VOICES = {"de": "de_DE-thorsten-medium", "en": "en_US-joe-medium"}


@functools.cache
def _catalogue_order() -> tuple[str, ...]:
    from audio.catalogue import CatalogueError, load_catalogue

    try:
        return tuple(e.id for e in load_catalogue().entries)
    except CatalogueError:
        return ()


def _preference(voice: str) -> tuple[int, str]:
    """Installed voices in the catalogue's order (its first voice of a language is the suggested one)."""
    order = _catalogue_order()
    return (order.index(voice) if voice in order else len(order), voice)


def _voice_language(voice: str) -> str | None:
    """'en' for 'en_US-joe-medium' or '/x/en_GB-alan-low.onnx'; None when the name says nothing."""
    stem = Path(voice).name.split("-")[0]
    lang = stem.split("_")[0].lower()
    return lang if len(lang) == 2 and lang.isalpha() else None


def default_threads() -> int:
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else min(4, cores // 2)


class PiperTts:
    """Synthesizes text with Piper, one voice per language, voices loaded on first use."""

    def __init__(self, config: VoiceConfig | None = None, threads: int | None = None) -> None:
        """``threads``: ONNX intra-op threads; default leaves a core free for speech input on small
        machines (on 2 busy cores one thread synthesized faster than two)."""
        self.config = config or VoiceConfig()
        self.threads = threads or default_threads()
        self._voices: dict[str, PiperVoice] = {}
        self._lock = threading.Lock()

    def with_length_scale(self, length_scale: float) -> PiperTts:
        """The same voices (loaded once, shared with this one) at another speaking rate."""
        other = PiperTts(replace(self.config, length_scale=length_scale), self.threads)
        other._voices, other._lock = self._voices, self._lock
        return other

    def is_loaded(self, language: Language = "en") -> bool:
        """Whether ``language``'s voice is loaded (the fallback counts; False when there is none)."""
        try:
            name = self.config.voice_for(language)
        except NoVoiceError:
            return self.is_fallback(language)
        with self._lock:
            return name in self._voices

    def is_fallback(self, language: Language = "en") -> bool:
        """Whether ``language`` is spoken by espeak-ng because no Piper voice speaks it."""
        try:
            self.config.voice_for(language)
        except NoVoiceError:
            return self.config.fallback and espeak.espeak_available()
        return False

    def prepare(self, language: Language = "en") -> None:
        """Load ``language``'s Piper voice, or accept the espeak-ng fallback; NoVoiceError with neither."""
        if not self.is_fallback(language):
            self.voice(language)

    def voice(self, language: Language = "en") -> PiperVoice:
        name = self.config.voice_for(language)
        with self._lock:
            if name not in self._voices:
                self._voices[name] = self._load(name)
            return self._voices[name]

    def _load(self, name: str) -> PiperVoice:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        try:
            onnx, cfg = piper_voice_files(name, self.config.models_dir)
        except ModelError as exc:
            raise NoVoiceError(str(exc)) from None
        try:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(
                str(onnx), sess_options=options, providers=["CPUExecutionProvider"]
            )
            config = PiperConfig.from_dict(json.loads(Path(cfg).read_text(encoding="utf-8")))
            voice = PiperVoice(session=session, config=config)
        except Exception as exc:  # broken model file or config
            raise TtsError(f"Piper voice {onnx} could not be loaded: {exc}") from exc
        # the first run of an ONNX session is slow: pay it at load time, not at the first reply
        for _ in voice.synthesize("Ready."):
            pass
        return voice

    def sample_rate(self, language: Language = "en") -> int:
        if self.is_fallback(language):
            return espeak.RATE
        return int(self.voice(language).config.sample_rate)

    def synthesize_stream(
        self, speakable_text: str, language: Language = "en", cancel: Cancel | None = None
    ) -> Iterator[SpeechAudio]:
        """Audio per sentence of already-speakable text (see ``audio.speakable``). With ``cancel``,
        :meth:`Cancel.cancel` ends a running synthesis within milliseconds (SynthesisCancelled)."""
        speakable_text = strip_controls(speakable_text)
        if not speakable_text.strip():
            return
        if self.is_fallback(language):
            yield self._espeak(speakable_text, language, cancel)
            return
        voice = self.voice(language)
        for phonemes in voice.phonemize(speakable_text):
            if not phonemes:
                continue
            ids = voice.phonemes_to_ids(phonemes)
            audio = self._run(voice, ids, cancel)
            peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
            audio = audio / peak if peak > 1e-8 else np.zeros_like(audio)  # as Piper: normalized
            yield SpeechAudio(np.clip(audio, -1.0, 1.0).astype(np.float32), int(voice.config.sample_rate))

    def _espeak(self, text: str, language: Language, cancel: Cancel | None) -> SpeechAudio:
        if cancel is not None and cancel.cancelled:
            raise SynthesisCancelled("synthesis stopped")
        try:
            samples, rate = espeak.synthesize(text, language, self.config.length_scale)
        except espeak.EspeakError as exc:
            raise TtsError(str(exc)) from None
        if cancel is not None and cancel.cancelled:
            raise SynthesisCancelled("synthesis stopped")
        if samples.ndim > 1:
            samples = samples.mean(axis=1)
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        samples = samples / peak if peak > 1e-8 else samples
        return SpeechAudio(np.clip(samples, -1.0, 1.0).astype(np.float32), rate)

    def _run(self, voice: PiperVoice, ids: list[int], cancel: Cancel | None) -> Audio:
        """Piper's model call (as PiperVoice.phoneme_ids_to_audio) with onnxruntime RunOptions, so a
        stop can terminate it."""
        import onnxruntime

        cfg = voice.config
        args: dict[str, npt.NDArray[Any]] = {
            "input": np.expand_dims(np.array(ids, dtype=np.int64), 0),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array(
                [cfg.noise_scale, self.config.length_scale * cfg.length_scale, cfg.noise_w_scale],
                dtype=np.float32,
            ),
        }
        if cfg.num_speakers > 1:
            args["sid"] = np.array([cfg.default_speaker_id], dtype=np.int64)
        options = onnxruntime.RunOptions()
        if cancel is not None:
            cancel.register(options)
        try:
            result = voice.session.run(None, args, run_options=options)
        except Exception as exc:
            if cancel is not None and cancel.cancelled:
                raise SynthesisCancelled("synthesis stopped") from None
            raise TtsError(f"Piper synthesis failed: {exc}") from exc
        finally:
            if cancel is not None:
                cancel.unregister(options)
        return np.asarray(result[0], dtype=np.float32).squeeze()

    def synthesize(
        self, speakable_text: str, language: Language = "en", cancel: Cancel | None = None
    ) -> SpeechAudio:
        """All audio of the text at once (plain Piper: no playback before the end)."""
        parts = list(self.synthesize_stream(speakable_text, language, cancel))
        rate = parts[0].sample_rate if parts else self.sample_rate(language)
        if not parts:
            return SpeechAudio(np.zeros(0, dtype=np.float32), rate)
        return SpeechAudio(np.concatenate([p.samples for p in parts]), rate)


class SynthesisCancelled(TtsError):
    """The synthesis was stopped on purpose (the reply was interrupted)."""


class Cancel:
    """Cancels the syntheses started with it, including one that is running right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[Any] = []
        self.cancelled = False

    def register(self, options: Any) -> None:
        with self._lock:
            if self.cancelled:
                options.terminate = True
            self._active.append(options)

    def unregister(self, options: Any) -> None:
        with self._lock:
            if options in self._active:
                self._active.remove(options)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            for options in self._active:
                options.terminate = True


@dataclass(frozen=True)
class SynthesisTiming:
    seconds: float
    audio_s: float

    @property
    def real_time_factor(self) -> float:
        return self.seconds / self.audio_s if self.audio_s else 0.0


def timed_synthesis(
    tts: PiperTts, text: str, language: Language = "en"
) -> tuple[SpeechAudio, SynthesisTiming]:
    t0 = time.perf_counter()
    audio = tts.synthesize(text, language)
    return audio, SynthesisTiming(time.perf_counter() - t0, audio.duration_s)
