"""server: sign-ins with Google or Microsoft started from a phone, waiting for the provider's answer

Revision ID: 0015o_server_oauth_sign_ins
Revises: 0014_server_job_leases
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015o_server_oauth_sign_ins"
down_revision: str | Sequence[str] | None = "0014_server_job_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_oauth_sign_ins",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("state_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("again", sa.Boolean(), nullable=False),
        sa.Column("redirect_uri", sa.String(400), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("message", sa.String(400), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("server_oauth_sign_ins")
