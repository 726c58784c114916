"""The invoice tables (migration ``0012c_finance_invoices``): an invoice with its lines and its VAT per
rate, amounts as BIGINT minor units of the invoice currency, the original file's storage key and SHA-256.
An invoice is unique by seller (its VAT id, else its normalised name) and number."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

import agents.finance.db  # noqa: F401  (fin_transactions, which paid_transaction_id points to)
from storage.db.models import Base, utcnow


class FinInvoice(Base):
    __tablename__ = "fin_invoices"
    __table_args__ = (
        UniqueConstraint("seller_key", "number", name="uq_fin_invoices_seller_number"),
        Index("ix_fin_invoices_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_key: Mapped[str] = mapped_column(String(200))  # VAT id, else the normalised name
    seller_name: Mapped[str] = mapped_column(String(300))
    seller_vat_id: Mapped[str] = mapped_column(String(40), default="")
    buyer_name: Mapped[str] = mapped_column(String(300), default="")
    number: Mapped[str] = mapped_column(String(100))
    type_code: Mapped[str] = mapped_column(String(8), default="380")
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    due_minor: Mapped[int] = mapped_column(BigInteger)  # what is to be paid
    iban: Mapped[str] = mapped_column(String(64), default="")
    bic: Mapped[str] = mapped_column(String(11), default="")
    payment_reference: Mapped[str] = mapped_column(String(200), default="")
    direct_debit: Mapped[bool] = mapped_column(Boolean, default=False)
    syntax: Mapped[str] = mapped_column(String(8))  # cii ubl
    container: Mapped[str] = mapped_column(String(8))  # pdf xml
    status: Mapped[str] = mapped_column(String(8), default="open")  # open paid
    paid_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("fin_transactions.id", ondelete="SET NULL"), nullable=True)
    file_name: Mapped[str] = mapped_column(String(300))
    file_key: Mapped[str] = mapped_column(String(400))
    file_sha256: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[str] = mapped_column(Text, default="")  # rule ids of the warnings, one per line
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinInvoiceLine(Base):
    __tablename__ = "fin_invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("fin_invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(500), default="")
    quantity: Mapped[str] = mapped_column(String(40))  # a decimal as text: quantities may have 4+ decimals
    unit: Mapped[str] = mapped_column(String(8), default="")
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[str | None] = mapped_column(String(12), nullable=True)
    vat_category: Mapped[str] = mapped_column(String(4), default="")


class FinInvoiceVat(Base):
    __tablename__ = "fin_invoice_vat"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("fin_invoices.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(4))
    rate: Mapped[str | None] = mapped_column(String(12), nullable=True)
    basis_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)


class FinInvoiceMail(Base):
    """A received mail checked for invoice attachments (migration ``0012d_finance_invoice_mail``): looked at
    once. ``mail_key`` is a SHA-256 of the mail's id, sender and date; ``outcome``: filed, refused, none."""

    __tablename__ = "fin_invoice_mails"
    __table_args__ = (UniqueConstraint("mail_key", name="uq_fin_invoice_mails_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_key: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("fin_invoices.id", ondelete="SET NULL"), nullable=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinScheduledTransfer(Base):
    """A transfer the user approved for a later day (an invoice paid on its due date): sent to the bank on
    that day by the finance scheduler. ``draft``: the TransferDraft as JSON; ``status``: scheduled, started
    (handed to the bank), failed, cancelled."""

    __tablename__ = "fin_scheduled_transfers"
    __table_args__ = (Index("ix_fin_scheduled_transfers_status_day", "status", "execute_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("fin_invoices.id", ondelete="SET NULL"), nullable=True)
    draft: Mapped[str] = mapped_column(Text)
    execute_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
