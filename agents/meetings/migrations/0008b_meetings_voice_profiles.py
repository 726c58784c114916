"""meetings: voice profiles (named speaker vectors) and each meeting's speaker vectors with their match

Revision ID: 0008b_meetings_voice_profiles
Revises: 0008_meetings
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008b_meetings_voice_profiles"
down_revision: str | Sequence[str] | None = "0008_meetings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False, unique=True),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "meeting_voices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("speaker", sa.String(60), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(60), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
    )
    op.create_index("ix_meeting_voices_meeting_id", "meeting_voices", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_voices_meeting_id", "meeting_voices")
    op.drop_table("meeting_voices")
    op.drop_table("voice_profiles")
