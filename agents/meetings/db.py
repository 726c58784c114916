"""Tables of meeting recording: one row per meeting, one per transcript segment. Full-text search over
segment text: an FTS5 table kept in sync by triggers on SQLite, a GIN tsvector index on PostgreSQL
(both created by the migration ``0008_meetings``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.models import Base, utcnow


class MeetingRow(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), index=True)  # recording paused processing done recovered failed
    source: Mapped[str] = mapped_column(String(16))  # mic, file, import
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    channels: Mapped[int] = mapped_column(Integer, default=1)
    storage_kind: Mapped[str] = mapped_column(String(16), default="local")
    storage_prefix: Mapped[str] = mapped_column(String(500))
    speakers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    notes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    host_pid: Mapped[str] = mapped_column(String(100), default="")


class MeetingSegmentRow(Base):
    __tablename__ = "meeting_segments"
    __table_args__ = (Index("ix_meeting_segments_meeting_start", "meeting_id", "start_s"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(32), ForeignKey("meetings.id", ondelete="CASCADE"))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    speaker: Mapped[str] = mapped_column(String(32), default="S1")
    channel: Mapped[int | None] = mapped_column(Integer, nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    text: Mapped[str] = mapped_column(Text)


class VoiceProfileRow(Base):
    """A named voice: the mean speaker vector of what was heard of them (256 float32, unit length).
    In the main database, so it is encrypted with the other data when encryption at rest is on."""

    __tablename__ = "voice_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    samples: Mapped[int] = mapped_column(Integer, default=0)  # voice windows averaged into it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MeetingVoiceRow(Base):
    """A meeting's speaker and their voice vector, with the profile it matched and the match score."""

    __tablename__ = "meeting_voices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(32), ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(60))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    samples: Mapped[int] = mapped_column(Integer, default=0)
    profile: Mapped[str | None] = mapped_column(String(60), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
