"""server: users, devices, refresh tokens, pairing codes, object ownership

Revision ID: 0010_server
Revises: 0001_foundation
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_server"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("server",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "server_devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("server_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_server_devices_user_id", "server_devices", ["user_id"])
    op.create_table(
        "server_refresh_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("jti", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("server_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("device_id", sa.Integer(), sa.ForeignKey("server_devices.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_server_refresh_tokens_user_id", "server_refresh_tokens", ["user_id"])
    op.create_index("ix_server_refresh_tokens_device_id", "server_refresh_tokens", ["device_id"])
    op.create_table(
        "server_pairing_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("server_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_server_pairing_codes_user_id", "server_pairing_codes", ["user_id"])
    op.create_table(
        "server_objects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("server_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_server_objects_kind_key"),
    )
    op.create_index("ix_server_objects_user_id", "server_objects", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_server_objects_user_id", table_name="server_objects")
    op.drop_table("server_objects")
    op.drop_index("ix_server_pairing_codes_user_id", table_name="server_pairing_codes")
    op.drop_table("server_pairing_codes")
    op.drop_index("ix_server_refresh_tokens_device_id", table_name="server_refresh_tokens")
    op.drop_index("ix_server_refresh_tokens_user_id", table_name="server_refresh_tokens")
    op.drop_table("server_refresh_tokens")
    op.drop_index("ix_server_devices_user_id", table_name="server_devices")
    op.drop_table("server_devices")
    op.drop_table("server_users")
