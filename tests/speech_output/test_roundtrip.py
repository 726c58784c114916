"""Round trip: the committed English sentences are spoken by Piper (through the same sentence
splitting and text normalization as live speech) and transcribed by the offline Whisper base model;
the word error rate must stay at or below 10 %.

Both the reference and Whisper's text are compared in spoken form (numbers, dates, times and money
written out by ``audio.speakable``), so "$5.50" and "five dollars and fifty cents" count as equal."""

from __future__ import annotations

import re
from pathlib import Path

import jiwer
import numpy as np
import pytest

from audio.models import resolve_whisper_model
from audio.speakable import make_speakable
from audio.speaker import render
from audio.tts import PiperTts, SpeechAudio, write_wav

pytestmark = [pytest.mark.slow, pytest.mark.integration]

DATA = Path(__file__).parent / "data" / "roundtrip_en.txt"
CLIP_MAX_S = 10.0  # a few sentences per clip; on longer clips Whisper base sometimes drops the tail
GAP_S = 0.7


def sentences() -> list[str]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def spoken_form(text: str) -> str:
    """Text as words for comparison. Whisper writes times as 10.30; make them 10:30 first."""
    text = re.sub(r"(?<![$€£\d.,])\b(\d{1,2})\.(\d{2})\b(?![.,]\d)", r"\1:\2", text)
    words = make_speakable(text, "en").lower().replace("-", " ")
    return " ".join(re.sub(r"[^\w' ]", " ", words).split())


def test_spoken_form_makes_written_and_spoken_numbers_equal() -> None:
    assert spoken_form("Meet at 10.30 a.m. for $5.50!") == spoken_form(
        "meet at ten thirty a.m. for 5 dollars and 50 cents"
    )


def test_the_set_has_at_least_20_sentences_with_numbers_dates_and_times() -> None:
    lines = sentences()
    assert len(lines) >= 20
    assert sum(bool(re.search(r"\d{1,2}:\d{2}|\d ?[ap]m\b", s)) for s in lines) >= 5  # times
    assert (
        sum(bool(re.search(r"\d{4}-\d{2}-\d{2}|(January|March|April|May|December) \d", s)) for s in lines)
        >= 5
    )
    assert sum("$" in s for s in lines) >= 4


def test_tts_to_whisper_word_error_rate(piper_tts: PiperTts, models_dir: Path, tmp_path: Path) -> None:
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    lines = sentences()
    audios = [render(piper_tts, s, "en") for s in lines]
    assert all(a.duration_s > 0.5 for a in audios)
    rate = audios[0].sample_rate
    gap = np.zeros(int(GAP_S * rate), dtype=np.float32)
    clips: list[list[int]] = [[]]
    length = 0.0
    for i, a in enumerate(audios):
        if clips[-1] and length + a.duration_s > CLIP_MAX_S:
            clips.append([])
            length = 0.0
        clips[-1].append(i)
        length += a.duration_s + GAP_S

    model = WhisperModel(resolve_whisper_model("base", models_dir), device="cpu", compute_type="int8")
    refs: list[str] = []
    hyps: list[str] = []
    for n, clip in enumerate(clips):
        samples = np.concatenate([x for i in clip for x in (audios[i].samples, gap)])
        wav = write_wav(tmp_path / f"clip{n}.wav", SpeechAudio(samples, rate))
        segments, _ = model.transcribe(
            decode_audio(str(wav), sampling_rate=16000),
            language="en",
            beam_size=1,
            condition_on_previous_text=False,
            without_timestamps=True,  # one window per clip; with timestamps base may stop early
        )
        refs.append(spoken_form(" ".join(lines[i] for i in clip)))
        hyps.append(spoken_form(" ".join(s.text for s in segments)))
    wer = jiwer.wer(refs, hyps)
    print(f"round-trip WER {wer:.3f} over {len(lines)} sentences in {len(clips)} clips")
    assert wer <= 0.10, jiwer.visualize_alignment(jiwer.process_words(refs, hyps))
