"""Model manager benchmark: install a voice (63 MB, the bundled joe files under a German name) from a
model host on loopback, fresh and resumed after a dropped connection; verify; the espeak-ng fallback's
German synthesis time.

    .venv/bin/python bench/models.py [--repeat 3]

The voice is described as the committed catalogue describes Piper voices: exact sizes and the published
MD5 (its SHA-256 recorded at install).

Prints ONE JSON object. Targets (2 cores): a fresh 63 MB install (download + size, MD5 and SHA-256 + atomic move)
<= 3 s on loopback, so the manager adds little to the network's own time; a resume after a drop at half
way resumes within 1 MiB of the drop point (bytes in flight when the connection died are fetched again); the fallback voice's first audio for a
German sentence <= 0.5 s. The load average is reported since other processes slow everything down."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audio.catalogue import load_catalogue
from audio.downloads import digests_of
from audio.model_manager import ModelManager
from audio.models import piper_voice_files
from tests.servers.model_host import Fault, model_host

VOICE = "de_DE-benchvoice-medium"
ONNX = f"de/de_DE/benchvoice/medium/{VOICE}.onnx"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-models-"))
    root = tmp / "host"
    onnx, cfg = piper_voice_files("en_US-joe-medium")
    (root / "piper-voices" / ONNX).parent.mkdir(parents=True)
    (root / "piper-voices" / ONNX).symlink_to(onnx)
    (root / "piper-voices" / (ONNX + ".json")).symlink_to(cfg)
    size = onnx.stat().st_size
    cat = {"repos": {"piper-voices": "unused"}, "entries": [{
        "id": VOICE, "kind": "voice", "languages": ["de"], "size_mb": 63, "quality": "medium", "license": "CC0",
        "speed": {"rtf": 0.04, "how": "measured"},
        "files": [{"repo": "piper-voices", "path": ONNX, "md5": digests_of(onnx)[1], "size": size},
                  {"repo": "piper-voices", "path": ONNX + ".json", "md5": digests_of(cfg)[1],
                   "size": cfg.stat().st_size}]}]}
    (tmp / "catalogue.json").write_text(json.dumps(cat))
    fresh, resumed, verify, extra = [], [], [], []
    with model_host(root) as host:
        for i in range(args.repeat):
            m = ModelManager(tmp / f"models{i}", load_catalogue(tmp / "catalogue.json"), host.url)
            t0 = time.perf_counter()
            m.install(VOICE)
            fresh.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assert all(c.ok for c in m.verify(VOICE))
            verify.append(time.perf_counter() - t0)
            m.remove(VOICE)
            host.faults[f"piper-voices/{ONNX}"] = Fault(drop_after=size // 2)
            host.log.clear()
            t0 = time.perf_counter()
            m.install(VOICE)
            resumed.append(time.perf_counter() - t0)
            start = int((host.log[1][1] or "bytes=0-").removeprefix("bytes=").rstrip("-"))
            extra.append(abs(size // 2 - start))  # distance of the resume point from the drop point
            m.remove(VOICE)
    from audio.speaker import render
    from audio.tts import PiperTts, VoiceConfig

    tts = PiperTts(VoiceConfig(models_dir=tmp / "none"), threads=1)
    fallback = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        audio = render(tts, "Guten Morgen. Dein nächster Termin ist heute um zehn Uhr dreißig.", "de")
        fallback.append(time.perf_counter() - t0)
    shutil.rmtree(tmp, ignore_errors=True)
    med = statistics.median
    print(json.dumps({
        "voice_mb": round(size / 1e6, 1),
        "install_fresh_s": round(med(fresh), 3), "install_fresh_MBps": round(size / 1e6 / med(fresh), 1),
        "install_resumed_after_drop_s": round(med(resumed), 3),
        "resume_from_drop_bytes_max": max(extra),
        "verify_s": round(med(verify), 3),
        "fallback_de_render_s": round(med(fallback), 3), "fallback_de_audio_s": round(audio.duration_s, 2),
        "targets": {"install_fresh_s": 3.0, "resume_from_drop_bytes_max": 1 << 20, "fallback_de_render_s": 0.5},
        "met": {"install_fresh_s": med(fresh) <= 3.0, "resume": max(extra) <= 1 << 20,
                "fallback_de_render_s": med(fallback) <= 0.5},
        "repeat": args.repeat, "loadavg": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
