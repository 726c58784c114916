"""social: how far the user's timeline digest has read, per network ("what's new" means since last time)

Revision ID: 0015b_social_seen
Revises: 0015_social_scheduled
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015b_social_seen"
down_revision: str | Sequence[str] | None = "0015_social_scheduled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "social_seen",
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("seen_until", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("social_seen")
