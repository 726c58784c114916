"""finance receipts and the tax folder: OCR'd receipts (fields, file key, SHA-256, matched booking), tax
rules (shipped and the user's corrections) and per-item tax categories

Revision ID: 0012d_fintax_receipts
Revises: 0012c_finance_invoices
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012d_fintax_receipts"
down_revision: str | Sequence[str] | None = "0012c_finance_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fin_receipts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("vendor", sa.String(200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("receipt_date", sa.Date(), nullable=True),
        sa.Column("labour_minor", sa.BigInteger(), nullable=True),
        sa.Column("media", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("file_key", sa.String(400), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("transaction_id", sa.Integer(),
                  sa.ForeignKey("fin_transactions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fin_receipts_receipt_date", "fin_receipts", ["receipt_date"])
    op.create_table(
        "fin_tax_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pattern", sa.String(200), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("pattern", name="uq_fin_tax_rules_pattern"),
    )
    op.create_table(
        "fin_tax_assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "item_id", name="uq_fin_tax_assignments_item"),
    )


def downgrade() -> None:
    op.drop_table("fin_tax_assignments")
    op.drop_table("fin_tax_rules")
    op.drop_index("ix_fin_receipts_receipt_date", table_name="fin_receipts")
    op.drop_table("fin_receipts")
