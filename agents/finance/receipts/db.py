"""The receipts table (migration ``0012d_fintax_receipts``): the fields read from a receipt, the original
file's storage key and SHA-256 (a receipt is unique by its file's SHA-256), and the bank booking it was
matched to. Amounts are BIGINT minor units; an amount or a date OCR did not find stays NULL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import agents.finance.db  # noqa: F401  (fin_transactions, which transaction_id points to)
from storage.db.models import Base, utcnow


class FinReceipt(Base):
    __tablename__ = "fin_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor: Mapped[str] = mapped_column(String(200), default="")
    amount_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    receipt_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    labour_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # § 35a labour share, if named
    media: Mapped[str] = mapped_column(String(8))  # jpeg png pdf
    text: Mapped[str] = mapped_column(Text, default="")  # the OCR text (what the tax rules read)
    file_name: Mapped[str] = mapped_column(String(300))
    file_key: Mapped[str] = mapped_column(String(400))
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("fin_transactions.id", ondelete="SET NULL"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
