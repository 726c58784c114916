"""meetings: recordings, transcript segments, full-text search (SQLite FTS5 / PostgreSQL tsvector)

Revision ID: 0008_meetings
Revises: 0001_foundation
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_meetings"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("meetings",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("storage_kind", sa.String(16), nullable=False),
        sa.Column("storage_prefix", sa.String(500), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("host_pid", sa.String(100), nullable=False),
    )
    op.create_index("ix_meetings_state", "meetings", ["state"])
    op.create_index("ix_meetings_started_at", "meetings", ["started_at"])
    op.create_table(
        "meeting_segments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("speaker", sa.String(32), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_meeting_segments_meeting_start", "meeting_segments", ["meeting_id", "start_s"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE meeting_segments_fts USING fts5("
            "text, content='meeting_segments', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER meeting_segments_ai AFTER INSERT ON meeting_segments BEGIN "
            "INSERT INTO meeting_segments_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER meeting_segments_ad AFTER DELETE ON meeting_segments BEGIN "
            "INSERT INTO meeting_segments_fts(meeting_segments_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER meeting_segments_au AFTER UPDATE OF text ON meeting_segments BEGIN "
            "INSERT INTO meeting_segments_fts(meeting_segments_fts, rowid, text) VALUES ('delete', old.id, old.text); "
            "INSERT INTO meeting_segments_fts(rowid, text) VALUES (new.id, new.text); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_meeting_segments_fts ON meeting_segments "
            "USING GIN (to_tsvector('simple', text))"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trig in ("meeting_segments_ai", "meeting_segments_ad", "meeting_segments_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute("DROP TABLE IF EXISTS meeting_segments_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_meeting_segments_fts")
    op.drop_index("ix_meeting_segments_meeting_start", table_name="meeting_segments")
    op.drop_table("meeting_segments")
    op.drop_index("ix_meetings_started_at", table_name="meetings")
    op.drop_index("ix_meetings_state", table_name="meetings")
    op.drop_table("meetings")
