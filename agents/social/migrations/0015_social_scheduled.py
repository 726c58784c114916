"""social: posts scheduled for later (the approved draft, its time and state: sent at most once)

Revision ID: 0015_social_scheduled
Revises: 0001_foundation
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_social_scheduled"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("social",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "social_scheduled",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("told", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_social_scheduled_due_at", "social_scheduled", ["due_at"])
    op.create_index("ix_social_scheduled_state", "social_scheduled", ["state"])


def downgrade() -> None:
    op.drop_index("ix_social_scheduled_state", table_name="social_scheduled")
    op.drop_index("ix_social_scheduled_due_at", table_name="social_scheduled")
    op.drop_table("social_scheduled")
