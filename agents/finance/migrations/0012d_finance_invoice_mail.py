"""finance invoice mail: which received mails were checked for invoice attachments (so a mail is looked at
once), and transfers approved for a later day (an invoice paid on its due date)

Revision ID: 0012d_finance_invoice_mail
Revises: 0012c_finance_invoices
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012d_finance_invoice_mail"
down_revision: str | Sequence[str] | None = "0012c_finance_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fin_invoice_mails",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mail_key", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("fin_invoices.id", ondelete="SET NULL"), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("mail_key", name="uq_fin_invoice_mails_key"),
    )
    op.create_table(
        "fin_scheduled_transfers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("fin_invoices.id", ondelete="SET NULL"), nullable=True),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("execute_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fin_scheduled_transfers_status_day", "fin_scheduled_transfers", ["status", "execute_on"])


def downgrade() -> None:
    op.drop_index("ix_fin_scheduled_transfers_status_day", table_name="fin_scheduled_transfers")
    op.drop_table("fin_scheduled_transfers")
    op.drop_table("fin_invoice_mails")
