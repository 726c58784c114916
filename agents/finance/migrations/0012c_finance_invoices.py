"""finance invoices: e-invoices (Factur-X/ZUGFeRD, CII, UBL) with their lines and VAT per rate, the original
file's storage key and SHA-256; unique by seller and number

Revision ID: 0012c_finance_invoices
Revises: 0012b_finperf_spending_index
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012c_finance_invoices"
down_revision: str | Sequence[str] | None = "0012b_finperf_spending_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fin_invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seller_key", sa.String(200), nullable=False),
        sa.Column("seller_name", sa.String(300), nullable=False),
        sa.Column("seller_vat_id", sa.String(40), nullable=False),
        sa.Column("buyer_name", sa.String(300), nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("type_code", sa.String(8), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("due_minor", sa.BigInteger(), nullable=False),
        sa.Column("iban", sa.String(64), nullable=False),
        sa.Column("bic", sa.String(11), nullable=False),
        sa.Column("payment_reference", sa.String(200), nullable=False),
        sa.Column("direct_debit", sa.Boolean(), nullable=False),
        sa.Column("syntax", sa.String(8), nullable=False),
        sa.Column("container", sa.String(8), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("paid_at", sa.Date(), nullable=True),
        sa.Column("paid_transaction_id", sa.Integer(),
                  sa.ForeignKey("fin_transactions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("file_key", sa.String(400), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("seller_key", "number", name="uq_fin_invoices_seller_number"),
    )
    op.create_index("ix_fin_invoices_status_due", "fin_invoices", ["status", "due_date"])
    op.create_table(
        "fin_invoice_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("fin_invoices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("quantity", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(12), nullable=True),
        sa.Column("vat_category", sa.String(4), nullable=False),
    )
    op.create_index("ix_fin_invoice_lines_invoice_id", "fin_invoice_lines", ["invoice_id"])
    op.create_table(
        "fin_invoice_vat",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("fin_invoices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("category", sa.String(4), nullable=False),
        sa.Column("rate", sa.String(12), nullable=True),
        sa.Column("basis_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_fin_invoice_vat_invoice_id", "fin_invoice_vat", ["invoice_id"])


def downgrade() -> None:
    op.drop_table("fin_invoice_vat")
    op.drop_table("fin_invoice_lines")
    op.drop_index("ix_fin_invoices_status_due", table_name="fin_invoices")
    op.drop_table("fin_invoices")
