"""agents: a timer remembers that it has rung (so it rings once, also after a restart)

Revision ID: 0011_timer_rung
Revises: 0005_agents
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_timer_rung"
down_revision: str | Sequence[str] | None = "0005_agents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_timers") as batch:
        batch.add_column(sa.Column("rung", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("agent_timers") as batch:
        batch.drop_column("rung")
