"""The long synthetic meeting sources of soaks and benchmarks: one loop of real audio, played again."""

from __future__ import annotations

import numpy as np
import pytest

from audio.frames import SAMPLE_RATE
from audio.meeting.synthetic import LoopedClipsSource, RepeatingClipSource

pytestmark = pytest.mark.unit


def _all(src: LoopedClipsSource) -> np.ndarray:
    return np.concatenate([b[:, 0] for b in src.blocks()])


def test_a_clip_repeats_at_its_interval_with_silence_between() -> None:
    clip = np.linspace(0.1, 0.5, int(0.3 * SAMPLE_RATE), dtype=np.float32)
    src = RepeatingClipSource(clip, total_s=2.5, every_s=1.0)
    out = _all(src)
    assert len(out) == int(2.5 * SAMPLE_RATE)
    assert src.clip_starts() == [0.0, 1.0, 2.0]
    for t0 in src.clip_starts():
        at = int(t0 * SAMPLE_RATE)
        assert np.array_equal(out[at: at + len(clip)], clip)
        assert not out[at + len(clip): at + SAMPLE_RATE].any()
    with pytest.raises(ValueError):
        RepeatingClipSource(clip, total_s=2, every_s=0.1)


def test_clips_loop_back_to_back_across_blocks() -> None:
    a = np.full(1000, 0.2, np.float32)
    b = np.full(700, -0.3, np.float32)
    src = LoopedClipsSource([a, b], total_s=1.0, gap_s=0.01)
    out = _all(src)
    loop = np.concatenate([a, np.zeros(160, np.float32), b, np.zeros(160, np.float32)])
    want = np.tile(loop, SAMPLE_RATE // len(loop) + 1)[:SAMPLE_RATE]
    assert np.array_equal(out, want)
    src.stop()
    assert list(src.blocks()) == []
