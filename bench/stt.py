"""Speech-input benchmark: `.venv/bin/python bench/stt.py [--repeat N] [--skip-realtimestt]`.

Feeds each reference clip in real time (32 ms frames, 0.5 s silence before, 1.5 s after) and prints ONE
JSON object: end-of-speech → final-text latency (p50, p95), real-time factor and WER per clip for
 - this project's Listener in push-to-talk (release 0.2 s after the speech ends; latency from release)
   and hands-free (latency from the end-point, i.e. after the trailing silence, and from the speech end),
 - plain batch faster-whisper (the whole clip after it ends: latency = the call's duration),
 - RealtimeSTT from PyPI, run by bench/stt_realtimestt.py in /work/bench-venv (torch lives only there);
   reported as unavailable, with the reason, when that venv or its packages are missing.
All use Whisper base int8 on the CPU, beam 1. The machine's load average is included: these cores are
shared, so absolute numbers move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.stt_common import RATE, clips, pct, wer

BENCH_VENV = Path(os.environ.get("PA_BENCH_VENV", "/work/bench-venv"))
FRAME = 512


def run_listener(rec: Any, clip: dict[str, Any], mode: str) -> dict[str, Any]:
    from audio.events import AudioEvent, FinalTranscript, SpeechEnded
    from audio.listener import Listener, ListenerConfig

    lock = threading.Lock()
    log: list[tuple[float, AudioEvent]] = []

    def on_event(e: AudioEvent) -> None:
        with lock:
            log.append((time.monotonic(), e))

    listener = Listener(rec, ListenerConfig(mode=mode, wake_phrase=""), on_event=on_event)  # type: ignore[arg-type]
    audio = clip["padded"]
    release_at = clip["speech_end_s"] + 0.2
    if mode == "push_to_talk":
        listener.press()
    t0 = time.monotonic()
    released = None
    for i in range(len(audio) // FRAME):
        target = t0 + (i + 1) * FRAME / RATE
        d = target - time.monotonic()
        if d > 0:
            time.sleep(d)
        listener.feed(audio[i * FRAME : (i + 1) * FRAME])
        if mode == "push_to_talk" and released is None and (i + 1) * FRAME / RATE >= release_at:
            released = time.monotonic()
            listener.release()
    listener.wait_idle(120)
    listener.close()
    finals = [(t, e) for t, e in log if isinstance(e, FinalTranscript)]
    ends = [t for t, e in log if isinstance(e, SpeechEnded)]
    text = " ".join(e.text for _, e in finals)
    out: dict[str, Any] = {"wer": wer(clip["reference"], text), "text": text}
    speech_end_wall = t0 + clip["speech_end_s"]
    if mode == "push_to_talk" and finals and released is not None:
        out["latency_s"] = round(finals[-1][0] - released, 3)
    elif finals:
        out["latency_s"] = round(max(0.0, finals[-1][0] - ends[-1]), 3) if ends else None
        out["latency_from_speech_end_s"] = round(finals[-1][0] - speech_end_wall, 3)
        out["utterance_latencies_s"] = [round(e.latency_s, 3) for _, e in finals]
    return out


def run_batch(model: Any, clip: dict[str, Any]) -> dict[str, Any]:
    t = time.perf_counter()
    segs, _ = model.transcribe(clip["audio"], beam_size=1)
    text = " ".join(s.text for s in segs)
    dt = time.perf_counter() - t
    return {"wer": wer(clip["reference"], text), "text": text.strip(), "latency_s": round(dt, 3), "rtf": round(dt / (len(clip["audio"]) / RATE), 3)}


def run_realtimestt(model_dir: str, skip: bool) -> dict[str, Any]:
    py = BENCH_VENV / "bin" / "python"
    if skip:
        return {"available": False, "why": "skipped (--skip-realtimestt)"}
    if not py.exists():
        return {"available": False, "why": f"{py} missing: create the bench venv (README, Benchmarks)"}
    script = Path(__file__).with_name("stt_realtimestt.py")
    try:
        p = subprocess.run([str(py), str(script), model_dir], capture_output=True, text=True, timeout=1200)
    except subprocess.TimeoutExpired:
        return {"available": False, "why": "RealtimeSTT run timed out after 20 min"}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {"available": False, "why": f"RealtimeSTT run failed: {tail[:300]}"}
    return dict(json.loads(lines[-1]))


def summarize(rows: list[dict[str, Any]], key: str = "latency_s") -> dict[str, Any]:
    lat = [r[key] for r in rows if r.get(key) is not None]
    return {"latency_p50_s": pct(lat, 50), "latency_p95_s": pct(lat, 95), "n": len(lat)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--skip-realtimestt", action="store_true")
    ap.add_argument("--models-dir", default=os.environ.get("PA_TEST_MODELS_DIR", "/tmp/pa-bench-models"))
    args = ap.parse_args()

    from audio.models import install_whisper_base
    from audio.stt import Recognizer, RecognizerConfig

    model_dir = install_whisper_base(Path(args.models_dir))
    load0 = os.getloadavg()[0]
    t = time.perf_counter()
    rec = Recognizer(RecognizerConfig(models_dir=Path(args.models_dir)))
    load_s = time.perf_counter() - t
    data = clips()
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_avg_1m_start": round(load0, 2)},
        "model": "whisper base int8, beam 1, CPU",
        "model_load_and_warmup_s": round(load_s, 3),
    }
    ours: dict[str, Any] = {}
    for mode in ("push_to_talk", "hands_free"):
        rows: dict[str, list[dict[str, Any]]] = {}
        busy0 = time.process_time()
        audio_s = 0.0
        for _ in range(args.repeat):
            for c in data:
                rows.setdefault(c["name"], []).append(run_listener(rec, c, mode))
                audio_s += len(c["padded"]) / RATE
        flat = [r for rs in rows.values() for r in rs]
        ours[mode] = {
            **summarize(flat),
            "cpu_rtf": round((time.process_time() - busy0) / audio_s, 3),
            "wer": {k: v[0]["wer"] for k, v in rows.items()},
            "text": {k: v[0]["text"] for k, v in rows.items()},
        }
        if mode == "hands_free":
            ours[mode]["from_speech_end"] = summarize(flat, "latency_from_speech_end_s")
            ours[mode]["latency_measured_from"] = "end-point (trailing silence 500 ms after speech)"
        else:
            ours[mode]["latency_measured_from"] = "push-to-talk release (0.2 s after speech ends)"
    result["personal_agent"] = ours

    batch_rows = [run_batch(rec.model, c) for _ in range(args.repeat) for c in data]
    result["faster_whisper_batch"] = {
        **summarize(batch_rows),
        "rtf_mean": round(float(np.mean([r["rtf"] for r in batch_rows])), 3),
        "wer": {c["name"]: r["wer"] for c, r in zip(data, batch_rows, strict=False)},
        "latency_measured_from": "end of clip (whole clip transcribed after it ends)",
    }
    result["realtimestt"] = run_realtimestt(str(model_dir), args.skip_realtimestt)
    mean = lambda d: round(float(np.mean(list(d.values()))), 4)  # noqa: E731
    result["wer_mean"] = {
        "personal_agent_ptt": mean(ours["push_to_talk"]["wer"]),
        "personal_agent_hands_free": mean(ours["hands_free"]["wer"]),
        "faster_whisper_batch": mean(result["faster_whisper_batch"]["wer"]),
    }
    if isinstance(result["realtimestt"].get("wer"), dict):
        result["wer_mean"]["realtimestt"] = mean(result["realtimestt"]["wer"])
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
