"""finance perf: the spending-per-category query reads an index only (booking date, category, currency,
amount); it replaces the plain booking-date index, which it serves as well

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
    op.drop_index("ix_fin_transactions_date", table_name="fin_transactions")
    op.create_index("ix_fin_transactions_date_spending", "fin_transactions",
                    ["booking_date", "category_id", "currency", "amount_minor"])


def downgrade() -> None:
    op.drop_index("ix_fin_transactions_date_spending", table_name="fin_transactions")
    op.create_index("ix_fin_transactions_date", "fin_transactions", ["booking_date"])
