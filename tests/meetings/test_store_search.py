"""Full-text search over transcripts on SQLite (FTS5) and real PostgreSQL (tsvector): meeting, time
stamp and snippet; any user text is a valid query; the hit's time stamp plays audio from that moment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from agents.domains import migration_folders
from agents.meetings.export import export
from agents.meetings.store import MeetingNotFound, MeetingStore
from audio.meeting.models import Manifest, TranscriptSegment
from audio.meeting.playback import iter_audio
from audio.meeting.segments import SegmentWriter
from storage.db.engine import Database
from storage.local import LocalBackend

SEGS = [
    TranscriptSegment(start=1.0, end=4.0, text="Welcome everyone, let's review the budget.", speaker="S1"),
    TranscriptSegment(start=65.5, end=70.0, text="We decided to ship the release on Friday.", speaker="S2"),
    TranscriptSegment(start=3601.0, end=3605.0, text="Über die Größe des Büros reden wir später.", speaker="S1"),
]
ODD = ['"', "budget\"'", "NEAR(", "*", "a OR b AND", "-- drop table", "()", "ünïcödé", "release:", "%_"]


def _fill(db: Database) -> MeetingStore:
    store = MeetingStore(db)
    store.create("m1", "Planning", "mic", 1, "local", "meetings/m1", "h:1", datetime(2026, 1, 5, 9, tzinfo=UTC))
    for s in SEGS:
        store.add_segment("m1", s)
    store.create("m2", "Other", "import", 1, "local", "meetings/m2", "h:1")
    store.add_segment("m2", TranscriptSegment(start=0.5, end=2.0, text="Nothing about money here.", speaker="S1"))
    return store


def _check(store: MeetingStore) -> None:
    hits = store.search("release")
    assert len(hits) == 1
    h = hits[0]
    assert (h.meeting_id, h.title, h.start, h.speaker) == ("m1", "Planning", 65.5, "Speaker 2")  # as people read it
    assert "[release]" in h.snippet.lower() or "[Release]" in h.snippet
    assert h.started_at == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert [x.start for x in store.search("budget review")] == [1.0]
    assert [x.start for x in store.search("release", speaker="Speaker 2")] == [65.5]  # by speaker, every dialect
    assert store.search("release", speaker="Speaker 1") == []
    assert [x.meeting_id for x in store.search("Größe")] == ["m1"]
    assert store.search("nonexistentword") == []
    # a question: no passage has all its words; its key words find the passage (most of them first)
    assert [x.start for x in store.search("what did we decide about the release in the meeting")] == [65.5]
    assert [x.start for x in store.search("Was wurde über die Größe des Büros gesagt?")] == [3601.0]
    for q in ODD:  # never an SQL or FTS syntax error
        assert isinstance(store.search(q), list)
    assert store.search("   ") == []
    # replacing segments (final speakers) keeps the index in step
    store.replace_segments("m2", [TranscriptSegment(start=0.5, end=2.0, text="Budget talk after all.", speaker="S2")])
    assert sorted(x.meeting_id for x in store.search("budget")) == ["m1", "m2"]
    assert store.search("money") == []
    with pytest.raises(MeetingNotFound):
        store.resolve("zzz")
    assert store.resolve("m1").id == "m1"


@pytest.mark.unit
def test_sqlite_fts5(db: Database) -> None:
    _check(_fill(db))


@pytest.mark.integration
def test_postgresql_fulltext(postgres_server) -> None:  # type: ignore[no-untyped-def]
    db = Database(postgres_server.url, migration_folders())

    db.migrate()
    try:
        with db.engine.begin() as c:
            c.exec_driver_sql("DELETE FROM meeting_segments; DELETE FROM meetings")
        _check(_fill(db))
    finally:
        with db.engine.begin() as c:
            c.exec_driver_sql("DELETE FROM meeting_segments; DELETE FROM meetings")
        db.downgrade("meetings@base")
        db.migrate()
        db.dispose()


@pytest.mark.unit
def test_hit_plays_audio_from_its_moment(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "rec")
    m = Manifest(meeting_id="m", title="t", started_at=datetime.now(UTC), segment_s=1.5)
    w = SegmentWriter(backend, "meetings/m", m)
    ramp = (np.arange(16_000 * 10, dtype=np.float32) / (16_000 * 10) - 0.5).reshape(-1, 1)
    for i in range(0, len(ramp), 1000):
        w.push(ramp[i : i + 1000])
    w.flush()
    w.write_manifest()
    assert len(m.segments) == 7 and m.duration_s == pytest.approx(10.0)
    first = next(iter_audio(backend, m, start_s=6.2))
    assert abs(float(first[0, 0]) - float(ramp[int(6.2 * 16_000), 0])) < 1e-3


@pytest.mark.unit
def test_exports(db: Database) -> None:
    store = _fill(db)
    info = store.get("m1")
    segs = store.segments("m1")
    srt = export(info, segs, "srt")
    assert "2\n00:01:05,500 --> 00:01:10,000\nSpeaker 2: We decided" in srt  # labels as people read them
    vtt = export(info, segs, "vtt")
    assert vtt.startswith("WEBVTT") and "01:00:01.000 --> 01:00:05.000\n<v Speaker 1>Über" in vtt
    md = export(info, segs, "md")
    assert md.startswith("# Planning") and "**[01:05] Speaker 2:** We decided" in md
    import json

    data = json.loads(export(info, segs, "json"))
    assert data["meeting"]["id"] == "m1" and len(data["segments"]) == 3
    with pytest.raises(ValueError, match="md, srt, vtt, json"):
        export(info, segs, "docx")


def test_a_speaker_is_named_everywhere_in_the_meeting_and_search_still_finds_it(db: Database) -> None:
    from agents.meetings.models import ActionItem, MeetingNotes

    store = _fill(db)
    store.update("m1", speakers=["S1", "S2"], notes=MeetingNotes(
        summary="S1 opened; S2 decided the release.", decisions=["S2 ships on Friday"],
        action_items=[ActionItem(text="S1 reviews the budget", owner="S1")]))
    info = store.rename_speaker("m1", "S1", "  Anna  Schmidt ")
    assert info.speakers == ["Anna Schmidt", "S2"]
    assert [s.speaker for s in store.segments("m1")] == ["Anna Schmidt", "S2", "Anna Schmidt"]
    assert [s.speaker for s in store.segments("m2")] == ["S1"]  # another meeting's S1 is someone else
    assert info.notes is not None and info.notes.summary == "Anna Schmidt opened; S2 decided the release."
    assert (info.notes.action_items[0].text, info.notes.action_items[0].owner) == ("Anna Schmidt reviews the budget",
                                                                                   "Anna Schmidt")
    assert store.rename_speaker("m1", "S2", "Anna Schmidt").speakers == ["Anna Schmidt"]  # one person, two labels
    assert [x.start for x in store.search("release")] == [65.5]
    for old, new in (("S9", "Bob"), ("Anna Schmidt", ""), ("Anna Schmidt", "x" * 61), ("Anna Schmidt", "a\x1bb")):
        with pytest.raises(ValueError):
            store.rename_speaker("m1", old, new)
    with pytest.raises(MeetingNotFound):
        store.rename_speaker("zzz", "S1", "Bob")


def test_search_by_speaker(db: Database) -> None:
    """ "what did Anna say about the release": only that speaker's passages."""
    store = _fill(db)
    assert [h.start for h in store.search("release", speaker="Speaker 2")] == [65.5]
    assert store.search("release", speaker="Speaker 1") == []
    store.update("m1", speakers=["S1", "S2"])
    store.rename_speaker("m1", "S2", "Anna")
    hits = store.search("the release", speaker="anna")
    assert [(h.start, h.speaker) for h in hits] == [(65.5, "Anna")]
    assert store.search("release", speaker="Ben") == []
