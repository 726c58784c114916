"""Speech output benchmark: time to first audio and real-time factor, streaming pipeline vs plain Piper.

    .venv/bin/python bench/tts.py [--repeat 3]

Prints ONE JSON object. Cases: a 1-sentence reply, a 4-sentence reply (whole text at once) and the
4-sentence reply streamed token by token at 15 tokens/s (a local LLM's pace). Each case runs through

- ``pipeline``: audio.speaker (sentence/clause splitting, synthesis of the next sentence while the
  previous one plays), and
- ``plain``: wait for the whole text, Piper synthesizes all of it, then playback starts.

First audio = the first reply samples handed to a real PortAudio output stream: a private JACK dummy
device when ``jackd`` is installed (paced like a sound card), else the default output device.
Targets (2 cores): pipeline first audio <= 0.2 s after the first sentence's text is complete; streamed
reply: pipeline first audio >= 3x sooner than plain. The machine's load average is reported since
other processes slow synthesis down.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio.playback import AudioPlayer
from audio.speakable import make_speakable
from audio.speaker import Speaker, render
from audio.tts import PiperTts
from audio.virtual_output import JackDummyOutput, jack_available

ONE = "Sure, I moved your meeting with Sarah to 3:30 pm tomorrow."
FOUR = (
    "Sure, I moved your meeting with Sarah to 3:30 pm tomorrow. "
    "The room is booked until 5 pm, and I sent her the new invite. "
    "Your dentist appointment on Friday at 9:15 am is unchanged. "
    "Do you want me to remind you an hour before the meeting?"
)
TOKENS_PER_S = 15.0


def tokens(text: str) -> list[str]:
    """LLM-like tokens: words with their leading space, punctuation on its own."""
    return re.findall(r"\s?\w+|\s?[^\w\s]", text)


def first_sentence_end(toks: list[str]) -> int:
    """Index of the token that completes the first sentence."""
    for i, t in enumerate(toks):
        if t.strip() in (".", "!", "?"):
            return i
    return len(toks) - 1


def wait_first_audio(player: AudioPlayer, timeout: float = 60.0) -> float:
    deadline = time.monotonic() + timeout
    while player.first_audio_at is None:
        if time.monotonic() > deadline:
            raise TimeoutError("no audio")
        time.sleep(0.001)
    return player.first_audio_at


def pipeline_case(speaker: Speaker, text: str, streamed: bool) -> dict[str, float]:
    job = speaker.start("en")
    toks = tokens(text) if streamed else [text]
    end_idx = first_sentence_end(toks) if streamed else 0
    t0 = time.monotonic()
    sentence_done = t0  # whole text: the first sentence is complete from the start
    for i, tok in enumerate(toks):
        if streamed:
            time.sleep(max(0.0, t0 + i / TOKENS_PER_S - time.monotonic()))
        if streamed and i == end_idx:
            sentence_done = time.monotonic()
        job.feed(tok)
    job.finish()
    first = wait_first_audio(job.player)
    job.stop()
    job.wait(10)
    return {
        "first_audio_s": first - t0,
        "after_first_sentence_text_s": first - sentence_done,
        "stream_open_s": job.player.open_s,
    }


def plain_case(tts: PiperTts, device: int | str | None, text: str, streamed: bool) -> dict[str, float]:
    toks = tokens(text) if streamed else [text]
    t0 = time.monotonic()
    if streamed:  # the whole reply has to arrive first
        time.sleep(max(0.0, t0 + (len(toks) - 1) / TOKENS_PER_S - time.monotonic()))
    sentence_done = t0 + (first_sentence_end(toks) / TOKENS_PER_S if streamed else 0.0)
    player = AudioPlayer(device, sample_rate=tts.sample_rate("en")).open()
    t_syn = time.monotonic()
    audio = tts.synthesize(make_speakable(text, "en"), "en")
    synth_s = time.monotonic() - t_syn
    player.enqueue(text, audio)
    player.end_of_input()
    first = wait_first_audio(player)
    player.stop()
    player.wait(10)
    return {
        "first_audio_s": first - t0,
        "after_first_sentence_text_s": first - sentence_done,
        "rtf": synth_s / audio.duration_s,
    }


def pipeline_rtf(tts: PiperTts, text: str) -> float:
    t = time.monotonic()
    audio = render(tts, text, "en")
    return (time.monotonic() - t) / audio.duration_s


def median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 3)


def run(repeat: int) -> dict[str, Any]:
    tts = PiperTts()
    t = time.monotonic()
    tts.voice("en")
    load_s = time.monotonic() - t
    jack: JackDummyOutput | None = None
    device: int | str | None = None
    if jack_available():
        jack = JackDummyOutput().start()
        device = jack.device_index()
    try:
        speaker = Speaker(tts, device=device)  # first piece ends at a clause break ("Sure,")
        whole_sentences = Speaker(tts, device=device, first_clause=False)
        cases: dict[str, Any] = {}
        for name, text, streamed in (
            ("one_sentence", ONE, False),
            ("four_sentences", FOUR, False),
            ("four_sentences_streamed_15_tok_s", FOUR, True),
        ):
            pipe = [pipeline_case(speaker, text, streamed) for _ in range(repeat)]
            whole = [pipeline_case(whole_sentences, text, streamed) for _ in range(repeat)]
            plain = [plain_case(tts, device, text, streamed) for _ in range(repeat)]
            rtf = [pipeline_rtf(tts, text) for _ in range(1 if streamed else repeat)]
            p_first, q_first = median(pipe, "first_audio_s"), median(plain, "first_audio_s")
            cases[name] = {
                "chars": len(text),
                "tokens": len(tokens(text)) if streamed else None,
                "pipeline": {
                    "time_to_first_audio_s": p_first,
                    "first_audio_after_first_sentence_text_s": median(pipe, "after_first_sentence_text_s"),
                    "real_time_factor": round(statistics.median(rtf), 3),
                    "output_stream_open_s": median(pipe, "stream_open_s"),
                },
                "pipeline_whole_sentences_only": {
                    "time_to_first_audio_s": median(whole, "first_audio_s"),
                    "first_audio_after_first_sentence_text_s": median(whole, "after_first_sentence_text_s"),
                },
                "plain_piper": {
                    "time_to_first_audio_s": q_first,
                    "first_audio_after_first_sentence_text_s": median(plain, "after_first_sentence_text_s"),
                    "real_time_factor": median(plain, "rtf"),
                },
                "speedup_first_audio": round(q_first / p_first, 2) if p_first > 0 else None,
            }
        worst_after = max(c["pipeline"]["first_audio_after_first_sentence_text_s"] for c in cases.values())
        streamed_speedup = cases["four_sentences_streamed_15_tok_s"]["speedup_first_audio"]
        return {
            "benchmark": "tts",
            "voice": tts.config.default_voice,
            "onnx_threads": tts.threads,
            "device": "jack-dummy" if jack else "default",
            "repeat": repeat,
            "cpu_count": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "voice_load_s": round(load_s, 3),
            "cases": cases,
            "targets": {
                "first_audio_after_first_sentence_le_0_2_s": worst_after <= 0.2,
                "streamed_first_audio_ge_3x_sooner": (streamed_speedup or 0) >= 3.0,
            },
        }
    finally:
        if jack is not None:
            jack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(max(1, args.repeat))))


if __name__ == "__main__":
    main()
