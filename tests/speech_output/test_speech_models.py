"""app.wiring.speech: settings -> speech configs, and SpeechModels (one recognizer and one voice per
process, built again only when their settings change). Fake models: no model is loaded here."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from app.paths import app_paths
from app.services import Services
from app.settings import Settings
from app.wiring.speech import SpeechModels
from audio.stt import RecognizerConfig
from audio.tts import NoVoiceError, PiperTts, VoiceConfig

pytestmark = pytest.mark.unit


class FakeRecognizer:
    def __init__(self, config: RecognizerConfig) -> None:
        time.sleep(0.05)  # loading takes a while: concurrent first calls must still build one
        self.config = config
        self.warm_ups = 1 if config.warm_up else 0

    def warm_up(self) -> None:
        self.warm_ups += 1


class Built:
    def __init__(self) -> None:
        self.recognizers: list[FakeRecognizer] = []
        self.voices: list[PiperTts] = []

    def recognizer(self, cfg: RecognizerConfig) -> Any:
        self.recognizers.append(FakeRecognizer(cfg))
        return self.recognizers[-1]

    def voice(self, cfg: VoiceConfig) -> PiperTts:
        self.voices.append(PiperTts(cfg))  # lazy: loads no voice until used
        return self.voices[-1]


def _with(settings: Settings, section: str | None = None, **fields: Any) -> Settings:
    if section is None:
        return settings.model_copy(update=fields)
    part = getattr(settings, section).model_copy(update=fields)
    return settings.model_copy(update={section: part})


@pytest.fixture
def current() -> dict[str, Settings]:
    return {"s": Settings()}


@pytest.fixture
def built() -> Built:
    return Built()


@pytest.fixture
def models(current: dict[str, Settings], built: Built) -> SpeechModels:
    return SpeechModels(lambda: current["s"], app_paths(), recognizer_factory=built.recognizer,
                        voice_factory=built.voice)


def test_one_recognizer_even_for_concurrent_first_calls(models: SpeechModels, built: Built) -> None:
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(models.recognizer())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built.recognizers) == 1
    assert all(r is built.recognizers[0] for r in got)
    assert models.recognizer() is got[0]


def test_recognizer_is_rebuilt_only_when_its_settings_change(
    models: SpeechModels, built: Built, current: dict[str, Settings]
) -> None:
    first = models.recognizer()
    assert models.recognizer_ready()
    current["s"] = _with(current["s"], "stt", mode="hands_free", wake_phrase="hello")  # listener only
    current["s"] = _with(current["s"], "tts", length_scale=1.5)
    assert models.recognizer() is first
    current["s"] = _with(current["s"], language="de")  # recognition is pinned to the app's language
    assert not models.recognizer_ready() and models.recognizer().config.language == "de"
    for change in ({"model": "tiny.en"}, {"language": "en"}, {"hotwords": ["Kubernetes"]}, {"beam_size": 5}):
        before = models.recognizer()
        current["s"] = _with(current["s"], "stt", **change)
        assert not models.recognizer_ready()
        after = models.recognizer()
        assert after is not before and models.recognizer_ready(), change
    assert built.recognizers[-1].config.model == "tiny.en"
    assert built.recognizers[-1].config.language == "en"
    assert len(built.recognizers) == 6


def test_a_cold_recognizer_is_warmed_when_a_caller_wants_it_warm(models: SpeechModels, built: Built) -> None:
    cold = models.recognizer(warm_up=False)  # a one-shot command
    assert cold.warm_ups == 0 and not cold.config.warm_up
    assert models.recognizer() is cold and cold.warm_ups == 1
    assert models.recognizer() is cold and models.recognizer(warm_up=False) is cold and cold.warm_ups == 1
    assert len(built.recognizers) == 1


def test_a_failed_load_is_tried_again(current: dict[str, Settings]) -> None:
    calls: list[RecognizerConfig] = []

    def flaky(cfg: RecognizerConfig) -> Any:
        calls.append(cfg)
        if len(calls) == 1:
            raise ValueError("language 'xx' is not supported by this model")
        return FakeRecognizer(cfg)

    models = SpeechModels(lambda: current["s"], app_paths(), recognizer_factory=flaky)
    with pytest.raises(ValueError, match="not supported"):
        models.recognizer()
    assert not models.recognizer_ready()
    assert models.recognizer() is models.recognizer()
    assert len(calls) == 2


def test_one_voice_rebuilt_only_when_the_tts_settings_change(
    models: SpeechModels, built: Built, current: dict[str, Settings]
) -> None:
    voice = models.voice()
    assert models.voice() is voice
    current["s"] = _with(current["s"], language="de")  # the German voice loads on first use: same synthesizer
    current["s"] = _with(current["s"], "stt", model="tiny.en")
    assert models.voice() is voice
    current["s"] = _with(current["s"], "tts", length_scale=1.3)
    slower = models.voice()
    assert slower is not voice and slower.config.length_scale == 1.3
    assert len(built.voices) == 2
    # no German Piper voice: German is ready at once through the espeak-ng fallback, nothing to load
    assert models.voice_ready("de") and slower.is_fallback("de")
    assert not models.voice_ready("en")  # configured, not loaded yet


def test_rate_override_shares_the_loaded_voices() -> None:
    tts = PiperTts(VoiceConfig(length_scale=1.0, fallback=False), threads=1)
    fast = tts.with_length_scale(0.8)
    assert fast.config.length_scale == 0.8 and tts.config.length_scale == 1.0
    assert fast._voices is tts._voices and fast.threads == 1
    tts._voices["en_US-joe-medium"] = object()  # type: ignore[assignment]  # as if loaded
    assert fast.is_loaded("en") and not fast.is_loaded("de")


def test_forget_drops_both(models: SpeechModels, built: Built) -> None:
    rec, voice = models.recognizer(), models.voice()
    models.forget()
    assert not models.recognizer_ready()
    assert models.recognizer() is not rec and models.voice() is not voice


def test_services_hold_one_speech_models_that_sees_new_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_LANGUAGE", "de")
    monkeypatch.setenv("PA_AUDIO__OUTPUT_DEVICE", "my speaker")
    monkeypatch.setenv("PA_TTS__LENGTH_SCALE", "1.3")
    monkeypatch.setenv("PA_TTS__VOICES", '{"de": "/voices/de_DE-thorsten-medium.onnx"}')
    svc = Services(settings=Settings())
    assert svc.speech is svc.speech
    speaker = svc.speech.speaker()
    assert speaker.language == "de" and speaker.device == "my speaker"
    assert speaker.tts is svc.speech.voice()
    assert speaker.tts.config.length_scale == 1.3
    assert speaker.tts.config.voice_for("de") == "/voices/de_DE-thorsten-medium.onnx"
    with pytest.raises(NoVoiceError, match="is missing"):
        speaker.start()  # German voice configured but not installed: said clearly, before any audio
    svc.settings = _with(svc.settings, "tts", length_scale=0.9)  # as the engine does after a settings change
    assert svc.speech.voice().config.length_scale == 0.9
