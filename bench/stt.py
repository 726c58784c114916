"""Speech-input benchmark: `.venv/bin/python bench/stt.py [--repeat N] [--skip-realtimestt]`;
`--lang de` measures German recognition instead (bench/stt_german.py: WER, latency, round trips).

Feeds each reference clip in real time (32 ms frames, 0.5 s silence before, 1.5 s after) and prints ONE
JSON object: end-of-speech → final-text latency (p50, p95), real-time factor and WER per clip for
 - this project's Listener in push-to-talk (release 0.2 s after the speech ends; latency from release)
   and hands-free (latency from the end-point, i.e. after the trailing silence or the early end on a finished
   sentence, and from the speech end),
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
import select
import signal
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


def run_listener(
    rec: Any,
    clip: dict[str, Any],
    mode: str,
    endpoint: dict[str, Any] | None = None,
    listener_over: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from audio.endpointing import EndpointConfig
    from audio.events import AudioEvent, FinalTranscript, SpeechEnded
    from audio.listener import Listener, ListenerConfig

    lock = threading.Lock()
    log: list[tuple[float, AudioEvent]] = []

    def on_event(e: AudioEvent) -> None:
        with lock:
            log.append((time.monotonic(), e))

    cfg = ListenerConfig(
        mode=mode,  # type: ignore[arg-type]
        wake_phrase="",
        endpoint=EndpointConfig(**(endpoint or {})),
        **(listener_over or {}),
    )
    listener = Listener(rec, cfg, on_event=on_event)
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
        out["latency_from_speech_end_s"] = round(finals[-1][0] - speech_end_wall, 3)
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
    return {
        "wer": wer(clip["reference"], text),
        "text": text.strip(),
        "latency_s": round(dt, 3),
        "rtf": round(dt / (len(clip["audio"]) / RATE), 3),
    }


BENCH_PACKAGES = [
    # torch FIRST and alone, pinned: pip takes this machine's CPU wheel; installed after RealtimeSTT, pip would
    # resolve RealtimeSTT's "torch" to a multi-GB CUDA build from PyPI
    ["torch==2.13.0"],
    ["RealtimeSTT==1.1.2", "faster-whisper==1.2.1", "onnxruntime", "webrtcvad-wheels", "numpy"],
    # Silero's ONNX file (RealtimeSTT's raw ONNX backend reads it): no torch.hub download at run time
    ["--no-deps", "silero-vad==6.2.3"],
]
CHECK = "import RealtimeSTT, silero_vad, torch, faster_whisper; print(torch.__version__)"


def ensure_bench_venv(create: bool) -> tuple[Path | None, str]:
    """The separate venv for RealtimeSTT (reused when it already imports; created when asked)."""
    py = BENCH_VENV / "bin" / "python"
    if py.exists():
        try:
            p = subprocess.run([str(py), "-c", CHECK], capture_output=True, text=True, timeout=180)
        except subprocess.TimeoutExpired:
            return None, f"{py}: importing RealtimeSTT timed out"
        if p.returncode == 0:
            return py, f"reused {BENCH_VENV} (torch {p.stdout.strip()})"
        if not create:
            return None, f"{BENCH_VENV} lacks packages ({(p.stderr.strip().splitlines() or ['?'])[-1][:200]})"
    elif not create:
        return None, f"{py} missing (run without --no-setup to create it)"
    print(f"stt bench: setting up {BENCH_VENV} for RealtimeSTT (torch CPU first) ...", file=sys.stderr)
    try:
        if not py.exists():
            subprocess.run(
                [
                    sys.executable if not hasattr(sys, "_base_executable") else sys._base_executable,
                    "-m",
                    "venv",
                    str(BENCH_VENV),
                ],
                check=True,
                timeout=300,
            )
        for pkgs in BENCH_PACKAGES:
            subprocess.run(
                [str(py), "-m", "pip", "install", "-q", *pkgs], check=True, timeout=1800, stdout=sys.stderr
            )
        p = subprocess.run([str(py), "-c", CHECK], capture_output=True, text=True, timeout=180)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        return None, f"could not set up {BENCH_VENV}: {exc}"
    if p.returncode != 0:
        return None, f"{BENCH_VENV} set up but RealtimeSTT does not import: {p.stderr.strip()[-200:]}"
    return py, f"created {BENCH_VENV} (torch {p.stdout.strip()})"


def run_realtimestt(
    model_dir: str, skip: bool, create: bool, clip_timeout: float, total_s: float
) -> dict[str, Any]:
    """Run bench/stt_realtimestt.py in the bench venv, reading its per-clip lines as they come.

    Hard limits: ``clip_timeout`` per clip inside the child, and here a stall limit (no line for
    model load + the longest clip + clip_timeout) and a total limit; on either the child's process
    group is killed and the clips finished so far are reported with the reason."""
    if skip:
        return {"available": False, "why": "skipped (--skip-realtimestt)"}
    py, how = ensure_bench_venv(create)
    if py is None:
        return {"available": False, "why": how}
    script = Path(__file__).with_name("stt_realtimestt.py")
    cmd = [str(py), "-u", str(script), model_dir, "--clip-timeout", str(clip_timeout)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    rows: list[dict[str, Any]] = []
    summary: dict[str, Any] | None = None
    why = ""
    stall = 120.0 + clip_timeout
    start = time.monotonic()
    last = start
    err_tail: list[str] = []
    threading.Thread(target=lambda: err_tail.extend(proc.stderr), daemon=True).start()  # type: ignore[arg-type]
    while True:
        now = time.monotonic()
        if now - start > total_s:
            why = f"total time limit {total_s:.0f} s reached"
            break
        if now - last > stall:
            why = f"no progress for {stall:.0f} s (hung)"
            break
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        if not line:
            if proc.wait(10) is not None:
                break
            continue
        last = time.monotonic()
        if line.startswith("{"):
            obj = json.loads(line)
            if "summary" in obj:
                summary = obj["summary"]
            elif "clip" in obj:
                rows.append(obj)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    if summary is not None:
        return {**summary, "venv": how}
    tail = "".join(err_tail).strip().splitlines()[-1:] or ["no error output"]
    return {
        "available": False,
        "why": why or f"RealtimeSTT run ended (exit {proc.returncode}) without a summary: {tail[0][:300]}",
        "venv": how,
        "clips_done": rows,
    }


LATENCY_DEFINITIONS = {
    "push_to_talk.latency": "final text event time minus release time; release comes 0.2 s after the speech ends",
    "hands_free.latency": "final text event time minus the end-point (SpeechEnded event: trailing silence"
    " elapsed, or early_end_ms of silence after a finished sentence)",
    "*.from_speech_end": "final text event time minus the true end of speech in the fed audio (last 32 ms frame"
    " within 30 dB of the clip's loudest), on the same wall clock that paced the frames",
    "faster_whisper_batch.latency": "duration of one transcribe() of the whole clip, started after the clip ended",
    "realtimestt.hands_free": "text() return minus on_recording_stop (its end-point); from_speech_end as ours",
    "realtimestt.push_to_talk": "text() return minus stop() (release, 0.2 s after speech end)",
}


def summarize(rows: list[dict[str, Any]], key: str = "latency_s") -> dict[str, Any]:
    lat = [r[key] for r in rows if r.get(key) is not None]
    return {"latency_p50_s": pct(lat, 50), "latency_p95_s": pct(lat, 95), "n": len(lat)}


def targets(result: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets, per mode: final text ≤ 0.5 s after the end of speech (p50), no slower than
    RealtimeSTT (same figure), WER ≤ batch + 1 point (mean over the clips)."""
    out: dict[str, Any] = {}
    wm = result["wer_mean"]
    rt = result.get("realtimestt", {})
    for mode, v in result["personal_agent"].items():
        p50 = v["from_speech_end"]["latency_p50_s"]
        t: dict[str, Any] = {"p50_from_speech_end_s": p50, "le_0_5_s": p50 is not None and p50 <= 0.5}
        if "faster_whisper_batch" in wm:
            t["wer_le_batch_plus_1pt"] = wm[f"personal_agent_{mode}"] <= wm["faster_whisper_batch"] + 0.01
        other = (
            rt.get(mode, {}).get("from_speech_end", {}).get("latency_p50_s") if isinstance(rt, dict) else None
        )
        if other is not None and p50 is not None:
            t["no_slower_than_realtimestt"] = p50 <= other
        out[mode] = t
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--skip-realtimestt", action="store_true")
    ap.add_argument("--no-setup", action="store_true", help="do not create the RealtimeSTT venv when missing")
    ap.add_argument(
        "--clip-timeout", type=float, default=30.0, help="RealtimeSTT: seconds per clip after its audio"
    )
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--modes", default="push_to_talk,hands_free")
    ap.add_argument("--pause-ms", type=int, default=None, help="override EndpointConfig.pause_ms")
    ap.add_argument("--pad-s", type=float, default=None, help="override RecognizerConfig.pad_s")
    ap.add_argument("--early-end-ms", type=int, default=None, help="ListenerConfig.early_end_ms (hands-free)")
    ap.add_argument("--commit-after-s", type=float, default=None, help="ListenerConfig.commit_after_s")
    ap.add_argument("--interim-every-s", type=float, default=None, help="ListenerConfig.interim_every_s")
    ap.add_argument("--models-dir", default=os.environ.get("PA_TEST_MODELS_DIR", "/tmp/pa-bench-models"))
    ap.add_argument("--lang", choices=("en", "de"), default="en", help="de: German recognition (bench/stt_german.py)")
    ap.add_argument("--skip-roundtrip", action="store_true", help="--lang de: without the TTS round trips")
    args = ap.parse_args()
    if args.lang == "de":
        from app.paths import app_paths
        from bench.stt_german import run as run_german

        print(json.dumps(run_german(Path(args.models_dir), app_paths().models_dir, args.skip_roundtrip)))
        return

    from audio.endpointing import EndpointConfig
    from audio.listener import ListenerConfig
    from audio.models import install_whisper_base
    from audio.stt import Recognizer, RecognizerConfig

    model_dir = install_whisper_base(Path(args.models_dir))
    load0 = os.getloadavg()
    t = time.perf_counter()
    over = {"pad_s": args.pad_s} if args.pad_s is not None else {}
    rec = Recognizer(RecognizerConfig(models_dir=Path(args.models_dir), **over))
    endpoint = {"pause_ms": args.pause_ms} if args.pause_ms is not None else {}
    ep = EndpointConfig(**endpoint)
    load_s = time.perf_counter() - t
    data = clips()
    listener_args = {  # ListenerConfig fields set from the command line (None: not set)
        "early_end_ms": args.early_end_ms,
        "commit_after_s": args.commit_after_s,
        "interim_every_s": args.interim_every_s,
    }
    listener_over = {k: v for k, v in listener_args.items() if v is not None}  # None: the listener's default
    effective = ListenerConfig(**listener_over)
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_avg_start": [round(x, 2) for x in load0]},
        "model": "whisper base int8, beam 1, CPU",
        "config": {  # what the listener ran with (defaults unless set on the command line)
            "pad_s": rec.config.pad_s,
            "pause_ms": ep.pause_ms,
            "trailing_silence_ms": ep.trailing_silence_ms,
            **{k: getattr(effective, k) for k in listener_args},
        },
        "latency_definitions": LATENCY_DEFINITIONS,
        "model_load_and_warmup_s": round(load_s, 3),
    }
    ours: dict[str, Any] = {}
    for mode in args.modes.split(","):
        rows: dict[str, list[dict[str, Any]]] = {}
        busy0 = time.process_time()
        audio_s = 0.0
        for _ in range(args.repeat):
            for c in data:
                rows.setdefault(c["name"], []).append(run_listener(rec, c, mode, endpoint, listener_over))
                audio_s += len(c["padded"]) / RATE
        flat = [r for rs in rows.values() for r in rs]
        ours[mode] = {
            **summarize(flat),
            "from_speech_end": summarize(flat, "latency_from_speech_end_s"),
            "cpu_rtf": round((time.process_time() - busy0) / audio_s, 3),
            "wer": {k: v[0]["wer"] for k, v in rows.items()},
            "text": {k: v[0]["text"] for k, v in rows.items()},
            "per_clip_latency_s": {k: [r.get("latency_s") for r in v] for k, v in rows.items()},
        }
    result["personal_agent"] = ours
    mean = lambda d: round(float(np.mean(list(d.values()))), 4)  # noqa: E731
    result["wer_mean"] = {f"personal_agent_{m}": mean(v["wer"]) for m, v in ours.items()}
    if not args.skip_batch:
        batch_rows = [run_batch(rec.model, c) for _ in range(args.repeat) for c in data]
        result["faster_whisper_batch"] = {
            **summarize(batch_rows),
            "rtf_mean": round(float(np.mean([r["rtf"] for r in batch_rows])), 3),
            "wer": {c["name"]: r["wer"] for c, r in zip(data, batch_rows, strict=False)},
            # the yardstick: "a plain faster-whisper call on a 2.9 s clip took 1.1 s" (timit is that clip)
            "per_clip_latency_s": {
                c["name"]: [r["latency_s"] for r in batch_rows[i :: len(data)]] for i, c in enumerate(data)
            },
        }
        result["wer_mean"]["faster_whisper_batch"] = mean(result["faster_whisper_batch"]["wer"])
    del rec  # free its threads and memory before RealtimeSTT runs
    total = 600 + 2 * sum(len(c["padded"]) / RATE + args.clip_timeout for c in data)
    result["realtimestt"] = run_realtimestt(
        str(model_dir), args.skip_realtimestt, not args.no_setup, args.clip_timeout, total
    )
    for mode in ("hands_free", "push_to_talk"):
        if isinstance(result["realtimestt"].get(mode), dict):
            result["wer_mean"][f"realtimestt_{mode}"] = mean(result["realtimestt"][mode]["wer"])
    result["targets"] = targets(result)
    result["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
