"""Speech parts from the app's settings: the recognizer's and the voice's config, and
:class:`SpeechModels`, the process's one Whisper recognizer and one Piper voice.

The models are big (Whisper base loads and warms up in seconds, a Piper voice in about one) and every
front end of one process (server, window, CLI) can share them: model calls are serialised inside
``Recognizer`` and ``PiperTts``. ``Services.speech`` holds the one :class:`SpeechModels`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.paths import AppPaths
from app.settings import Settings, recognition_language
from audio.events import AudioEvent
from audio.speakable import Language
from audio.speaker import Speaker
from audio.stt import Recognizer, RecognizerConfig
from audio.tts import PiperTts, VoiceConfig

if TYPE_CHECKING:
    from audio.model_manager import ModelManager


def recognizer_config(settings: Settings, paths: AppPaths, **over: Any) -> RecognizerConfig:
    """``settings.stt`` as the recognizer's config (models under ``paths.models_dir``); ``over``
    replaces fields (e.g. ``warm_up=False``)."""
    stt = settings.stt
    fields: dict[str, Any] = {
        "model": stt.model,
        "compute_type": stt.compute_type,
        "language": recognition_language(settings),
        "beam_size": stt.beam_size,
        "hotwords": list(stt.hotwords),
        "models_dir": paths.models_dir,
    }
    return RecognizerConfig(**{**fields, **over})


def voice_config(settings: Settings, paths: AppPaths | None = None) -> VoiceConfig:
    """``settings.tts`` as the voice's config: default voice, a voice per language, speaking rate, the
    voices the model manager installed (under ``paths.models_dir``) and the espeak-ng fallback."""
    tts = settings.tts
    return VoiceConfig(
        default_voice=tts.voice, voices=dict(tts.voices), length_scale=tts.length_scale,
        models_dir=paths.models_dir if paths is not None else None, fallback=tts.fallback,
    )


class SpeechModels:
    """The process's one :class:`Recognizer` and one :class:`PiperTts`, built on first use and built
    again only when the settings they are made from changed (``settings`` is asked each time, so a
    settings reload is seen; callers that still hold the old model keep a working one).

    Thread-safe: concurrent first calls build one model (the others wait for it); the recognizer and
    the voice have separate locks, so loading one does not hold up the other. ``recognizer_factory``
    and ``voice_factory`` are for tests."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        paths: AppPaths,
        *,
        recognizer_factory: Callable[[RecognizerConfig], Recognizer] = Recognizer,
        voice_factory: Callable[[VoiceConfig], PiperTts] = PiperTts,
    ) -> None:
        self._settings = settings
        self.paths = paths
        self._make_recognizer = recognizer_factory
        self._make_voice = voice_factory
        self._rec_lock = threading.Lock()
        self._voice_lock = threading.Lock()
        self._rec: Recognizer | None = None
        self._rec_key: dict[str, Any] | None = None
        self._rec_warm = False
        self._voice: PiperTts | None = None
        self._voice_key: VoiceConfig | None = None

    # -- speech input ------------------------------------------------------------------------------

    def _recognizer_key(self) -> dict[str, Any]:
        return recognizer_config(self._settings(), self.paths).model_dump(exclude={"warm_up"})

    def recognizer(self, *, warm_up: bool = True) -> Recognizer:
        """The recognizer for the current ``settings.stt`` (model, compute type, language, beam size,
        hotwords) and models folder. ``warm_up=False`` skips the warm-up when this call loads the
        model (one-shot commands); a later call with ``warm_up=True`` warms it then. Raises what
        ``Recognizer`` raises (ModelError, ValueError for a language the model does not know)."""
        with self._rec_lock:
            cfg = recognizer_config(self._settings(), self.paths, warm_up=warm_up)
            key = cfg.model_dump(exclude={"warm_up"})
            if self._rec is None or key != self._rec_key:
                self._rec = None  # a failed load leaves nothing stale behind
                self._rec = self._make_recognizer(cfg)
                self._rec_key, self._rec_warm = key, warm_up
            elif warm_up and not self._rec_warm:
                self._rec.warm_up()
                self._rec_warm = True
            return self._rec

    def recognizer_ready(self) -> bool:
        """Whether :meth:`recognizer` returns at once (loaded for the current settings)."""
        with self._rec_lock:
            return self._rec is not None and self._recognizer_key() == self._rec_key

    # -- speech output -----------------------------------------------------------------------------

    def voice(self) -> PiperTts:
        """The Piper synthesizer for the current ``settings.tts`` (voices, speaking rate). Each
        language's voice loads on its first use (``PiperTts.voice``), so a change of the app's
        language needs no new synthesizer."""
        with self._voice_lock:
            cfg = voice_config(self._settings(), self.paths)
            if self._voice is None or cfg != self._voice_key:
                self._voice = self._make_voice(cfg)
                self._voice_key = cfg
            return self._voice

    def voice_ready(self, language: Language | None = None) -> bool:
        """Whether :meth:`voice` is current and ``language``'s voice (default: the app's) is loaded."""
        with self._voice_lock:
            settings = self._settings()
            if self._voice is None or voice_config(settings, self.paths) != self._voice_key:
                return False
            return self._voice.is_loaded(language or settings.language)

    def speaker(self, on_event: Callable[[AudioEvent], None] | None = None) -> Speaker:
        """A :class:`Speaker` with the one voice, on ``settings.audio.output_device``, in the app's
        language (what ``Speaker.from_settings`` did)."""
        settings = self._settings()
        return Speaker(
            self.voice(), device=settings.audio.output_device, language=settings.language, on_event=on_event
        )

    # -----------------------------------------------------------------------------------------------

    def forget(self) -> None:
        """Drop both models; the next call builds them again (holders of the old ones keep them)."""
        with self._rec_lock:
            self._rec, self._rec_key, self._rec_warm = None, None, False
        with self._voice_lock:
            self._voice, self._voice_key = None, None


def model_manager(settings: Settings, paths: AppPaths) -> ModelManager:
    """The model manager for ``settings.models`` (catalogue, mirror) over ``paths.models_dir``."""
    from audio.catalogue import load_catalogue
    from audio.model_manager import ModelManager

    return ModelManager(paths.models_dir, load_catalogue(settings.models.catalogue), settings.models.source_url)
