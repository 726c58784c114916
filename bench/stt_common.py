"""Shared by bench/stt.py and bench/stt_realtimestt.py (which runs in the separate bench venv):
the clips, their speech ends, WER and percentiles. Needs only numpy, soundfile-free decoding via PyAV."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "audio"
RATE = 16000
LEAD_S, TAIL_S = 0.5, 1.5  # silence fed before and after each clip


def clips() -> list[dict[str, Any]]:
    """(name, reference, 16 kHz audio) for the clips with a reference text."""
    from faster_whisper import decode_audio

    man = {c["file"]: c for c in json.loads((SHARED / "manifest.json").read_text())["clips"]}
    out = []
    for f in ("jfk.flac", "timit_ldc93s1.wav"):
        out.append({"name": f, "reference": man[f]["reference"], "audio": decode_audio(str(SHARED / f))})
    left, right = decode_audio(str(SHARED / "stereo_two_speakers.wav"), split_stereo=True)
    st = man["stereo_two_speakers.wav"]
    out.append({"name": "stereo_left", "reference": st["reference_left"], "audio": left})
    out.append({"name": "stereo_right", "reference": st["reference_right"], "audio": right})
    for c in out:
        a = c["audio"].astype(np.float32)
        c["padded"] = np.concatenate([np.zeros(int(LEAD_S * RATE), np.float32), a, np.zeros(int(TAIL_S * RATE), np.float32)])
        c["speech_end_s"] = LEAD_S + last_voice_s(a)
    return out


def last_voice_s(a: np.ndarray) -> float:
    """End of the last speech in a clip: last 32 ms frame within 30 dB of the loudest."""
    n = len(a) // 512
    rms = np.sqrt((a[: n * 512].reshape(n, 512) ** 2).mean(axis=1)) + 1e-9
    db = 20 * np.log10(rms / rms.max())
    voiced = np.nonzero(db > -30)[0]
    return float((voiced[-1] + 1) * 512 / RATE) if len(voiced) else 0.0


def normalize(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    return " ".join(re.findall(r"[\w']+", t))


def wer(ref: str, hyp: str) -> float:
    r, h = normalize(ref).split(), normalize(hyp).split()
    d = list(range(len(h) + 1))
    for i, rw in enumerate(r, 1):
        prev, d[0] = d[0], i
        for j, hw in enumerate(h, 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (rw != hw))
            prev, d[j] = d[j], cur
    return round(d[len(h)] / max(1, len(r)), 4)


def pct(xs: list[float], q: float) -> float | None:
    return round(float(np.percentile(xs, q)), 3) if xs else None
