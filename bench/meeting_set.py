"""A small multi-speaker evaluation set, generated at bench time from the shared clips (never committed).

Voices: the single-speaker shared clips (jfk, TIMIT, the two channels of the stereo file, the MIT-licence
reader, the hotwords speaker, the silero test speaker) and the two speakers of the committed meeting file
(their non-overlapping turns from its RTTM). Each voice's speech is split in time: the first half feeds
the *tune* files and the enrolment clips of voice profiles, the second half the *held-apart* files and
the profile test clips, so nothing measured on the held-apart part was heard while thresholds were set.

A file is a sequence of turns (2-5 s pieces of a voice's speech, loudness levelled within ±4 dB), with a
short gap or, now and then, an overlap (the next voice starts 0.3-0.8 s early, mixed). The reference RTTM
comes from each piece's own speech activity (Silero VAD on the piece alone), shifted to where it is put.
Everything is written under ``cache_dir`` (a temp folder by default) and is rebuilt from the seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Samples
from audio.meeting.der import parse_rttm, to_rttm
from audio.meeting.models import SpeakerTurn
from audio.sources import read_file
from audio.vad import SileroVad
from audio.wav import write_wav

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT.parent / "shared" / "audio"
TWO_SPEAKERS = "meeting_two_speakers"


@dataclass
class Voice:
    name: str
    first: Samples  # tune / enrolment half
    second: Samples  # held-apart half


@dataclass
class EvalFile:
    name: str
    part: str  # "committed", "tune" or "held-apart"
    wav: Path
    reference: list[SpeakerTurn]
    voices: list[str] = field(default_factory=list)

    @property
    def speakers(self) -> int:
        return len({t.speaker for t in self.reference})


def speech_spans(audio: Samples, vad: SileroVad, on: float = 0.5, off: float = 0.35,
                 bridge_s: float = 0.3) -> list[tuple[float, float]]:
    """Speech spans of a clip by Silero VAD (hysteresis), gaps shorter than ``bridge_s`` bridged."""
    probs = vad.probabilities(audio)
    step = FRAME_SAMPLES / SAMPLE_RATE
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for i, p in enumerate(probs.tolist()):
        if p >= on and start is None:
            start = i * step
        elif p < off and start is not None:
            spans.append((start, i * step))
            start = None
    if start is not None:
        spans.append((start, len(probs) * step))
    merged: list[tuple[float, float]] = []
    for s, e in spans:
        if merged and s - merged[-1][1] < bridge_s:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _speech_only(audio: Samples, spans: list[tuple[float, float]], pad_s: float = 0.15) -> Samples:
    parts = [audio[max(0, int((s - pad_s) * SAMPLE_RATE)): int((e + pad_s) * SAMPLE_RATE)] for s, e in spans]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def _level(a: Samples, target_rms: float = 0.05) -> Samples:
    rms = float(np.sqrt(np.mean(a * a))) if len(a) else 0.0
    return (a * (target_rms / rms)).astype(np.float32) if rms > 1e-5 else a


def voices(audio_dir: Path = AUDIO) -> list[Voice]:
    """The voices of the shared clips, speech only, each split into a first and a second half."""
    vad = SileroVad()
    raw: dict[str, Samples] = {
        "jfk": read_file(audio_dir / "jfk.flac"),
        "timit": read_file(audio_dir / "timit_ldc93s1.wav"),
        "wizard": read_file(audio_dir / "stereo_two_speakers.wav", channel=0),
        "horizon": read_file(audio_dir / "stereo_two_speakers.wav", channel=1),
        "licence": read_file(audio_dir / "multilingual_en_de.mp3"),
        "comfy": read_file(audio_dir / "hotwords.mp3"),
        "silero": read_file(audio_dir / "vad_speech_60s.wav"),
    }
    out: list[Voice] = []
    for name, a in raw.items():
        speech = _level(_speech_only(a, speech_spans(a, vad)))
        half = len(speech) // 2
        out.append(Voice(name, speech[:half], speech[half:]))
    meeting = read_file(audio_dir / f"{TWO_SPEAKERS}.wav")
    turns = parse_rttm((audio_dir / f"{TWO_SPEAKERS}.rttm").read_text())
    n = len(meeting)
    active = {spk: np.zeros(n, bool) for spk in {t.speaker for t in turns}}
    for t in turns:
        active[t.speaker][int(t.start * SAMPLE_RATE): int(t.end * SAMPLE_RATE)] = True
    for spk in sorted(active):
        alone = active[spk] & ~np.any([m for k, m in active.items() if k != spk], axis=0)
        speech = _level(meeting[alone])  # this voice alone (overlaps cut out)
        half = len(speech) // 2
        out.append(Voice(f"pyannote-{spk}", speech[:half], speech[half:]))
    return out


def _piece(pool: Samples, rng: random.Random, lo_s: float = 2.0, hi_s: float = 5.0) -> Samples:
    n = min(len(pool), int(rng.uniform(lo_s, hi_s) * SAMPLE_RATE))
    at = rng.randrange(0, max(1, len(pool) - n + 1))
    gain = 10 ** (rng.uniform(-4, 4) / 20)
    return (pool[at: at + n] * gain).astype(np.float32)


def build_file(name: str, part: str, chosen: list[Voice], rng: random.Random, turns: int, vad: SileroVad,
               cache_dir: Path) -> EvalFile:
    half = "first" if part == "tune" else "second"
    track = np.zeros(int(0.5 * SAMPLE_RATE), np.float32)
    ref: list[SpeakerTurn] = []
    order = [chosen[i % len(chosen)] for i in range(turns)]
    if len(chosen) > 2:  # every voice once, then any order (no voice twice in a row)
        rest = order[len(chosen):]
        rng.shuffle(rest)
        order = order[:len(chosen)] + rest
        for i in range(1, len(order)):
            if order[i].name == order[i - 1].name:
                order[i] = next(v for v in chosen if v.name != order[i - 1].name)
    for i, v in enumerate(order):
        piece = _piece(getattr(v, half), rng)
        overlap = i > 0 and rng.random() < 0.25
        shift = -int(rng.uniform(0.3, 0.8) * SAMPLE_RATE) if overlap else int(rng.uniform(0.2, 0.8) * SAMPLE_RATE)
        at = max(0, len(track) + shift)
        end = at + len(piece)
        if end > len(track):
            track = np.concatenate([track, np.zeros(end - len(track), np.float32)])
        track[at:end] += piece
        for s, e in speech_spans(piece, vad):
            ref.append(SpeakerTurn(start=round(at / SAMPLE_RATE + s, 3), end=round(at / SAMPLE_RATE + e, 3),
                                   speaker=v.name))
    track = np.concatenate([track, np.zeros(int(0.5 * SAMPLE_RATE), np.float32)])
    peak = float(np.max(np.abs(track))) if len(track) else 0.0
    if peak > 0.99:
        track = track * (0.99 / peak)
    wav = write_wav(cache_dir / f"{name}.wav", track.astype(np.float32), SAMPLE_RATE)
    (cache_dir / f"{name}.rttm").write_text(to_rttm(name, ref), encoding="utf-8")
    return EvalFile(name, part, wav, sorted(ref, key=lambda t: t.start), [v.name for v in chosen])


def build_set(cache_dir: Path, audio_dir: Path = AUDIO, seed: int = 23) -> list[EvalFile]:
    """The committed two-speaker file, then 8 tune and 8 held-apart files (1-3 voices each)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    committed = EvalFile(TWO_SPEAKERS, "committed", audio_dir / f"{TWO_SPEAKERS}.wav",
                         parse_rttm((audio_dir / f"{TWO_SPEAKERS}.rttm").read_text()), [])
    pool = voices(audio_dir)
    vad = SileroVad()
    out = [committed]
    for part, rng in (("tune", random.Random(seed)), ("held-apart", random.Random(seed + 1000))):
        for i, k in enumerate((1, 1, 2, 2, 2, 3, 3, 3)):
            chosen = rng.sample(pool, k)
            turns = {1: 4, 2: 7, 3: 9}[k]
            out.append(build_file(f"{part}-{i + 1}-{k}spk", part, chosen, rng, turns, vad, cache_dir))
    return out
