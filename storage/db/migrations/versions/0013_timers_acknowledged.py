"""agents: a timer or reminder that rang remembers whether the user stopped it (the GUI's alert stays
until then, also after a restart); those that rang before this revision count as stopped

Revision ID: 0013_timers_acknowledged
Revises: 0012_turn_approval
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_timers_acknowledged"
down_revision: str | Sequence[str] | None = "0012_turn_approval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_timers") as batch:
        batch.add_column(sa.Column("acknowledged", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("agent_reminders") as batch:
        batch.add_column(sa.Column("acknowledged", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE agent_timers SET acknowledged = rung OR cancelled")
    op.execute("UPDATE agent_reminders SET acknowledged = done")


def downgrade() -> None:
    with op.batch_alter_table("agent_reminders") as batch:
        batch.drop_column("acknowledged")
    with op.batch_alter_table("agent_timers") as batch:
        batch.drop_column("acknowledged")
