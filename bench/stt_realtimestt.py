"""RealtimeSTT on the benchmark clips; runs in the throw-away bench venv (torch lives only there):
`/work/bench-venv/bin/python bench/stt_realtimestt.py WHISPER_MODEL_DIR` prints one JSON line.

Offline: Silero VAD comes from the silero-vad package's ONNX file (raw onnxruntime backend), not from
torch.hub, and Whisper base from the project's joined model folder."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from stt_common import RATE, clips, pct, wer

FRAME = 512


def silero_onnx() -> str:
    import silero_vad

    return str(Path(silero_vad.__file__).parent / "data" / "silero_vad.onnx")


def feed_realtime(rec: Any, audio: np.ndarray, t0: float, on_release: Any = None, release_at: float | None = None) -> None:
    for i in range(len(audio) // FRAME):
        d = t0 + (i + 1) * FRAME / RATE - time.monotonic()
        if d > 0:
            time.sleep(d)
        pcm = (np.clip(audio[i * FRAME : (i + 1) * FRAME], -1, 1) * 32767).astype(np.int16).tobytes()
        rec.feed_audio(pcm, RATE)
        if on_release is not None and release_at is not None and (i + 1) * FRAME / RATE >= release_at:
            on_release()
            on_release = None


def main() -> None:
    logging.disable(logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from RealtimeSTT import AudioToTextRecorder

    model_dir = sys.argv[1]
    data = clips()
    common = dict(
        model=model_dir,
        language="en",
        device="cpu",
        compute_type="int8",
        beam_size=1,
        use_microphone=False,
        spinner=False,
        silero_backend="raw_onnx",
        silero_onnx_model_path=silero_onnx(),
        enable_realtime_transcription=False,
        no_log_file=True,
    )
    out: dict[str, Any] = {"available": True, "version": __import__("importlib.metadata").metadata.version("RealtimeSTT")}
    # hands-free: its own VAD end-pointing, 0.5 s trailing silence like ours
    ends: list[float] = []
    rec = AudioToTextRecorder(post_speech_silence_duration=0.5, on_recording_stop=lambda: ends.append(time.monotonic()), **common)
    hf: dict[str, Any] = {"wer": {}, "text": {}}
    lat: list[float] = []
    lat_speech: list[float] = []
    for c in data:
        ends.clear()
        texts: list[str] = []
        t0 = time.monotonic()
        feeder = threading.Thread(target=feed_realtime, args=(rec, c["padded"], t0))
        feeder.start()
        deadline = t0 + len(c["padded"]) / RATE + 20
        last_final = None
        while feeder.is_alive() or (time.monotonic() < deadline and len(texts) < len(ends)):
            txt = rec.text()
            if txt:
                texts.append(txt)
                last_final = time.monotonic()
            if not feeder.is_alive() and len(texts) >= len(ends):
                break
        feeder.join()
        text = " ".join(texts)
        hf["wer"][c["name"]] = wer(c["reference"], text)
        hf["text"][c["name"]] = text
        if last_final is not None and ends:
            lat.append(last_final - ends[-1])
            lat_speech.append(last_final - (t0 + c["speech_end_s"]))
    hf.update({"latency_p50_s": pct(lat, 50), "latency_p95_s": pct(lat, 95), "n": len(lat)})
    hf["from_speech_end"] = {"latency_p50_s": pct(lat_speech, 50), "latency_p95_s": pct(lat_speech, 95)}
    out["hands_free"] = hf
    # push-to-talk: start() before the clip, stop() at the same release point as ours
    ptt: dict[str, Any] = {"wer": {}, "text": {}}
    lat = []
    for c in data:
        rec.start()
        released = threading.Event()
        t_release: list[float] = []

        def release(t_release: list[float] = t_release, released: threading.Event = released) -> None:
            rec.stop()
            t_release.append(time.monotonic())
            released.set()

        t0 = time.monotonic()
        feeder = threading.Thread(target=feed_realtime, args=(rec, c["padded"], t0, release, c["speech_end_s"] + 0.2))
        feeder.start()
        released.wait(60)
        text = rec.text()
        done = time.monotonic()
        feeder.join()
        ptt["wer"][c["name"]] = wer(c["reference"], text)
        ptt["text"][c["name"]] = text
        if t_release:
            lat.append(done - t_release[0])
    ptt.update({"latency_p50_s": pct(lat, 50), "latency_p95_s": pct(lat, 95), "n": len(lat)})
    out["push_to_talk"] = ptt
    out["wer"] = hf["wer"]
    rec.shutdown()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
