"""Whisper encoder speed before and after one pass on a long window (what Recognizer.warm_up does).

Each side runs in a fresh child process (the effect lasts for the life of a process): load the
model, optionally run one encoder pass on a 12 s window, then time encoder passes on the windows the
listener uses for short utterances (speech + 1.5 s pad), on real speech from ../shared/audio. Prints
ONE JSON object: the median seconds per window for each side, and the ratio.

    .venv/bin/python bench/encoder_warmup.py [--compute-type int8] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOWS_S = (2.5, 4.5, 6.5, 8.5)


def child(model_dir: str, compute_type: str, long_first: bool, repeat: int) -> dict[str, float]:
    import ctranslate2
    import numpy as np
    from faster_whisper.feature_extractor import FeatureExtractor

    sys.path.insert(0, str(ROOT))
    from audio.sources import read_file
    from audio.stt import WARM_UP_WINDOW_S

    speech = read_file(ROOT.parent / "shared" / "audio" / "jfk.flac")
    fe = FeatureExtractor()
    model = ctranslate2.models.Whisper(model_dir, device="cpu", compute_type=compute_type)

    def feats(seconds: float) -> object:
        n = int(seconds * 16000) // 160 * 160
        x = np.zeros(n, np.float32)
        x[: min(n, len(speech))] = speech[:n]
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(fe(x)[None, :, : n // 160]))

    if long_first:
        model.encode(feats(WARM_UP_WINDOW_S))
    out = {}
    for w in WINDOWS_S:
        f = feats(w)
        model.encode(f)  # the first pass of a new shape sets it up
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            model.encode(f)
            times.append(time.perf_counter() - t0)
        out[f"{w:g}s"] = round(statistics.median(times), 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compute-type", default="int8")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--models-dir", default=os.environ.get("PA_TEST_MODELS_DIR", "/tmp/pa-bench-models"))
    ap.add_argument("--child", choices=("cold", "warm"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from audio.models import resolve_whisper_model

    model_dir = str(resolve_whisper_model("base", Path(args.models_dir)))
    if args.child:
        print(json.dumps(child(model_dir, args.compute_type, args.child == "warm", args.repeat)))
        return
    sides = {}
    for side in ("cold", "warm"):
        res = subprocess.run([sys.executable, __file__, "--child", side, "--compute-type", args.compute_type,
                              "--repeat", str(args.repeat), "--models-dir", args.models_dir],
                             capture_output=True, text=True, check=True)
        sides[side] = json.loads(res.stdout.strip().splitlines()[-1])
    print(json.dumps({
        "model": f"whisper base {args.compute_type}, CPU, {os.cpu_count()} cores",
        "what": "median encoder seconds per window (speech + zero pad), fresh process each side",
        "cold": sides["cold"],
        "after_one_long_pass": sides["warm"],
        "cold_over_warm": {k: round(sides["cold"][k] / sides["warm"][k], 2) for k in sides["cold"]},
        "load_avg": os.getloadavg(),
    }, indent=2))


if __name__ == "__main__":
    main()
