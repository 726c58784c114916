"""finance perf: spending per category reads one covering index in its group order (category, currency,
booking date, amount), which replaces the (category, booking date) index and serves its queries too

Revision ID: 0012b_finperf_spending_index
Revises: 0012_finance
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012b_finperf_spending_index"
down_revision: str | Sequence[str] | None = "0012_finance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_fin_transactions_category_date", table_name="fin_transactions")
    op.create_index("ix_fin_transactions_category_spending", "fin_transactions",
                    ["category_id", "currency", "booking_date", "amount_minor"])


def downgrade() -> None:
    op.drop_index("ix_fin_transactions_category_spending", table_name="fin_transactions")
    op.create_index("ix_fin_transactions_category_date", "fin_transactions", ["category_id", "booking_date"])
