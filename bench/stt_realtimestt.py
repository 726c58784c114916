"""RealtimeSTT on the benchmark clips; runs in the separate bench venv (torch lives only there):
`BENCH_VENV/bin/python bench/stt_realtimestt.py WHISPER_MODEL_DIR [--clip-timeout S] [--language L]`.

Prints one JSON line per clip and mode as it goes (``{"clip": ...}``, so that a parent that has to
kill a hung run still has the finished clips) and a last line with the summary (``{"summary": ...}``).

Offline by construction: Whisper base comes from the project's joined model folder (a local path, so
faster-whisper never asks the hub) and Silero VAD from the silero-vad package's ONNX file
(``silero_backend="raw_onnx"``), never torch.hub; HF_HUB_OFFLINE=1 makes any hub call fail fast instead
of downloading. RealtimeSTT's WebRTC VAD (webrtcvad-wheels) is local code.

Every wait has a deadline: ``text()`` blocks until it hears voice, so it runs in a reader thread and
each clip gets ``--clip-timeout`` seconds after its audio ends; a clip that times out is reported as
such and the recorder is aborted. The process ends with ``os._exit`` so a stuck shutdown cannot hang.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import json
import logging
import os
import queue
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from stt_common import RATE, clips, pct, wer

FRAME = 512


def _clip_row(out: dict[str, Any], c: dict[str, Any], mode: str, text: str) -> dict[str, Any]:
    """Record one clip's transcript and WER in ``out``; the per-clip row of the JSON."""
    out["wer"][c["name"]] = wer(c["reference"], text)
    out["text"][c["name"]] = text
    return {"clip": c["name"], "mode": mode, "wer": out["wer"][c["name"]], "text": text}


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def silero_onnx() -> str:
    import silero_vad

    return str(Path(silero_vad.__file__).parent / "data" / "silero_vad.onnx")


def feed_realtime(
    rec: Any, audio: np.ndarray, t0: float, on_release: Any = None, release_at: float | None = None
) -> None:
    for i in range(len(audio) // FRAME):
        d = t0 + (i + 1) * FRAME / RATE - time.monotonic()
        if d > 0:
            time.sleep(d)
        pcm = (np.clip(audio[i * FRAME : (i + 1) * FRAME], -1, 1) * 32767).astype(np.int16).tobytes()
        rec.feed_audio(pcm, RATE)
        if on_release is not None and release_at is not None and (i + 1) * FRAME / RATE >= release_at:
            on_release()
            on_release = None


class Reader:
    """Calls ``rec.text()`` in a loop (it blocks until voice comes and goes) and queues the results."""

    def __init__(self, rec: Any) -> None:
        self.rec = rec
        self.texts: queue.Queue[tuple[float, str]] = queue.Queue()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            try:
                txt = self.rec.text()
            except Exception as exc:
                self.texts.put((time.monotonic(), f"<error {exc}>"))
                return
            if self.running and txt:
                self.texts.put((time.monotonic(), txt))

    def stop(self) -> None:
        self.running = False
        self.rec.abort()
        self.thread.join(10)


TRACE: list[tuple[str, float]] = []


def traced(name: str, also: list[float] | None = None) -> Any:
    def cb(*_: Any) -> None:
        now = time.monotonic()
        TRACE.append((name, now))
        if also is not None:
            also.append(now)

    return cb


def trace_since(t0: float) -> list[str]:
    out = [f"{n}@{t - t0:.2f}" for n, t in TRACE if t >= t0]
    TRACE.clear()
    return out


def hands_free(rec: Any, data: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    ends: list[float] = []
    rec.on_recording_stop = traced("recording_stop", ends)
    reader = Reader(rec)
    out: dict[str, Any] = {"wer": {}, "text": {}, "timeouts": []}
    lat: list[float] = []
    lat_speech: list[float] = []
    for c in data:
        ends.clear()
        got: list[tuple[float, str]] = []
        t0 = time.monotonic()
        feeder = threading.Thread(target=feed_realtime, args=(rec, c["padded"], t0), daemon=True)
        feeder.start()
        deadline = t0 + len(c["padded"]) / RATE + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                got.append(reader.texts.get(timeout=0.05))
            if not feeder.is_alive() and ends and len(got) >= len(ends):
                break
        else:
            out["timeouts"].append(c["name"])
        feeder.join(5)
        text = " ".join(t for _, t in got)
        row = _clip_row(out, c, "hands_free", text)
        if got and ends:
            lat.append(got[-1][0] - ends[-1])
            lat_speech.append(got[-1][0] - (t0 + c["speech_end_s"]))
            row.update(latency_s=round(lat[-1], 3), latency_from_speech_end_s=round(lat_speech[-1], 3))
        row["trace"] = [
            *trace_since(t0),
            *(f"text@{t - t0:.2f}" for t, _ in got),
            f"speech_end@{c['speech_end_s']:.2f}",
        ]
        emit(row)
    reader.stop()
    rec.on_recording_stop = traced("recording_stop")
    out.update({"latency_p50_s": pct(lat, 50), "latency_p95_s": pct(lat, 95), "n": len(lat)})
    out["from_speech_end"] = {"latency_p50_s": pct(lat_speech, 50), "latency_p95_s": pct(lat_speech, 95)}
    out["latency_measured_from"] = (
        "RealtimeSTT's own end of recording (on_recording_stop: 0.5 s trailing silence)"
    )
    return out


def push_to_talk(rec: Any, data: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    out: dict[str, Any] = {"wer": {}, "text": {}, "timeouts": []}
    lat: list[float] = []
    for c in data:
        rec.clear_audio_queue()
        rec.start()
        t_release: list[float] = []

        def release(t_release: list[float] = t_release) -> None:
            rec.stop()
            t_release.append(time.monotonic())

        t0 = time.monotonic()
        release_at = c["speech_end_s"] + 0.2
        feeder = threading.Thread(
            target=feed_realtime, args=(rec, c["padded"], t0, release, release_at), daemon=True
        )
        feeder.start()
        while not t_release and time.monotonic() < t0 + release_at + timeout:
            time.sleep(0.005)
        result: list[tuple[float, str]] = []

        def call(result: list[tuple[float, str]] = result) -> None:
            txt = rec.text() or ""
            result.append((time.monotonic(), txt))  # the time after text() returned

        th = threading.Thread(target=call, daemon=True)
        th.start()
        th.join(timeout)
        if not result:
            out["timeouts"].append(c["name"])
            rec.abort()
            th.join(5)
        feeder.join(len(c["padded"]) / RATE + 5)
        text = result[0][1] if result else ""
        row = _clip_row(out, c, "push_to_talk", text)
        if t_release and result:
            lat.append(result[0][0] - t_release[0])
            row["latency_s"] = round(lat[-1], 3)
        row["trace"] = [
            *trace_since(t0),
            *(f"text@{t - t0:.2f}" for t, _ in result),
            f"release@{release_at:.2f}",
        ]
        emit(row)
    out.update({"latency_p50_s": pct(lat, 50), "latency_p95_s": pct(lat, 95), "n": len(lat)})
    out["from_speech_end"] = {
        "latency_p50_s": pct([x + 0.2 for x in lat], 50),
        "latency_p95_s": pct([x + 0.2 for x in lat], 95),
    }
    out["latency_measured_from"] = "stop() (release, 0.2 s after speech ends)"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--clip-timeout", type=float, default=30.0)
    ap.add_argument("--language", default="", help="'' = auto-detect (as ours)")
    ap.add_argument("--clips", type=int, default=0, help="only the first N clips (debugging)")
    args = ap.parse_args()
    faulthandler.dump_traceback_later(1800, exit=True)  # last resort; the parent has its own deadline
    logging.disable(logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from importlib.metadata import version

    from RealtimeSTT import AudioToTextRecorder

    data = clips()[: args.clips or None]

    def recorder() -> Any:
        return AudioToTextRecorder(
            model=args.model_dir,
            language=args.language,
            device="cpu",
            compute_type="int8",
            beam_size=1,
            use_microphone=False,
            spinner=False,
            silero_backend="raw_onnx",
            silero_onnx_model_path=silero_onnx(),
            enable_realtime_transcription=False,
            post_speech_silence_duration=0.5,
            no_log_file=True,
            on_recording_start=traced("recording_start"),
            on_transcription_start=traced("transcription_start"),
        )

    def shut(rec: Any) -> None:
        th = threading.Thread(target=rec.shutdown, daemon=True)
        th.start()
        th.join(15)

    out: dict[str, Any] = {
        "available": True,
        "version": version("RealtimeSTT"),
        "torch": version("torch"),
        "config": {
            "model": "whisper base (same local folder)",
            "compute_type": "int8",
            "beam_size": 1,
            "language": args.language or "auto",
            "post_speech_silence_duration": 0.5,
            "vad": "webrtcvad + silero raw ONNX (local file)",
            "realtime_transcription": False,
            "other": "library defaults (batch_size 16, faster_whisper_vad_filter on); one fresh recorder per mode",
        },
    }
    # one recorder per mode: a text() left waiting for voice in one mode must not take the next mode's audio
    for mode, run in (("hands_free", hands_free), ("push_to_talk", push_to_talk)):
        t = time.perf_counter()
        rec = recorder()
        out.setdefault("model_load_s", round(time.perf_counter() - t, 3))
        emit({"loaded": mode, "seconds": round(time.perf_counter() - t, 3)})
        out[mode] = run(rec, data, args.clip_timeout)
        shut(rec)
    out["wer"] = out["hands_free"]["wer"]
    emit({"summary": out})
    os._exit(0)


if __name__ == "__main__":
    main()
