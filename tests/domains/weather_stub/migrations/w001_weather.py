"""weather (example domain of the tests): stored forecasts

Revision ID: w001_weather
Revises: 0001_foundation
Create Date: 2026-12-05
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "w001_weather"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("weather",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weather_forecasts",
        sa.Column("city", sa.String(80), primary_key=True),
        sa.Column("celsius", sa.Float(), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("weather_forecasts")
