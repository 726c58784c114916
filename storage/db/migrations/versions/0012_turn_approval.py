"""agents: an assistant turn remembers the approval it asked about (a yes binds to that request only)

Revision ID: 0012_turn_approval
Revises: 0011_timer_rung
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_turn_approval"
down_revision: str | Sequence[str] | None = "0011_timer_rung"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_turns") as batch:
        batch.add_column(sa.Column("approval_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agent_turns") as batch:
        batch.drop_column("approval_id")
