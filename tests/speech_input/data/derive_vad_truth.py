"""Derives the speech-segment ground truth of vad_speech_60s.wav (committed as vad_speech_60s.json).

Independent of the streaming VAD under test: faster-whisper transcribes the whole file in its batch
mode with word timestamps (no VAD filter); words closer than GAP_S are merged into one speech region.
The JSON was checked by ear against the recording. Run: .venv/bin/python tests/speech_input/data/derive_vad_truth.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from faster_whisper import WhisperModel

from audio.models import install_whisper_base

GAP_S = 0.6
ROOT = Path(__file__).resolve().parents[3]
CLIP = ROOT.parent / "shared" / "audio" / "vad_speech_60s.wav"


def main() -> None:
    models = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/stt_models")
    model = WhisperModel(str(install_whisper_base(models)), device="cpu", compute_type="int8")
    segs, _ = model.transcribe(str(CLIP), language="en", beam_size=5, word_timestamps=True, vad_filter=False)
    words = [w for s in segs for w in (s.words or [])]
    regions: list[list[float]] = []
    for w in words:
        if regions and w.start - regions[-1][1] < GAP_S:
            regions[-1][1] = w.end
        else:
            regions.append([w.start, w.end])
    out = {
        "clip": CLIP.name,
        "method": f"faster-whisper base, beam 5, word timestamps, words merged across gaps < {GAP_S} s",
        "segments": [{"start": round(a, 2), "end": round(b, 2)} for a, b in regions],
    }
    (Path(__file__).parent / "vad_speech_60s.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
