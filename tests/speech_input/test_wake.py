"""The wake phrase as Whisper mishears it (hands-free): "hey assistant" said by Piper's and espeak-ng's
voices (EN and DE, slow and fast) came back from Whisper base as the variants below (2026-12-06, the
decodes of /tmp runs of those voices; the last one is what a user's "hey assistant" was heard as). Each
must wake the assistant; sentences that only talk about an assistant, or start like a call to someone
else, must not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.frames import Resampler
from audio.stt import Recognizer
from audio.wake import fold, strip_wake_phrase

HEARD = [  # (what Whisper wrote, what is left for the assistant)
    ("Hey assistant, what time is it?", "what time is it?"),
    ("High assistant, still einen Timer auf 5 Minuten.", "still einen Timer auf 5 Minuten."),
    ("Hai assistant, but time is seed.", "but time is seed."),
    ("A assistant set a timer for 5 minutes.", "set a timer for 5 minutes."),
    ("A. Assistant, remind me to call mom.", "remind me to call mom."),
    ("Hi, assistant. Emintmei to Kalmum.", "Emintmei to Kalmum."),
    ("High, assistant, emintme to kalmum.", "emintme to kalmum."),
    ("High-sistant, mishpethis-tis-", "mishpethis-tis-"),
    ("High-Sistent, Mischbeerthistus", "Mischbeerthistus"),
    ("Hey, Assist, Chant.", ""),
    ("Hey, Assistent, Weisspeck ist ihn.", "Weisspeck ist ihn."),
    ("Hey assistent, what time is it?", "what time is it?"),
    ("Assistant", ""),
    ("Assistant, what time is it?", "what time is it?"),
    ("Hase assistant, what time is it?", "what time is it?"),
]
NOT_ADDRESSED = [
    "What time is it?", "Hey", "Hey, a sister called.", "hey anna how are you", "Hey Siri, play music",
    "the assistant said no", "my assistant is great", "an assistant manager called",
    "Has assistance been offered?", "Assistance is on its way.", "Der Assistent hat angerufen.",
    "Meine Assistentin kommt morgen.", "hey assist me with this", "Okay Google",
]


@pytest.mark.unit
@pytest.mark.parametrize(("heard", "rest"), HEARD)
def test_misheard_wake_phrase_still_wakes(heard: str, rest: str) -> None:
    assert strip_wake_phrase(heard, "hey assistant") == rest


@pytest.mark.unit
@pytest.mark.parametrize("heard", NOT_ADDRESSED)
def test_talk_about_an_assistant_does_not_wake(heard: str) -> None:
    assert strip_wake_phrase(heard, "hey assistant") is None


@pytest.mark.unit
def test_other_wake_phrases_and_folding() -> None:
    assert strip_wake_phrase("Okay deer computer, lights on", "okay dear computer") == "lights on"
    assert strip_wake_phrase("Hallo Jarvis, wie spät ist es", "hallo jarvis") == "wie spät ist es"
    assert strip_wake_phrase("Hallo Jarvis", "computer") is None
    assert strip_wake_phrase("anything at all", "") == "anything at all"
    assert fold("Hääsistänt") == fold("Haesistaent".replace("ae", "a")) == "hasistant"
    assert fold("High") == fold("Hey") == fold("Hai") == "hai"


def _espeak(text: str, voice: str, speed: int, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
    audio, rate = sf.read(path, dtype="float32")
    return np.asarray(Resampler(rate, 16_000)(audio), dtype=np.float32)


@pytest.mark.integration
@pytest.mark.parametrize(("voice", "speed"), [("de", 140), ("en-us", 175), ("en-gb", 140)])
def test_spoken_wake_phrase_through_whisper_wakes(recognizer: Recognizer, tmp_path: Path, voice: str, speed: int) -> None:
    """A German voice's "hey assistant" comes back as "High assistant" or "Hai assistant": it wakes."""
    audio = _espeak("Hey assistant, what time is it?", voice, speed, tmp_path / "wake.wav")
    heard = recognizer.transcribe(audio, language="en", word_timestamps=False).text
    assert strip_wake_phrase(heard, "hey assistant") is not None, heard
