"""The playback report (what was spoken, what not) and resampling, without a device."""

from __future__ import annotations

import numpy as np
import pytest

from audio.playback import PlaybackReport, SegmentReport, resample, spoken_prefix

pytestmark = pytest.mark.unit


def _report(
    played: list[int], frames: list[int], reason: str = "barge_in", pending: str = ""
) -> PlaybackReport:
    texts = ["First sentence here.", "Second one is longer than the first.", "Third."]
    segs = [
        SegmentReport(text=t, frames=f, frames_played=p)
        for t, f, p in zip(texts, frames, played, strict=False)
    ]
    return PlaybackReport(
        sample_rate=22050,
        device="test",
        segments=segs,
        stop_reason=reason,
        pending_text=pending,  # type: ignore[arg-type]
    )


def test_all_played_is_all_spoken() -> None:
    r = _report([100, 200, 50], [100, 200, 50], reason="finished")
    assert r.spoken_text == "First sentence here. Second one is longer than the first. Third."
    assert r.unspoken_text == ""
    assert not r.interrupted


def test_interrupted_in_the_second_sentence() -> None:
    r = _report([100, 100, 0], [100, 200, 50])
    assert r.interrupted
    assert r.spoken_text == "First sentence here. Second one is …"
    assert r.unspoken_text == "longer than the first. Third."
    assert [s.complete for s in r.segments] == [True, False, False]


def test_interrupted_before_any_audio() -> None:
    r = _report([0, 0, 0], [100, 200, 50], pending="And more text")
    assert r.spoken_text == ""
    assert r.unspoken_text == "First sentence here. Second one is longer than the first. Third. And more text"


def test_sentence_without_audio_counts_as_spoken_when_reached() -> None:
    r = PlaybackReport(
        sample_rate=22050,
        device="t",
        segments=[
            SegmentReport(text="Hi.", frames=10, frames_played=10),
            SegmentReport(text="🎉", frames=0, frames_played=0),
            SegmentReport(text="Bye.", frames=10, frames_played=0),
        ],
        stop_reason="stop",
    )
    assert r.spoken_text == "Hi. 🎉"
    assert r.unspoken_text == "Bye."


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (0.0, ""),
        (0.05, ""),
        (0.1, "one"),
        (0.3, "one two"),
        (0.99, "one two three four five six seven"),
        (1.0, "one two three four five six seven eight"),
    ],
)
def test_spoken_prefix(fraction: float, expected: str) -> None:
    assert spoken_prefix("one two three four five six seven eight", fraction) == expected


def test_stop_measures() -> None:
    r = PlaybackReport(
        sample_rate=20000,
        device="t",
        segments=[],
        stop_reason="barge_in",
        stop_requested_at=10.0,
        stopped_at=10.004,
        frames_after_stop_request=200,
        output_latency_s=0.01,
    )
    assert r.stop_latency_s == pytest.approx(0.004)
    assert r.audio_after_stop_s == pytest.approx(0.02)


def test_resample_keeps_duration_and_shape() -> None:
    t = np.arange(22050) / 22050
    x = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    y = resample(x, 22050, 48000)
    assert y.dtype == np.float32
    assert len(y) == 48000
    # the tone is still 440 Hz: count zero crossings
    crossings = np.count_nonzero(np.diff(np.signbit(y)))
    assert 870 <= crossings <= 890
    assert resample(x, 22050, 22050) is x


def test_sentence_skipped_after_a_stop_is_not_spoken() -> None:
    r = PlaybackReport(
        sample_rate=22050,
        device="t",
        segments=[
            SegmentReport(text="Hi.", frames=10, frames_played=10),
            SegmentReport(text="Not synthesized.", frames=0, frames_played=0, skipped=True),
        ],
        stop_reason="stop",
    )
    assert r.spoken_text == "Hi."
    assert r.unspoken_text == "Not synthesized."
