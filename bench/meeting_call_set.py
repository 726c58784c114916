"""A small two-channel evaluation set of online calls, generated from the shared clips (never committed).

Each call has three voices of ``bench/meeting_set.py``: the user in channel 1 (the microphone) and two
far-side voices in channel 2 (the computer's sound output) taking turns with the user, now and then
talking over each other. The reference RTTM comes from each piece's own speech activity, as in
``meeting_set``. Every call is written twice:

- ``headset``: the microphone hears only the user;
- ``speakers``: no headset, the far side leaks into the microphone: channel 2 delayed 20-80 ms at
  -15...-25 dB (the delay and level drawn per call) mixed into channel 1; ``room`` adds a short tail of
  reflections (60 ms of decaying noise, 8 dB under the direct path), so the leak is not a plain copy.

The echo is not a speaker: the reference is the same for all versions of a call."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audio.frames import SAMPLE_RATE, Samples
from audio.meeting.der import to_rttm
from audio.meeting.models import SpeakerTurn
from audio.vad import SileroVad
from audio.wav import write_wav
from bench.meeting_set import AUDIO, Voice, _piece, speech_spans, voices

LEAKS = ("headset", "speakers", "room")


@dataclass
class CallFile:
    name: str
    leak: str  # "headset", "speakers" or "room"
    wav: Path
    reference: list[SpeakerTurn]
    user: str  # the voice in channel 1
    far: list[str] = field(default_factory=list)  # the voices in channel 2
    delay_ms: float = 0.0
    leak_db: float = 0.0

    @property
    def speakers(self) -> int:
        return len({t.speaker for t in self.reference})

    def far_only(self, step: float = 0.01) -> np.ndarray:
        """10 ms rows in which a far-side voice talks and the user does not."""
        n = int(max(t.end for t in self.reference) / step) + 2
        far, user = np.zeros(n, bool), np.zeros(n, bool)
        for t in self.reference:
            (user if t.speaker == self.user else far)[int(t.start / step): int(t.end / step)] = True
        return far & ~user


def leak(far: Samples, rng: random.Random, room: bool) -> tuple[Samples, float, float]:
    """The far side as the microphone hears it: (signal, delay in ms, level in dB)."""
    delay_ms = rng.uniform(20, 80)
    level_db = rng.uniform(-25, -15)
    d = int(delay_ms / 1000 * SAMPLE_RATE)
    h = np.zeros(d + 1, np.float32)
    h[d] = 1.0
    if room:
        n = int(0.06 * SAMPLE_RATE)
        nrng = np.random.default_rng(rng.randrange(1 << 30))
        tail = nrng.standard_normal(n).astype(np.float32) * np.exp(-np.arange(n) / (0.015 * SAMPLE_RATE))
        tail *= 10 ** (-8 / 20) / max(float(np.sqrt(np.sum(tail * tail))), 1e-9)
        h = np.concatenate([h, tail])
    out = np.convolve(far, h)[: len(far)] * 10 ** (level_db / 20)
    return out.astype(np.float32), round(delay_ms, 1), round(level_db, 1)


def build_call(name: str, user: Voice, far: list[Voice], rng: random.Random, turns: int, vad: SileroVad,
               cache_dir: Path) -> list[CallFile]:
    """One call (the user and two far-side voices taking turns), written once per kind of leak."""
    ch = [np.zeros(int(0.5 * SAMPLE_RATE), np.float32), np.zeros(int(0.5 * SAMPLE_RATE), np.float32)]
    ref: list[SpeakerTurn] = []
    everyone = [user, *far]
    order = [far[0], user, far[1]]  # every voice once, then any order, no voice twice in a row
    while len(order) < turns:
        order.append(rng.choice([v for v in everyone if v.name != order[-1].name]))
    end = len(ch[0])
    for i, v in enumerate(order):
        piece = _piece(v.second, rng)
        overlap = i > 0 and rng.random() < 0.2
        shift = -int(rng.uniform(0.3, 0.8) * SAMPLE_RATE) if overlap else int(rng.uniform(0.2, 0.8) * SAMPLE_RATE)
        at = max(0, end + shift)
        c = 0 if v is user else 1
        stop = at + len(piece)
        for k in (0, 1):
            if stop > len(ch[k]):
                ch[k] = np.concatenate([ch[k], np.zeros(stop - len(ch[k]), np.float32)])
        ch[c][at:stop] += piece
        end = max(end, stop)
        for s, e in speech_spans(piece, vad):
            ref.append(SpeakerTurn(start=round(at / SAMPLE_RATE + s, 3), end=round(at / SAMPLE_RATE + e, 3),
                                   speaker=v.name))
    pad = np.zeros(int(0.5 * SAMPLE_RATE), np.float32)
    mic, out = np.concatenate([ch[0], pad]), np.concatenate([ch[1], pad])
    ref.sort(key=lambda t: t.start)
    (cache_dir / f"{name}.rttm").write_text(to_rttm(name, ref), encoding="utf-8")
    files: list[CallFile] = []
    for kind in LEAKS:
        delay_ms = level_db = 0.0
        near = mic
        if kind != "headset":
            echo, delay_ms, level_db = leak(out, random.Random(f"{name}-{kind}"), room=kind == "room")
            near = mic + echo
        stereo = np.stack([near, out], axis=1)
        peak = float(np.max(np.abs(stereo)))
        if peak > 0.99:
            stereo = stereo * (0.99 / peak)
        wav = write_wav(cache_dir / f"{name}-{kind}.wav", stereo.astype(np.float32), SAMPLE_RATE)
        files.append(CallFile(f"{name}-{kind}", kind, wav, ref, user.name, [v.name for v in far], delay_ms, level_db))
    return files


def build_call_set(cache_dir: Path, audio_dir: Path = AUDIO, seed: int = 2323, calls: int = 4,
                   leaks: tuple[str, ...] = LEAKS, turns: int = 9) -> list[CallFile]:
    """``calls`` calls of three different voices each (9 turns: 25-40 s), in the kinds of leak asked for."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    pool = voices(audio_dir)
    vad = SileroVad()
    rng = random.Random(seed)
    out: list[CallFile] = []
    for i in range(calls):
        user, a, b = rng.sample(pool, 3)
        out += [f for f in build_call(f"call-{i + 1}", user, [a, b], rng, turns, vad, cache_dir) if f.leak in leaks]
    return out
