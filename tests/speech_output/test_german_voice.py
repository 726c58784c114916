"""German replies get a German voice: an installed one (found by the model manager's layout) per reply
by language, else espeak-ng's German voice as a marked fallback with a one-time German hint; never silence."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from audio.models import piper_voice_files
from audio.speaker import render
from audio.tts import NoVoiceError, PiperTts, VoiceConfig
from audio.virtual_output import JackDummyOutput
from audio.wav import read_wav

GERMAN = "Guten Morgen. Dein nächster Termin ist heute um zehn Uhr dreißig im kleinen Besprechungsraum."


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0


def _install_test_voice(models: Path, name: str = "de_DE-testvoice-medium") -> str:
    """A German voice where the model manager puts one (the bundled joe files under a German name)."""
    onnx, cfg = piper_voice_files("en_US-joe-medium")
    d = models / "voices" / name
    d.mkdir(parents=True)
    (d / f"{name}.onnx").symlink_to(onnx)
    (d / f"{name}.onnx.json").symlink_to(cfg)
    return name


def test_without_a_german_voice_german_is_spoken_by_espeak(tmp_path: Path) -> None:
    tts = PiperTts(VoiceConfig(models_dir=tmp_path / "models"), threads=1)
    assert tts.is_fallback("de") and not tts.is_fallback("en")
    audio = render(tts, GERMAN, "de")
    assert audio.duration_s > 3 and _rms(audio.samples) > 0.05  # real speech, not silence


def test_fallback_off_is_a_clear_error(tmp_path: Path) -> None:
    tts = PiperTts(VoiceConfig(models_dir=tmp_path, fallback=False), threads=1)
    assert not tts.is_fallback("de")
    with pytest.raises(NoVoiceError, match=r"install one in Voices & models \(for example de_DE-thorsten-medium\)"):
        tts.prepare("de")


def test_an_installed_german_voice_is_used_for_german_replies(tmp_path: Path) -> None:
    models = tmp_path / "models"
    name = _install_test_voice(models)
    cfg = VoiceConfig(models_dir=models)
    assert cfg.voice_for("de") == name and cfg.voice_for("en") == "en_US-joe-medium"
    tts = PiperTts(cfg, threads=1)
    assert not tts.is_fallback("de")
    audio = render(tts, "Guten Morgen.", "de")
    assert audio.sample_rate == 22_050 and _rms(audio.samples) > 0.05
    assert tts.is_loaded("de")


def test_say_german_writes_speech_and_plays_it(tmp_path: Path, virtual_output: JackDummyOutput) -> None:
    out = tmp_path / "de.wav"
    r = CliRunner().invoke(cli, ["say", GERMAN, "-l", "de", "-o", str(out)])
    assert r.exit_code == 0, r.output
    samples, rate = read_wav(out)
    assert rate == 22_050 and len(samples) / rate > 3 and _rms(samples) > 0.05
    r = CliRunner().invoke(cli, ["say", "Hallo, hier spricht die Ersatzstimme.", "-l", "de",
                                 "--device", str(virtual_output.device_index())])
    # German text: the CLI answers in German too (agents/phrasebook.py)
    assert r.exit_code == 0 and "2 Satz/Sätze gesprochen" in r.output and "auf system" in r.output, r.output
    assert "Ersatzstimme espeak-ng" in r.output  # said, not hidden


def test_the_app_picks_up_a_voice_installed_in_its_data_dir(pa_home: Path) -> None:
    from app.services import build_services

    sv = build_services()
    assert sv.speech.voice().is_fallback("de")
    _install_test_voice(sv.paths.models_dir)
    assert not sv.speech.voice().is_fallback("de")  # no restart needed


@pytest.mark.slow
def test_engine_says_once_in_german_that_a_fallback_speaks(pa_home: Path) -> None:
    from app.engine.local import LocalEngine
    from app.services import build_services

    engine = LocalEngine(build_services(), speech_output="client", preload=False)
    events: list[Any] = []
    engine.subscribe(events.append)

    async def two_replies() -> None:
        await engine.voice.speak_reply("Guten Morgen.", "t1", "de")
        await engine.voice.speak_reply("Bis später.", "t2", "de")
        await engine.voice.speak_reply("See you later.", "t3", "en")

    asyncio.run(two_replies())
    notices = [e for e in events if e.kind == "notice"]
    assert len(notices) == 1 and "keine deutsche Stimme" in notices[0].message
    assert "Stimmen & Modelle" in notices[0].message
    # the offer beside it: the German voice of the catalogue, the button's text in German
    assert (notices[0].action, notices[0].model_id) == ("install_model", "de_DE-thorsten-medium")
    assert notices[0].action_label == "Deutsche Stimme installieren"
    for n in notices:  # no shell command, no setting's key in what the user reads
        assert not any(w in n.message for w in ("python", "pip ", "PA_", "personal-agent", "tts."))
    clips = [e.clip for e in events if e.kind == "speech_audio"]
    assert len(clips) == 3
    for clip in clips:
        samples, _ = read_wav(clip.wav)
        assert _rms(samples) > 0.05


def test_doctor_marks_the_fallback(pa_home: Path) -> None:
    from app.doctor import _voices_per_language
    from app.services import build_services

    sv = build_services()
    lines = [c.line() for c in _voices_per_language(sv)]
    assert lines[0].startswith("[OK  ] voice en: en_US-joe-medium")
    assert lines[1].startswith("[WARN] voice de: fallback: German is spoken by espeak-ng")
    _install_test_voice(sv.paths.models_dir)
    assert _voices_per_language(sv)[1].line() == "[OK  ] voice de: de_DE-testvoice-medium"


def test_settings_show_the_fallback(pa_home: Path) -> None:
    from app.engine.local import LocalEngine
    from app.services import build_services

    sv = build_services()
    engine = LocalEngine(sv, speech_output="client", preload=False, alarms=False)
    out = asyncio.run(engine.info()).feature("speech_out")
    assert out.available and "German: espeak-ng (fallback)" in out.detail
    _install_test_voice(sv.paths.models_dir)
    assert "German: de_DE-testvoice-medium" in asyncio.run(engine.info()).feature("speech_out").detail
