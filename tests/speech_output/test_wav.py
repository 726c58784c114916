"""audio.wav: the one WAV helper (float samples <-> 16-bit PCM WAV bytes and files)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from audio.wav import HEADER_BYTES, pcm16, pcm16_wav_bytes, read_wav, wav_bytes, wav_writer, write_wav

pytestmark = pytest.mark.unit


def _tone(n: int = 1600, rate: int = 16_000) -> np.ndarray:
    t = np.arange(n) / rate
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def _hand_written(samples: np.ndarray, rate: int, channels: int = 1) -> bytes:
    """What the app's writers did before the helper (the wave module, clip, * 32767, truncate)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def test_mono_pcm16_header_and_same_bytes_as_before() -> None:
    x = _tone()
    data = wav_bytes(x, 16_000)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 16_000, len(x))
        assert w.getcomptype() == "NONE"
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt " and data[36:40] == b"data"
    assert len(data) == HEADER_BYTES + 2 * len(x)  # the plain 44-byte header (clients seek by bytes)
    assert data == _hand_written(x, 16_000)


def test_round_trip_mono_and_stereo(tmp_path: Path) -> None:
    x = _tone()
    back, rate = read_wav(wav_bytes(x, 22_050))
    assert rate == 22_050 and back.dtype == np.float32 and back.shape == x.shape
    assert np.max(np.abs(back - x)) < 2 / 32767
    stereo = np.stack([x, -x], axis=1)
    path = write_wav(tmp_path / "s.wav", stereo, 16_000)
    assert path == tmp_path / "s.wav" and [p.name for p in tmp_path.iterdir()] == ["s.wav"]
    back2, rate2 = read_wav(path)
    assert rate2 == 16_000 and back2.shape == (len(x), 2)
    assert np.max(np.abs(back2 - stereo)) < 2 / 32767
    assert path.read_bytes() == _hand_written(stereo.reshape(-1), 16_000, channels=2)


def test_out_of_range_samples_are_clipped_not_wrapped() -> None:
    x = np.array([0.0, 1.0, 1.5, 40.0, -1.0, -3.0, 0.25], np.float32)
    assert pcm16(x).tolist() == [0, 32767, 32767, 32767, -32767, -32767, 8191]
    back, _ = read_wav(wav_bytes(x, 8000))
    assert back.max() <= 1.0 and back.min() >= -1.0
    assert back[3] > 0.999 and back[5] < -0.999  # loud stays loud (no int16 wrap-around)


def test_empty_audio_is_a_valid_file() -> None:
    data = wav_bytes(np.zeros(0, np.float32), 16_000)
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnframes() == 0 and w.getframerate() == 16_000


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"1-D .* or 2-D"):
        wav_bytes(np.zeros((2, 2, 2), np.float32), 16_000)


def test_streaming_writer_is_atomic(tmp_path: Path) -> None:
    x = _tone()
    target = tmp_path / "long.wav"
    with wav_writer(target, 16_000, channels=2) as out:
        for i in range(0, len(x), 500):
            out.write(np.stack([x[i : i + 500], x[i : i + 500]], axis=1))
        assert not target.exists()  # only complete files appear
    with wave.open(str(target)) as w:
        assert (w.getnchannels(), w.getnframes()) == (2, len(x))
    assert target.read_bytes()[36:40] == b"data"

    failed = tmp_path / "failed.wav"
    with pytest.raises(ValueError, match="channel"), wav_writer(failed, 16_000, channels=2) as out:
        out.write(x)  # mono block into a stereo file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.wav"]  # no half file left


def test_raw_pcm16_wrapper_matches_the_float_helper() -> None:
    x = _tone()
    assert pcm16_wav_bytes(pcm16(x).tobytes(), 16_000) == wav_bytes(x, 16_000)
    stereo = np.stack([x, x / 2], axis=1)
    assert pcm16_wav_bytes(pcm16(stereo).tobytes(), 16_000, channels=2) == wav_bytes(stereo, 16_000)
    with pytest.raises(ValueError, match="whole 16-bit frames"):
        pcm16_wav_bytes(b"\x00\x01\x02", 16_000, channels=2)


def test_the_phone_client_still_imports_no_numpy() -> None:
    import subprocess
    import sys

    code = "import sys, app.engine.remote; print(sorted({'numpy', 'soundfile'} & set(sys.modules)))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, cwd=root)
    assert out.stdout.strip() == "[]"
