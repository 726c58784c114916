"""Done-when 4: one hour of audio fed faster than real time. Memory growth after warm-up ≤ 50 MB and the
transcript is complete (every spoken clip transcribed, at the right time).

The hour is the two-speaker clip (30 s) every 20 minutes with digital silence between: the recorder,
segment writer (2400 FLAC segments), VAD, diarizer and database all run for the full hour, while Whisper
only has to decode the speech, which keeps this test within a CI budget on 2 cores."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from app.meetings.events import MeetingEvent
from audio.meeting.synthetic import RepeatingClipSource, rss_mb
from audio.sources import read_file
from tests.meetings.conftest import MEETING, ServiceFactory

pytestmark = [pytest.mark.slow]


def test_one_hour_soak(shared_audio: Path, recognizer: object, make_service: ServiceFactory) -> None:
    clip = read_file(shared_audio / MEETING)
    source = RepeatingClipSource(clip, total_s=3600, every_s=1200)
    svc = make_service(recognizer=recognizer)
    mem: list[tuple[float, float]] = []

    def watch(e: MeetingEvent) -> None:
        if e.kind == "meeting_level" and int(e.audio_t * 10) % 600 == 0:  # every minute of audio
            mem.append((e.audio_t, rss_mb()))

    svc.subscribe(watch)
    gc.collect()
    info = svc.start("Soak", source=source, origin="file")
    done = svc.wait(timeout=1200)
    assert done.state == "done" and done.error is None
    assert done.duration_s == pytest.approx(3600, abs=0.5)
    # Growth is compared phase for phase: each 20-minute third of the hour holds one clip, and RSS rises
    # for a while when Whisper decodes it (transient working memory, released afterwards). Growth is the
    # peak of the last third minus the peak of the first third: a leak shows there, a transient does not.
    first = max(m for t, m in mem if t <= 1200)
    last = max(m for t, m in mem if t > 2400)
    print(f"\nRSS samples (audio s, MB): {[(round(t), round(m, 1)) for t, m in mem]}; growth {last - first:.1f} MB")
    assert len(mem) >= 30, "memory was not sampled through the hour"
    assert last - first <= 50.0
    segs = svc.transcript(info.id)
    starts = source.clip_starts()
    for t0 in starts:  # each clip transcribed, at its place in the hour
        in_clip = [s for s in segs if t0 <= s.start < t0 + 31]
        text = " ".join(s.text for s in in_clip).lower()
        assert "new jersey" in text and "chicago" in text, (t0, text)
    assert all(any(t0 <= s.start < t0 + 31 for t0 in starts) for s in segs)  # nothing from the silence
    assert len(svc.manifest(info.id).segments) == 2400
