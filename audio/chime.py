"""The chime of a timer or reminder that rings: three soft bell tones (A5, C#6, E6) with a quick decay,
about a second, as 16-bit WAV bytes made with numpy on first use (``audio/wav.py`` writes them); and the
push-to-talk cues of the desktop listener (``cue_samples``): two short tones, rising or falling."""

from __future__ import annotations

from functools import cache
from typing import Any

from audio.wav import wav_bytes

RATE = 22_050
NOTES_HZ = (880.0, 1108.73, 1318.51)
NOTE_S = 0.32


@cache
def chime_wav() -> bytes:
    import numpy as np

    t = np.arange(int(NOTE_S * RATE), dtype=np.float32) / RATE
    envelope = np.exp(-6.0 * t) * np.minimum(1.0, t / 0.005)  # a 5 ms attack: no click
    notes = [0.45 * envelope * (np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t)) for f in NOTES_HZ]
    tail = np.zeros(int(0.15 * RATE), dtype=np.float32)
    return wav_bytes(np.concatenate([*notes, tail]), RATE)


def chime_seconds() -> float:
    return (len(NOTES_HZ) * int(NOTE_S * RATE) + int(0.15 * RATE)) / RATE


CUE_HZ = (1567.98, 2093.0)  # G6 and C7: above the voice's band, so a cue is told apart from speech
CUE_NOTE_S = 0.06


@cache
def cue_samples(opening: bool) -> tuple[Any, int]:
    """The short tone of a microphone that opens (rising: G6 then C7) or closes (falling), about 0.12 s,
    as mono float32 samples at ``RATE``."""
    import numpy as np

    t = np.arange(int(CUE_NOTE_S * RATE), dtype=np.float32) / RATE
    envelope = np.minimum(1.0, t / 0.004) * np.minimum(1.0, (CUE_NOTE_S - t) / 0.012)  # no clicks
    notes = [0.3 * envelope * np.sin(2 * np.pi * f * t) for f in (CUE_HZ if opening else CUE_HZ[::-1])]
    tail = np.zeros(int(0.04 * RATE), dtype=np.float32)  # the stream may drop its last block on close
    return np.concatenate([*notes, tail]).astype(np.float32), RATE
