"""Bad input gets a clear result or a clear error; no crash, no hang, nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.frames import SAMPLE_RATE, resample
from audio.sources import AudioInputError, read_file
from audio.stt import Recognizer
from tests.speech_input.conftest import wer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "file is empty"), (os.urandom(4000), "not a readable audio file|no audio|corrupt"), (b"hello " * 100, "not a readable audio file|no audio|corrupt")],
)
def test_empty_and_garbage_files_raise_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "bad.mp3"
    p.write_bytes(content)
    with pytest.raises(AudioInputError, match=message) as exc:
        read_file(p)
    assert str(p) in str(exc.value)


@pytest.mark.unit
def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(AudioInputError, match="no such file"):
        read_file(tmp_path / "nope.wav")
    with pytest.raises(AudioInputError, match="folder"):
        read_file(tmp_path)


@pytest.mark.unit
def test_truncated_file_yields_what_decodes(tmp_path: Path, shared_audio: Path) -> None:
    data = (shared_audio / "jfk.flac").read_bytes()
    p = tmp_path / "cut.flac"
    p.write_bytes(data[: len(data) // 2])
    audio = read_file(p)
    full = read_file(shared_audio / "jfk.flac")
    assert 0.3 * len(full) < len(audio) < 0.7 * len(full)
    assert np.allclose(audio[:16000], full[:16000], atol=1e-4)  # the part before the cut is intact


@pytest.mark.slow
@pytest.mark.integration
def test_silence_and_wrong_sample_rates(recognizer: Recognizer, tmp_path: Path, shared_audio: Path, manifest: dict[str, dict[str, str]]) -> None:
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(SAMPLE_RATE * 3, np.float32), SAMPLE_RATE)
    t = recognizer.transcribe(silent)
    assert t.text == "" and t.segments == [] and t.duration == pytest.approx(3.0, abs=0.05)
    noise = tmp_path / "hiss.wav"
    sf.write(noise, np.random.default_rng(1).normal(0, 0.003, SAMPLE_RATE * 3).astype(np.float32), SAMPLE_RATE)
    assert recognizer.transcribe(noise).text == ""

    timit = read_file(shared_audio / "timit_ldc93s1.wav")
    for rate in (8000, 44100):
        p = tmp_path / f"timit_{rate}.wav"
        sf.write(p, resample(timit, SAMPLE_RATE, rate), rate, subtype="PCM_16")
        again = read_file(p)
        assert abs(len(again) - len(timit)) < 400  # same duration after resampling to 16 kHz
        assert wer(manifest["timit_ldc93s1.wav"]["reference"], recognizer.decode(again).text) <= 0.3
    with pytest.raises(AudioInputError, match="1-D float32"):
        recognizer.transcribe(np.zeros((10, 2), np.float32))


@pytest.mark.slow
@pytest.mark.integration
def test_two_hour_file_streams_in_constant_memory(recognizer: Recognizer, tmp_path: Path, shared_audio: Path) -> None:
    """2 h of audio (silence with a sentence near the end) streams through in bounded memory."""
    p = tmp_path / "two_hours.flac"
    speech = read_file(shared_audio / "timit_ldc93s1.wav")
    block = np.zeros(SAMPLE_RATE * 60, np.float32)
    with sf.SoundFile(p, "w", SAMPLE_RATE, 1, format="FLAC") as f:
        for minute in range(120):
            f.write(block)
            if minute == 118:
                f.write(speech)
    page = os.sysconf("SC_PAGE_SIZE")

    def rss() -> int:
        return int(Path("/proc/self/statm").read_text().split()[1]) * page

    before = rss()
    t = recognizer.transcribe(p, word_timestamps=False)
    assert t.duration > 7200
    grown = rss() - before
    assert grown < 150e6, f"memory grew by {grown / 1e6:.0f} MB (the float32 audio alone is 460 MB)"
    assert len(t.segments) == 1 and 7139 < t.segments[0].start < 7145
    assert "greasy" in t.text.lower()


@pytest.mark.slow
@pytest.mark.e2e
def test_cli_transcribe_json_and_errors(models_dir: Path, shared_audio: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PA_STT__MODEL": str(models_dir / "whisper-base")}
    exe = [sys.executable, "-m", "app.cli.main", "transcribe"]
    out = subprocess.run([*exe, str(shared_audio / "timit_ldc93s1.wav"), "--json"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["language"] == "en" and "greasy" in data["text"].lower()
    seg = data["segments"][0]
    assert 0 <= seg["start"] < seg["end"] <= 3.0 and seg["words"][0]["word"]
    plain = subprocess.run([*exe, str(shared_audio / "timit_ldc93s1.wav")], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert plain.returncode == 0 and "greasy" in plain.stdout.lower() and not plain.stdout.startswith("{")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    bad = subprocess.run([*exe, str(empty)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert bad.returncode == 1 and "file is empty" in bad.stderr and "Traceback" not in bad.stderr
