"""Voice profiles: a speaker named once ("Speaker 2 is Anna") is recognised in later meetings.

A profile is the mean unit speaker vector of what was heard of that person (the audio layer's voice
vectors; here they are only arrays). It lives in the main database (encrypted with the other data when
encryption at rest is on) and is deleted by "forget Anna's voice". A meeting's speakers keep their vector,
the profile they matched and the cosine score, so a name given later can be learnt from it and the reason
for a label can be shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, select

from agents.meetings.db import MeetingVoiceRow, VoiceProfileRow
from storage.db.engine import Database

Vector = npt.NDArray[np.float32]
MATCH_THRESHOLD = 0.75  # cosine of a meeting speaker's vector and a profile's; below: not that person
MATCH_MARGIN = 0.03  # and this far above the next profile, else it is not clear who it is


def _unit(v: Vector) -> Vector:
    return (v / max(float(np.linalg.norm(v)), 1e-9)).astype(np.float32)


def _vec(data: bytes) -> Vector:
    return np.frombuffer(data, "<f4").astype(np.float32)


def best_match(vector: Vector, profiles: list[tuple[str, Vector]], threshold: float = MATCH_THRESHOLD,
               margin: float = MATCH_MARGIN) -> tuple[str, float] | None:
    """The profile ``vector`` is: cosine >= threshold and at least ``margin`` above the next one."""
    if not profiles:
        return None
    scores = sorted(((float(_unit(vector) @ _unit(p)), name) for name, p in profiles), reverse=True)
    best, name = scores[0]
    second = scores[1][0] if len(scores) > 1 else -1.0
    return (name, round(best, 4)) if best >= threshold and best - second >= margin else None


@dataclass
class Match:
    speaker: str
    profile: str
    score: float


@dataclass
class MeetingVoice:
    speaker: str
    vector: Vector
    samples: int
    profile: str | None = None
    score: float | None = None


class VoiceProfiles:
    def __init__(self, db: Database) -> None:
        self.db = db

    def names(self) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(VoiceProfileRow.name).order_by(VoiceProfileRow.name)))

    def find(self, name: str) -> str | None:
        """The stored name that ``name`` means (case and a trailing 's / s ignored), or None."""
        want = " ".join(name.split()).casefold()
        names = self.names()
        for cand in (want, want.removesuffix("'s"), want.removesuffix("s")):
            for n in names:
                if n.casefold() == cand:
                    return n
        return None

    def enrol(self, name: str, vector: Vector, samples: int) -> None:
        """Add what was heard of ``name`` to their profile (a weighted mean), or start one."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            row = s.scalars(select(VoiceProfileRow).where(VoiceProfileRow.name == name)).first()
            if row is None:
                s.add(VoiceProfileRow(name=name, vector=_unit(vector).tobytes(), samples=samples, created_at=now,
                                      updated_at=now))
                return
            n_old = max(1, row.samples)
            mixed = _unit(_vec(row.vector) * n_old + _unit(vector) * max(1, samples))
            row.vector, row.samples, row.updated_at = mixed.tobytes(), n_old + samples, now

    def forget(self, name: str) -> str | None:
        """Delete a profile (and the matches it made keep their names, not the voice); the name deleted."""
        stored = self.find(name)
        if stored is None:
            return None
        with self.db.session() as s:
            s.execute(delete(VoiceProfileRow).where(VoiceProfileRow.name == stored))
            for row in s.scalars(select(MeetingVoiceRow).where(MeetingVoiceRow.profile == stored)):
                row.profile = None
        return stored

    def match(self, voices: dict[str, tuple[Vector, int]], threshold: float = MATCH_THRESHOLD,
              margin: float = MATCH_MARGIN) -> list[Match]:
        """Meeting speakers that are a known voice: score >= threshold and clearly the best profile; each
        profile names at most one speaker (the best scoring)."""
        with self.db.session() as s:
            profiles = [(r.name, _vec(r.vector)) for r in s.scalars(select(VoiceProfileRow))]
        if not profiles or not voices:
            return []
        cands: list[Match] = []
        for spk, (vec, _n) in voices.items():
            got = best_match(vec, profiles, threshold, margin)
            if got is not None:
                cands.append(Match(spk, *got))
        out: list[Match] = []
        for m in sorted(cands, key=lambda m: -m.score):
            if all(m.profile != o.profile and m.speaker != o.speaker for o in out):
                out.append(m)
        return out

    # ----------------------------------------------------------------------------- meeting voices

    def save_meeting(self, meeting_id: str, voices: list[MeetingVoice]) -> None:
        with self.db.session() as s:
            s.execute(delete(MeetingVoiceRow).where(MeetingVoiceRow.meeting_id == meeting_id))
            for v in voices:
                s.add(MeetingVoiceRow(meeting_id=meeting_id, speaker=v.speaker, vector=_unit(v.vector).tobytes(),
                                      samples=v.samples, profile=v.profile, score=v.score))

    def of_meeting(self, meeting_id: str) -> list[MeetingVoice]:
        with self.db.session() as s:
            rows = s.scalars(select(MeetingVoiceRow).where(MeetingVoiceRow.meeting_id == meeting_id)
                             .order_by(MeetingVoiceRow.id))
            return [MeetingVoice(r.speaker, _vec(r.vector), r.samples, r.profile, r.score) for r in rows]

    def name_speaker(self, meeting_id: str, old: str, new: str) -> bool:
        """A meeting's speaker was given a name: relabel their vector and learn the voice (True if the
        meeting had a vector for them)."""
        with self.db.session() as s:
            row = s.scalars(select(MeetingVoiceRow).where(MeetingVoiceRow.meeting_id == meeting_id,
                                                          MeetingVoiceRow.speaker == old)).first()
            if row is None:
                return False
            row.speaker, row.profile, row.score = new, new, None
            vector, samples = _vec(row.vector), row.samples
        self.enrol(new, vector, samples)
        return True
