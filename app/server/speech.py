"""Speech stages of audio turns, shared by all users: the process's one recognizer and voice
(``Services.speech``), loaded on first use and reused (model calls are serialised inside them)."""

from __future__ import annotations

import uuid
from pathlib import Path

from app.server.file_cache import DAY_S, FileCache
from app.services import Services
from audio.speakable import Language, make_speakable
from audio.stt import Recognizer, Transcript
from audio.tts import PiperTts, SpeechAudio
from audio.wav import wav_bytes, write_wav
from storage.datakeys import DataKeys
from storage.sealed_file import write_sealed_file


class SpeechStages:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def recognizer(self) -> Recognizer:
        return self.services.speech.recognizer()

    @property
    def tts(self) -> PiperTts:
        return self.services.speech.voice()

    def transcribe(self, path: Path, language: str | None) -> Transcript:
        """AudioInputError for files that hold no decodable audio; silence gives empty text."""
        return self.recognizer.transcribe(path, language=language, word_timestamps=False)

    def synthesize(self, text: str, language: str) -> SpeechAudio:
        """NoVoiceError when no voice speaks the language; ValueError for unsupported languages."""
        lang: Language = "de" if language == "de" else "en"
        return self.tts.synthesize(make_speakable(text, lang), lang)



class AudioStore:
    """WAV files the server made (spoken replies), by random id, under ``<data>/server/audio``; sealed
    when encryption at rest is on (``keys``): a reply can hold what was read from a mail or the bank."""

    def __init__(self, root: Path, max_age_s: float = DAY_S, keys: DataKeys | None = None) -> None:
        self.root = root
        self.keys = keys
        self.cache = FileCache(root, max_age_s)  # replies not fetched for a day are deleted

    def save(self, audio: SpeechAudio) -> tuple[str, Path]:
        self.cache.maybe_sweep()
        self.root.mkdir(parents=True, exist_ok=True)
        audio_id = uuid.uuid4().hex
        target = self.root / f"{audio_id}.wav"
        if self.keys is not None:
            path = write_sealed_file(target, [wav_bytes(audio.samples, audio.sample_rate)], self.keys.current,
                                     self.keys.key(self.keys.current))
        else:
            path = write_wav(target, audio.samples, audio.sample_rate)
        return audio_id, path

    def path(self, audio_id: str) -> Path | None:
        if len(audio_id) != 32 or not all(c in "0123456789abcdef" for c in audio_id):
            return None
        p = self.root / f"{audio_id}.wav"
        if not p.is_file():
            return None
        self.cache.used(p)
        return p
