"""Done-when 1: the two-speaker meeting fed as a live source (real-time pace) gives a timestamped
transcript with two speakers; the DER against the reference RTTM is reported and bounded.

Bound: DER ≤ 0.25 (pyannote-style scoring, collar 0.25 s = ±0.125 s, overlap scored). Labelling every
speech frame as one speaker scores 0.50 on this file and the overlapped speech alone (one label per frame)
costs ~0.06 of missed speech, so 0.25 demands that clearly more than half of the attributable confusion
is resolved; the method measures ~0.09 here, the bound leaves room for VAD and k-means variation."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.meetings.events import MeetingEvent
from audio.meeting.capture import FileSource
from audio.meeting.der import diarization_error_rate, read_rttm
from audio.meeting.playback import read_audio
from audio.sources import read_file
from tests.meetings.conftest import MEETING, ServiceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DER_BOUND = 0.25


def test_live_two_speaker_meeting(shared_audio: Path, recognizer: object, make_service: ServiceFactory) -> None:
    svc = make_service(recognizer=recognizer)
    events: list[MeetingEvent] = []
    svc.subscribe(events.append)
    info = svc.start("Two speakers", source=FileSource(shared_audio / MEETING, speed=1.0), origin="file")
    done = svc.wait(timeout=300)
    assert done.id == info.id and done.state == "done" and done.error is None
    assert done.duration_s == pytest.approx(30.0, abs=0.1)

    live = [e for e in events if e.kind == "meeting_transcript"]
    assert len(live) >= 3, "transcript segments must appear while recording"
    levels = [e for e in events if e.kind == "meeting_level"]
    assert len(levels) > 100 and any(max(e.rms_db) > -40 for e in levels)
    segs = svc.transcript(info.id)
    assert [s.start for s in segs] == sorted(s.start for s in segs)
    assert all(0 <= s.start < s.end <= 30.2 for s in segs)
    text = " ".join(s.text for s in segs).lower()
    for word in ("new jersey", "chicago", "yankee"):
        assert word in text

    assert done.speakers == ["S1", "S2"]
    assert {s.speaker for s in segs} == {"S1", "S2"}
    turns = svc.speaker_turns(info.id)
    assert turns == svc.last_turns and {t.speaker for t in turns} == {"S1", "S2"}
    ref = read_rttm(shared_audio / "meeting_two_speakers.rttm")
    r = diarization_error_rate(ref, turns, collar=0.25, end_s=30.0)
    r0 = diarization_error_rate(ref, turns, collar=0.0, end_s=30.0)
    print(f"\nDER (collar 0.25 s pyannote-style) = {r.der:.3f} {r.model_dump()}\nDER (no collar) = {r0.der:.3f}")
    assert r.der <= DER_BOUND

    # the stored audio is the source, sample for sample within 16-bit quantisation
    audio = read_audio(svc.backend, svc.manifest(info.id))
    src = read_file(shared_audio / MEETING)
    assert abs(len(audio) - len(src)) < 600
    n = min(len(audio), len(src))
    assert float(abs(audio[:n, 0] - src[:n]).max()) < 1e-3
    assert done.notes is not None and done.notes.summary

