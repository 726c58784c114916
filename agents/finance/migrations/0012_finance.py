"""finance: bank accounts, balances, transactions, categories, rules, budgets, recurring payments, CSV profiles

Revision ID: 0012_finance
Revises: 0001_foundation
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_finance"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("finance",)
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fin_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("iban", sa.String(64), nullable=False, unique=True),
        sa.Column("bic", sa.String(11), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "fin_balances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("fin_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.UniqueConstraint("account_id", "as_of", name="uq_fin_balances_account_as_of"),
    )
    op.create_table(
        "fin_categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(40), nullable=False, unique=True),
        sa.Column("name_de", sa.String(80), nullable=False),
        sa.Column("name_en", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_table(
        "fin_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("known", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
    )
    op.create_table(
        "fin_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("pattern", sa.String(200), nullable=False),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("fin_categories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.UniqueConstraint("field", "pattern", name="uq_fin_rules_field_pattern"),
    )
    op.create_table(
        "fin_transactions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("fin_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("counterparty", sa.String(200), nullable=False),
        sa.Column("counterparty_iban", sa.String(64), nullable=True),
        sa.Column("payee_key", sa.String(80), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("booking_text", sa.String(200), nullable=False),
        sa.Column("bank_reference", sa.String(100), nullable=True),
        sa.Column("end_to_end_id", sa.String(100), nullable=True),
        sa.Column("mandate_id", sa.String(100), nullable=True),
        sa.Column("creditor_id", sa.String(100), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("fin_categories.id", ondelete="SET NULL"), nullable=True),
        sa.Column("category_source", sa.String(16), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("fin_imports.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("account_id", "fingerprint", "occurrence", name="uq_fin_transactions_fingerprint"),
    )
    op.create_index("ix_fin_transactions_account_date", "fin_transactions", ["account_id", "booking_date"])
    op.create_index("ix_fin_transactions_category_date", "fin_transactions", ["category_id", "booking_date"])
    op.create_index("ix_fin_transactions_date", "fin_transactions", ["booking_date"])
    op.create_index("ix_fin_transactions_payee_key", "fin_transactions", ["payee_key"])
    op.create_table(
        "fin_budgets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("fin_categories.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("monthly_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )
    op.create_table(
        "fin_budget_warnings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("budget_id", sa.Integer(), sa.ForeignKey("fin_budgets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.UniqueConstraint("budget_id", "month", "level", name="uq_fin_budget_warnings"),
    )
    op.create_table(
        "fin_recurring",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("fin_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("payee_key", sa.String(80), nullable=False),
        sa.Column("sign", sa.Integer(), nullable=False),
        sa.Column("counterparty", sa.String(200), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("typical_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("next_date", sa.Date(), nullable=False),
        sa.Column("is_subscription", sa.Boolean(), nullable=False),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("fin_categories.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.UniqueConstraint("account_id", "payee_key", "sign", name="uq_fin_recurring_payee"),
    )
    op.create_table(
        "fin_csv_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fin_csv_profiles")
    op.drop_table("fin_recurring")
    op.drop_table("fin_budget_warnings")
    op.drop_table("fin_budgets")
    for ix in ("payee_key", "date", "category_date", "account_date"):
        op.drop_index(f"ix_fin_transactions_{ix}", table_name="fin_transactions")
    op.drop_table("fin_transactions")
    op.drop_table("fin_rules")
    op.drop_table("fin_imports")
    op.drop_table("fin_categories")
    op.drop_table("fin_balances")
    op.drop_table("fin_accounts")
