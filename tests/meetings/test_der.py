"""The DER scorer: exact cases that can be worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.meeting.der import diarization_error_rate, read_rttm
from audio.meeting.models import SpeakerTurn as T

pytestmark = pytest.mark.unit

REF = [T(start=0, end=10, speaker="A"), T(start=10, end=20, speaker="B")]


def test_perfect_and_relabelled_hypotheses_score_zero() -> None:
    assert diarization_error_rate(REF, REF, collar=0).der == 0.0
    swapped = [T(start=0, end=10, speaker="x"), T(start=10, end=20, speaker="y")]
    r = diarization_error_rate(REF, swapped, collar=0)
    assert r.der == 0.0 and r.mapping == {"x": "A", "y": "B"}


def test_miss_false_alarm_and_confusion() -> None:
    assert diarization_error_rate(REF, [], collar=0).missed == 1.0
    one = [T(start=0, end=20, speaker="x")]  # everything one speaker: half is confused
    r = diarization_error_rate(REF, one, collar=0)
    assert r.confusion == pytest.approx(0.5, abs=0.01) and r.missed == 0 and r.false_alarm == 0
    extra = [*REF, T(start=20, end=25, speaker="A")]
    assert diarization_error_rate(REF, extra, collar=0).false_alarm == pytest.approx(0.25, abs=0.01)


def test_overlap_counts_twice_and_collar_excludes_boundaries() -> None:
    ref = [T(start=0, end=10, speaker="A"), T(start=5, end=10, speaker="B")]
    r = diarization_error_rate(ref, [T(start=0, end=10, speaker="x")], collar=0)
    assert r.total_speech_s == pytest.approx(15, abs=0.05) and r.missed == pytest.approx(1 / 3, abs=0.01)
    late = [T(start=0.1, end=10, speaker="x")]
    single = [T(start=0, end=10, speaker="A")]
    assert diarization_error_rate(single, late, collar=0).der > 0
    assert diarization_error_rate(single, late, collar=0.25).der == 0.0  # ±0.125 s around 0 and 10


def test_rttm_reading(tmp_path: Path) -> None:
    p = tmp_path / "x.rttm"
    p.write_text("SPEAKER f 1 1.50 2.00 <NA> <NA> alice <NA> <NA>\n\nSPEAKER f 1 4.0 1.0 <NA> <NA> bob <NA> <NA>\n")
    assert read_rttm(p) == [T(start=1.5, end=3.5, speaker="alice"), T(start=4.0, end=5.0, speaker="bob")]
    p.write_text("SPEAKER f 1 1.5\n")
    with pytest.raises(ValueError, match="8 fields"):
        read_rttm(p)
