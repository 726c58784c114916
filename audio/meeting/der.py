"""Diarization error rate, scored the way pyannote.metrics does it.

DER = (missed speech + false alarm + speaker confusion) / total reference speech, on a 10 ms grid,
overlapping speech scored (a frame with two reference speakers counts twice), the hypothesis speakers
mapped to reference speakers one-to-one so that the matched time is largest (optimal mapping).

``collar`` follows pyannote.metrics: a collar of that total width (half before, half after) around
every reference boundary is not scored. The customary 0.25 s therefore means ±0.125 s; NIST md-eval's
``-c 0.25`` means ±0.25 s, which is ``collar=0.5`` here."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from audio.meeting.models import SpeakerTurn

STEP = 0.01


class DerResult(BaseModel):
    der: float
    missed: float
    false_alarm: float
    confusion: float
    total_speech_s: float
    collar: float
    mapping: dict[str, str]


def read_rttm(path: str | Path) -> list[SpeakerTurn]:
    return parse_rttm(Path(path).read_text(encoding="utf-8"), str(path))


def to_rttm(file_id: str, turns: list[SpeakerTurn]) -> str:
    return "".join(f"SPEAKER {file_id} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} <NA> <NA>\n"
                   for t in turns)


def parse_rttm(text: str, path: str = "rttm") -> list[SpeakerTurn]:
    out: list[SpeakerTurn] = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts or parts[0] != "SPEAKER":
            continue
        if len(parts) < 8:
            raise ValueError(f"{path}:{n}: an RTTM SPEAKER line needs at least 8 fields")
        start, dur = float(parts[3]), float(parts[4])
        out.append(SpeakerTurn(start=start, end=round(start + dur, 6), speaker=parts[7]))
    return out


def _grid(turns: list[SpeakerTurn], speakers: list[str], n: int) -> np.ndarray:
    g = np.zeros((n, max(1, len(speakers))), bool)
    for t in turns:
        g[round(t.start / STEP) : round(t.end / STEP), speakers.index(t.speaker)] = True
    return g


def diarization_error_rate(
    reference: list[SpeakerTurn], hypothesis: list[SpeakerTurn], collar: float = 0.25, end_s: float | None = None
) -> DerResult:
    end = end_s or max([t.end for t in reference + hypothesis] + [0.0])
    n = round(end / STEP) + 1
    rs = sorted({t.speaker for t in reference})
    hs = sorted({t.speaker for t in hypothesis})
    ref, hyp = _grid(reference, rs, n), _grid(hypothesis, hs, n)
    keep = np.ones(n, bool)
    half = collar / 2
    if half > 0:
        for t in reference:
            for b in (t.start, t.end):
                keep[max(0, round((b - half) / STEP)) : round((b + half) / STEP)] = False
    ref, hyp = ref[keep], hyp[keep]
    nr, nh = ref.sum(1), hyp.sum(1)
    total = int(nr.sum())
    co = (hyp[:, :, None] & ref[:, None, :]).sum(0) if hs and rs else np.zeros((1, 1), int)
    best, best_map = 0, dict[str, str]()
    size = max(len(hs), len(rs))
    for perm in itertools.permutations(range(size), len(hs)):
        got = sum(int(co[h, r]) for h, r in enumerate(perm) if r < len(rs))
        if got > best or not best_map:
            best, best_map = got, {hs[h]: rs[r] for h, r in enumerate(perm) if r < len(rs)}
    miss = int(np.maximum(0, nr - nh).sum())
    fa = int(np.maximum(0, nh - nr).sum())
    conf = int(np.minimum(nr, nh).sum()) - best
    d = max(total, 1)
    return DerResult(
        der=round((miss + fa + conf) / d, 4), missed=round(miss / d, 4), false_alarm=round(fa / d, 4),
        confusion=round(conf / d, 4), total_speech_s=round(total * STEP, 2), collar=collar, mapping=best_map,
    )
