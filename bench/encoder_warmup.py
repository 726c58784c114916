"""Whisper encoder speed with and without Recognizer.warm_up (whose first step is one encoder pass on
a 12 s window).

Each side runs in a fresh child process (the effect lasts for the life of a process): load the
Recognizer, run its warm-up or not, then time encoder passes on the windows the listener uses for
short utterances (speech + zero pad), on real speech from ../shared/audio. Prints ONE JSON object:
the median seconds per window for each side, and the ratio.

    .venv/bin/python bench/encoder_warmup.py [--repeat 5]
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


def child(models_dir: str, long_first: bool, repeat: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from audio.sources import read_file
    from audio.stt import Recognizer, RecognizerConfig

    speech = read_file(ROOT.parent / "shared" / "audio" / "timit_ldc93s1.wav")
    rec = Recognizer(RecognizerConfig(models_dir=Path(models_dir), warm_up=False))
    if long_first:
        rec.warm_up()  # what the product does at load
    model = rec.model.model
    out = {}
    for w in WINDOWS_S:
        f = rec.features(speech, w)  # speech, then zeros (as decode pads)
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
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--models-dir", default=os.environ.get("PA_TEST_MODELS_DIR", "/tmp/pa-bench-models"))
    ap.add_argument("--child", choices=("cold", "warm"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.models_dir, args.child == "warm", args.repeat)))
        return
    sides = {}
    for side in ("cold", "warm"):
        res = subprocess.run([sys.executable, __file__, "--child", side, "--repeat", str(args.repeat),
                              "--models-dir", args.models_dir],
                             capture_output=True, text=True, check=True)
        sides[side] = json.loads(res.stdout.strip().splitlines()[-1])
    print(json.dumps({
        "model": f"whisper base int8 (Recognizer defaults), CPU, {os.cpu_count()} cores",
        "what": "median encoder seconds per window (timit speech + zero pad), fresh process each side:"
                " cold = no warm-up, after_one_long_pass = Recognizer.warm_up() first",
        "cold": sides["cold"],
        "after_one_long_pass": sides["warm"],
        "cold_over_warm": {k: round(sides["cold"][k] / sides["warm"][k], 2) for k in sides["cold"]},
        "load_avg": os.getloadavg(),
    }, indent=2))


if __name__ == "__main__":
    main()
