"""Speech stages of audio turns, shared by all users: the recognizer and the voice load once, on
first use, and are reused (model calls are serialised inside them)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from app.server.file_cache import DAY_S, FileCache
from app.services import Services
from audio.speakable import Language, make_speakable
from audio.stt import Recognizer, RecognizerConfig, Transcript
from audio.tts import PiperTts, SpeechAudio, VoiceConfig
from audio.wav import write_wav


class SpeechStages:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._recognizer: Recognizer | None = None
        self._tts: PiperTts | None = None
        self._lock = threading.Lock()

    @property
    def recognizer(self) -> Recognizer:
        with self._lock:
            if self._recognizer is None:
                s = self.services.settings
                self._recognizer = Recognizer(RecognizerConfig.from_settings(s.stt, self.services.paths.models_dir))
            return self._recognizer

    @property
    def tts(self) -> PiperTts:
        with self._lock:
            if self._tts is None:
                self._tts = PiperTts(VoiceConfig.from_settings(self.services.settings.tts))
            return self._tts

    def transcribe(self, path: Path, language: str | None) -> Transcript:
        """AudioInputError for files that hold no decodable audio; silence gives empty text."""
        return self.recognizer.transcribe(path, language=language, word_timestamps=False)

    def synthesize(self, text: str, language: str) -> SpeechAudio:
        """NoVoiceError when no voice speaks the language; ValueError for unsupported languages."""
        lang: Language = "de" if language == "de" else "en"
        return self.tts.synthesize(make_speakable(text, lang), lang)



class AudioStore:
    """WAV files the server made (spoken replies), by random id, under ``<data>/server/audio``."""

    def __init__(self, root: Path, max_age_s: float = DAY_S) -> None:
        self.root = root
        self.cache = FileCache(root, max_age_s)  # replies not fetched for a day are deleted

    def save(self, audio: SpeechAudio) -> tuple[str, Path]:
        self.cache.maybe_sweep()
        self.root.mkdir(parents=True, exist_ok=True)
        audio_id = uuid.uuid4().hex
        path = write_wav(self.root / f"{audio_id}.wav", audio.samples, audio.sample_rate)
        return audio_id, path

    def path(self, audio_id: str) -> Path | None:
        if len(audio_id) != 32 or not all(c in "0123456789abcdef" for c in audio_id):
            return None
        p = self.root / f"{audio_id}.wav"
        if not p.is_file():
            return None
        self.cache.used(p)
        return p
