"""60-minute soak of the live meeting path with continuous speech (issue #23).

The shared clips (../shared/audio: jfk, TIMIT, the stereo and two-speaker files mixed to mono, the
English/German licence, hotwords, the 60 s VAD clip) are played back to back with 0.5 s of silence after
each and looped until ``--minutes`` of audio (default 60). They go through the same path a recording takes
(``MeetingService.start``: recorder threads, per-1.5 s FLAC segments, Silero VAD, end-pointing, Whisper base
int8 with language detection, the diarizer with the GE2E voice vectors, SQLite, notes at Stop) as fast as
the pipeline takes them: a file source, so the capture waits for the transcriber and nothing is skipped.

Prints ONE JSON object: RSS of the process at the start, at every 10 minutes of audio and at the end;
per 10-minute window the wall time, its real-time factor and the lag of the transcript segments (the time
from the capture of an utterance's last block to its text: in this as-fast-as-possible run that is the
queue in front of the transcriber, up to 16 s of audio, plus the decode, not a live microphone's lag, which
``bench/meetings.py`` measures at real-time pace); the load average at each mark.

Run: .venv/bin/python bench/meeting_soak.py [--minutes 60] [--language en]"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents.domains import migration_folders
from app.meetings.events import MeetingEvent
from app.meetings.service import MeetingConfig, MeetingService
from audio.meeting.synthetic import LoopedClipsSource, rss_mb
from audio.models import install_whisper_base
from audio.sources import read_file
from audio.stt import Recognizer, RecognizerConfig
from storage.db.engine import Database
from storage.local import LocalBackend

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT.parent / "shared" / "audio"
CLIPS = ("jfk.flac", "timit_ldc93s1.wav", "stereo_two_speakers.wav", "multilingual_en_de.mp3", "hotwords.mp3",
         "meeting_two_speakers.wav", "vad_speech_60s.wav")
WINDOW_S = 600.0


def _pct(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--language", default=None, help="pin recognition (default: detected, as the app does)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    work = Path(tempfile.mkdtemp(prefix="pa-bench-soak-"))
    models = Path(os.environ.get("PA_TEST_MODELS_DIR") or work / "models")
    install_whisper_base(models)
    rec = Recognizer(RecognizerConfig(models_dir=models, language=args.language, compute_type="int8"))
    db = Database(f"sqlite:///{work / 'soak.sqlite3'}", migration_folders())
    db.migrate()
    store = LocalBackend(work / "recordings")
    svc = MeetingService(db=db, backend_factory=lambda: store, data_dir=work / "data", recognizer_factory=lambda: rec,
                         space_paths=[work], config=MeetingConfig(language=args.language))
    clips = [read_file(AUDIO / name) for name in CLIPS]
    total_s = args.minutes * 60
    source = LoopedClipsSource(clips, total_s=total_s)
    loop_s = len(source.loop) / 16_000

    gc.collect()
    t0 = time.perf_counter()
    marks: list[dict[str, Any]] = [{"audio_min": 0, "wall_s": 0.0, "rss_mb": round(rss_mb(), 1),
                                    "load_1m": round(os.getloadavg()[0], 2)}]
    segs: list[tuple[float, float, float]] = []  # (wall s, segment end in audio s, lag s)
    lock = threading.Lock()

    def watch(e: MeetingEvent) -> None:
        if e.kind == "meeting_transcript":
            with lock:
                segs.append((time.perf_counter() - t0, e.segment.end, e.lag_s))
                mark = int(e.segment.end // WINDOW_S)
                if mark > len(marks) - 1 and mark * WINDOW_S < total_s:  # the transcript passed a 10-minute mark
                    marks.append({"audio_min": round(mark * WINDOW_S / 60), "wall_s": round(time.perf_counter() - t0, 1),
                                  "rss_mb": round(rss_mb(), 1), "load_1m": round(os.getloadavg()[0], 2)})

    svc.subscribe(watch)
    cpu0 = time.process_time()
    svc.start("soak", source=source, origin="file")
    info = svc.wait()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    marks.append({"audio_min": round(total_s / 60, 1), "wall_s": round(wall, 1), "rss_mb": round(rss_mb(), 1),
                  "load_1m": round(os.getloadavg()[0], 2), "after": "Stop, final speakers and notes"})

    windows: list[dict[str, Any]] = []
    for i in range(len(marks) - 1):
        a, b = marks[i], marks[i + 1]
        lo, hi = i * WINDOW_S, min((i + 1) * WINDOW_S, total_s)
        lags = [lag for _w, end, lag in segs if lo <= end < hi]
        span = b["wall_s"] - a["wall_s"]
        windows.append({"audio_min": f"{lo / 60:.0f}-{hi / 60:.0f}", "wall_s": round(span, 1),
                        "rtf": round(span / (hi - lo), 3), "segments": len(lags), "lag_p50_s": _pct(lags, 0.5),
                        "lag_p95_s": _pct(lags, 0.95), "lag_max_s": round(max(lags), 2) if lags else None})
    rss = [m["rss_mb"] for m in marks]
    out = {
        "bench": "meeting_soak", "audio_minutes": args.minutes, "clips": list(CLIPS), "loop_s": round(loop_s, 1),
        "loops": round(total_s / loop_s, 1), "model": "whisper base int8 beam 1",
        "language": args.language or "detected", "cpu_count": os.cpu_count(), "state": info.state,
        "duration_s": info.duration_s, "segments_stored": len(svc.transcript(info.id)), "speakers": info.speakers,
        "wall_s": round(wall, 1), "rtf": round(wall / total_s, 3), "cpu_s_per_audio_s": round(cpu / total_s, 3),
        "rss": marks, "rss_growth_after_10_min_mb": round(max(rss[1:]) - rss[1], 1) if len(rss) > 2 else None,
        "windows": windows, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "lag_note": "as fast as possible: lag = queue in front of the transcriber + decode, not live-microphone lag",
    }
    svc.close()
    db.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
