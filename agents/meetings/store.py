"""The meetings' database side: rows, transcript segments, notes, and full-text search (FTS5 on SQLite,
tsvector on PostgreSQL) that returns meeting, time stamp and snippet."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, text, update

from agents.meetings.db import MeetingRow, MeetingSegmentRow
from agents.meetings.models import (
    MeetingInfo,
    MeetingNotes,
    SearchHit,
    SegmentLike,
    TranscriptLine,
    speaker_label,
)
from storage.db.engine import Database


class MeetingNotFound(LookupError):
    """No meeting with that id."""


def _aware(dt: datetime | None) -> datetime | None:
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=UTC)


def _info(row: MeetingRow) -> MeetingInfo:
    started = _aware(row.started_at)
    assert started is not None
    return MeetingInfo(
        id=row.id, title=row.title, state=row.state, source=row.source, started_at=started,
        ended_at=_aware(row.ended_at), duration_s=row.duration_s, channels=row.channels,
        speakers=list(row.speakers or []), storage_prefix=row.storage_prefix,
        notes=MeetingNotes.model_validate(row.notes) if row.notes else None, error=row.error,
    )


_WORD = re.compile(r"\w+", re.UNICODE)


# words that say little about what was said (a question's frame), left out when no passage has every word
_COMMON = frozenset(["what", "when", "where", "which", "there", "their", "they", "them", "that", "this", "these",
    "those", "with", "about", "from", "have", "were", "been", "said", "says", "talk", "talked", "meeting",
    "meetings", "recording", "recordings", "transcript", "transcripts", "decide", "decided", "anything", "something",
    "über", "wurde", "wurden", "haben", "hatte", "sagt", "sagte", "gesagt", "dass", "denn", "eine", "einer", "einem",
    "einen", "dem", "den", "der", "die", "das", "beim", "besprechung", "sitzung", "aufnahme", "gesprochen",
    "beschlossen"])


def _stored_speaker(speaker: str | None) -> str | None:
    """How a speaker is stored, lower case: "Speaker 2" / "speaker 2" -> "s2", a name as it is."""
    if not speaker or not speaker.strip():
        return None
    s = " ".join(speaker.split()).casefold()
    m = re.fullmatch(r"(?:speaker|sprecher(?:in)?) (\d+)", s)
    return f"s{m.group(1)}" if m else s


def fts_words(query: str) -> list[str]:
    """The words of a user query (punctuation and operators dropped, so any text is a valid query)."""
    return _WORD.findall(query.lower())[:12]


class MeetingStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---------------------------------------------------------------------------------- meetings

    def create(self, meeting_id: str, title: str, source: str, channels: int, storage_kind: str,
               prefix: str, host_pid: str, started_at: datetime | None = None) -> MeetingInfo:
        with self.db.session() as s:
            row = MeetingRow(id=meeting_id, title=title, state="recording", source=source, channels=channels,
                             storage_kind=storage_kind, storage_prefix=prefix, host_pid=host_pid, speakers=[],
                             started_at=started_at or datetime.now(UTC), duration_s=0.0)
            s.add(row)
            s.flush()
            return _info(row)

    def get(self, meeting_id: str) -> MeetingInfo:
        with self.db.session() as s:
            row = s.get(MeetingRow, meeting_id)
            if row is None:
                raise MeetingNotFound(f"no meeting with id {meeting_id!r} (the list of meetings shows the ids)")
            return _info(row)

    def update(self, meeting_id: str, **values: Any) -> MeetingInfo:
        with self.db.session() as s:
            row = s.get(MeetingRow, meeting_id)
            if row is None:
                raise MeetingNotFound(f"no meeting with id {meeting_id!r}")
            for k, v in values.items():
                if k == "notes" and isinstance(v, MeetingNotes):
                    v = v.model_dump(mode="json")
                setattr(row, k, v)
            s.flush()
            return _info(row)

    def recent(self, limit: int = 50) -> list[MeetingInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(MeetingRow).order_by(MeetingRow.started_at.desc()).limit(limit))
            return [_info(r) for r in rows]

    def unfinished(self) -> list[MeetingInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(MeetingRow).where(MeetingRow.state.in_(("recording", "paused", "processing"))))
            return [_info(r) for r in rows]

    def resolve(self, ref: str) -> MeetingInfo:
        """A meeting by full id or unique id prefix."""
        with self.db.session() as s:
            row = s.get(MeetingRow, ref)
            if row is None:
                rows = list(s.scalars(select(MeetingRow).where(MeetingRow.id.like(f"{ref}%")).limit(2)))
                if len(rows) != 1:
                    what = "no meeting" if not rows else "more than one meeting"
                    raise MeetingNotFound(f"{what} with id {ref!r} (the list of meetings shows the ids)")
                row = rows[0]
            return _info(row)

    # --------------------------------------------------------------------------------- transcript

    def add_segment(self, meeting_id: str, seg: SegmentLike) -> int:
        with self.db.session() as s:
            row = MeetingSegmentRow(meeting_id=meeting_id, start_s=seg.start, end_s=seg.end, speaker=seg.speaker,
                                    channel=seg.channel, language=seg.language, text=seg.text)
            s.add(row)
            s.flush()
            return row.id

    def segments(self, meeting_id: str) -> list[TranscriptLine]:
        with self.db.session() as s:
            rows = s.scalars(select(MeetingSegmentRow).where(MeetingSegmentRow.meeting_id == meeting_id)
                             .order_by(MeetingSegmentRow.start_s, MeetingSegmentRow.id))
            return [TranscriptLine(start=r.start_s, end=r.end_s, text=r.text, speaker=r.speaker,
                                   channel=r.channel, language=r.language) for r in rows]

    def replace_segments(self, meeting_id: str, segments: Sequence[SegmentLike]) -> None:
        with self.db.session() as s:
            s.execute(delete(MeetingSegmentRow).where(MeetingSegmentRow.meeting_id == meeting_id))
            for seg in segments:
                s.add(MeetingSegmentRow(meeting_id=meeting_id, start_s=seg.start, end_s=seg.end, speaker=seg.speaker,
                                        channel=seg.channel, language=seg.language, text=seg.text))

    def rename_speaker(self, meeting_id: str, old: str, new: str) -> MeetingInfo:
        """Every line of ``old`` becomes ``new``'s, in the transcript, the speaker list and the notes (a
        diarizer's two labels for one person may be given one name). One transaction."""
        new = " ".join(new.split())
        if not new or len(new) > 60 or any(unicodedata.category(c)[0] == "C" for c in new):
            raise ValueError("a speaker's name is 1 to 60 printable characters")
        label = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)")
        with self.db.session() as s:
            row = s.get(MeetingRow, meeting_id)
            if row is None:
                raise MeetingNotFound(f"no meeting with id {meeting_id!r}")
            if old not in (row.speakers or []):
                raise ValueError(f"no speaker {old!r} in this meeting")
            s.execute(update(MeetingSegmentRow).where(MeetingSegmentRow.meeting_id == meeting_id,
                                                      MeetingSegmentRow.speaker == old).values(speaker=new))
            row.speakers = list(dict.fromkeys(new if x == old else x for x in row.speakers))
            if row.notes:
                notes = MeetingNotes.model_validate(row.notes)
                notes.summary = label.sub(new, notes.summary)
                notes.decisions = [label.sub(new, d) for d in notes.decisions]
                for a in notes.action_items:
                    a.text = label.sub(new, a.text)
                    a.owner = new if a.owner == old else a.owner
                row.notes = notes.model_dump(mode="json")
            s.flush()
            return _info(row)

    # ------------------------------------------------------------------------------------- search

    def search(self, query: str, limit: int = 20, speaker: str | None = None) -> list[SearchHit]:
        """Passages with every word of the query, best first; when none has them all, passages with any of
        its key words ("the marketing budget in the budget meeting": marketing, budget), the most first.
        ``speaker`` (a name, "Speaker 2" or "S2"; case ignored): only what that speaker said."""
        words = fts_words(query)
        who = _stored_speaker(speaker)
        hits = self._search(words, limit, any_word=False, speaker=who)
        keys = list(dict.fromkeys(w for w in words if len(w) > 3 and w not in _COMMON))
        if not hits and keys and keys != words:
            hits = self._search(keys, limit, any_word=True, speaker=who)
        return hits

    def _search(self, words: list[str], limit: int, any_word: bool, speaker: str | None = None) -> list[SearchHit]:
        if not words:
            return []
        limit = max(1, min(limit, 200))
        who = " AND lower(s.speaker) = :who" if speaker else ""
        if self.db.dialect == "sqlite":
            match = (" OR " if any_word else " ").join('"' + w.replace('"', "") + '"' for w in words)
            sql = text(
                "SELECT s.meeting_id, m.title, m.started_at, s.start_s, s.speaker, s.text, "
                "snippet(meeting_segments_fts, 0, '[', ']', '…', 12) AS snip "
                "FROM meeting_segments_fts JOIN meeting_segments s ON s.id = meeting_segments_fts.rowid "
                f"JOIN meetings m ON m.id = s.meeting_id WHERE meeting_segments_fts MATCH :q{who} "
                "ORDER BY bm25(meeting_segments_fts), s.start_s LIMIT :n"
            )
            params: dict[str, Any] = {"q": match, "n": limit}
        elif self.db.dialect == "postgresql":
            sql = text(
                "SELECT s.meeting_id, m.title, m.started_at, s.start_s, s.speaker, s.text, "
                "ts_headline('simple', s.text, q, 'StartSel=[, StopSel=], MaxWords=18, MinWords=6') AS snip "
                "FROM meeting_segments s JOIN meetings m ON m.id = s.meeting_id, "
                f"{'to_tsquery' if any_word else 'plainto_tsquery'}('simple', :q) q WHERE to_tsvector('simple', s.text) @@ q{who} "
                "ORDER BY ts_rank(to_tsvector('simple', s.text), q) DESC, s.start_s LIMIT :n"
            )
            params = {"q": (" | " if any_word else " ").join(words), "n": limit}
        else:  # any other database: plain substring match
            sql = text(
                "SELECT s.meeting_id, m.title, m.started_at, s.start_s, s.speaker, s.text, s.text AS snip "
                "FROM meeting_segments s JOIN meetings m ON m.id = s.meeting_id "
                f"WHERE lower(s.text) LIKE :q{who} ORDER BY s.start_s LIMIT :n"
            )
            params = {"q": f"%{' '.join(words)}%", "n": limit}
        if speaker:
            params["who"] = speaker
        with self.db.session() as s:
            rows = s.execute(sql, params).all()
        out: list[SearchHit] = []
        for r in rows:
            started = r[2] if isinstance(r[2], datetime) else datetime.fromisoformat(str(r[2]))
            out.append(SearchHit(meeting_id=r[0], title=r[1], started_at=_aware(started) or started,
                                 start=float(r[3]), speaker=speaker_label(r[4]), text=r[5], snippet=r[6]))
        return out
