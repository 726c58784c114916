"""The cost of encryption at rest on meeting mode, measured interleaved: the pipeline of
``bench/meetings.py`` (its "as fast as possible" pass over ../shared/audio/meeting_two_speakers.wav:
VAD, speaker features, Whisper base int8, FLAC segments, the database, the final diarization) run
``--repeat`` times without and with encryption (SQLCipher database, every segment and manifest sealed),
alternating which goes first, in one process with the model loaded once (a warm-up pass first, not
counted). Prints ONE JSON object: medians and every sample of the real-time factor (wall / audio) and
of the CPU seconds per audio second (all threads), the ratios sealed/plain (target: at most 1.10), and
the load average at the start, at the end and at every sample.

    .venv/bin/python bench/meetings_encryption.py [--repeat 6]"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio.meeting.capture import FileSource
from audio.models import install_whisper_base
from audio.sources import read_file
from audio.stt import Recognizer, RecognizerConfig
from bench.meetings import CLIP, _service
from storage.datakeys import DataKeys


def _one(work: Path, rec: Recognizer, name: str, keys: DataKeys | None, audio_s: float) -> dict[str, float]:
    svc = _service(work, rec, name, keys)
    t = time.perf_counter()
    cpu0 = time.process_time()
    svc.start(f"bench {name}", source=FileSource(CLIP), origin="import")
    svc.wait()
    wall = time.perf_counter() - t
    cpu = time.process_time() - cpu0
    return {"rtf": round(wall / audio_s, 4), "cpu_per_audio_s": round(cpu / audio_s, 4),
            "load_avg_1m": round(os.getloadavg()[0], 2)}


def _median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=6, help="samples per side (medians reported)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    work = Path(tempfile.mkdtemp(prefix="pa-bench-meetings-enc-"))
    models = Path(os.environ.get("PA_TEST_MODELS_DIR") or work / "models")
    install_whisper_base(models)
    rec = Recognizer(RecognizerConfig(models_dir=models, language="en", compute_type="int8"))
    audio_s = len(read_file(CLIP)) / 16_000
    keys = DataKeys.create("kek-bench")
    load0 = os.getloadavg()[0]
    _one(work, rec, "warmup", None, audio_s)
    runs: dict[str, list[dict[str, float]]] = {"plain": [], "sealed": []}
    for i in range(args.repeat):
        for side in (("plain", "sealed") if i % 2 == 0 else ("sealed", "plain")):
            runs[side].append(_one(work, rec, f"{side}-{i}", keys if side == "sealed" else None, audio_s))
    out: dict[str, Any] = {"bench": "meetings-encryption", "audio": CLIP.name, "audio_s": round(audio_s, 2),
                           "model": "whisper base int8 beam 1", "cpu_count": os.cpu_count(), "repeat": args.repeat,
                           "load_avg_1m_at_start": round(load0, 2)}
    for side, rs in runs.items():
        out[side] = {"rtf_median": _median(rs, "rtf"), "cpu_per_audio_s_median": _median(rs, "cpu_per_audio_s"),
                     "samples": rs}
    out["rtf_ratio"] = round(out["sealed"]["rtf_median"] / out["plain"]["rtf_median"], 3)
    out["cpu_ratio"] = round(out["sealed"]["cpu_per_audio_s_median"] / out["plain"]["cpu_per_audio_s_median"], 3)
    out["within_10pct"] = out["rtf_ratio"] <= 1.10 and out["cpu_ratio"] <= 1.10
    out["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
