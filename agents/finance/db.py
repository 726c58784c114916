"""Tables of the ledger (all prefixed ``fin_``; the migration ``0012_finance`` creates them).

Amounts are BIGINT minor units (cents) in the account's currency, never float. A transaction is unique
per account by ``(fingerprint, occurrence)``: the fingerprint hashes what identifies a booking (see
``fingerprint.py``), the occurrence counts genuinely identical bookings within one statement."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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

from storage.db.models import Base, utcnow


class FinAccount(Base):
    """One bank account: ``iban`` is the IBAN, or the bank's own account id when a statement names no
    IBAN (MT940 ``:25:`` of a foreign bank)."""

    __tablename__ = "fin_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iban: Mapped[str] = mapped_column(String(64), unique=True)
    bic: Mapped[str | None] = mapped_column(String(11), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinBalance(Base):
    """A balance the bank reported (statement closing balance, FinTS balance) on a day."""

    __tablename__ = "fin_balances"
    __table_args__ = (UniqueConstraint("account_id", "as_of", name="uq_fin_balances_account_as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fin_accounts.id", ondelete="CASCADE"))
    as_of: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16), default="")  # mt940 camt csv fints


class FinCategory(Base):
    __tablename__ = "fin_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # groceries, rent ... (stable, English)
    name_de: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="expense")  # expense income transfer


class FinImport(Base):
    """One import run (a file, a sync): what came in and what was new."""

    __tablename__ = "fin_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(300))  # the file name, or "fints:<account>"
    format: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), default="")
    new: Mapped[int] = mapped_column(Integer, default=0)
    known: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)


class FinRule(Base):
    """payee / IBAN / purpose text -> category. ``source``: default (shipped), user (a correction)."""

    __tablename__ = "fin_rules"
    __table_args__ = (UniqueConstraint("field", "pattern", name="uq_fin_rules_field_pattern"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(16))  # payee iban purpose
    pattern: Mapped[str] = mapped_column(String(200))  # normalised text (a substring), or an IBAN
    category_id: Mapped[int] = mapped_column(ForeignKey("fin_categories.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16), default="user")
    hits: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinTransaction(Base):
    __tablename__ = "fin_transactions"
    __table_args__ = (
        UniqueConstraint("account_id", "fingerprint", "occurrence", name="uq_fin_transactions_fingerprint"),
        Index("ix_fin_transactions_account_date", "account_id", "booking_date"),
        Index("ix_fin_transactions_date", "booking_date"),
        # spending per category reads this index only, in its group order (migration 0012b_finperf_spending_index)
        Index("ix_fin_transactions_category_spending", "category_id", "currency", "booking_date", "amount_minor"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fin_accounts.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[int] = mapped_column(Integer, default=0)
    booking_date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # negative = money out
    currency: Mapped[str] = mapped_column(String(3))
    counterparty: Mapped[str] = mapped_column(String(200), default="")
    counterparty_iban: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payee_key: Mapped[str] = mapped_column(String(80), default="", index=True)  # normalised counterparty
    purpose: Mapped[str] = mapped_column(Text, default="")
    booking_text: Mapped[str] = mapped_column(String(200), default="")
    bank_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    end_to_end_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    creditor_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("fin_categories.id", ondelete="SET NULL"), nullable=True)
    category_source: Mapped[str] = mapped_column(String(16), default="")  # rule user ""
    import_id: Mapped[int | None] = mapped_column(ForeignKey("fin_imports.id", ondelete="SET NULL"), nullable=True)


class FinBudget(Base):
    __tablename__ = "fin_budgets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("fin_categories.id", ondelete="CASCADE"), unique=True)
    monthly_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")


class FinBudgetWarning(Base):
    """A warning given for a budget in a month (so it is given once)."""

    __tablename__ = "fin_budget_warnings"
    __table_args__ = (UniqueConstraint("budget_id", "month", "level", name="uq_fin_budget_warnings"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("fin_budgets.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # 2026-11
    level: Mapped[int] = mapped_column(Integer)  # percent: 80, 100
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinRecurring(Base):
    """A detected recurring payment (same payee, regular interval, similar amount)."""

    __tablename__ = "fin_recurring"
    __table_args__ = (UniqueConstraint("account_id", "payee_key", "sign", name="uq_fin_recurring_payee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fin_accounts.id", ondelete="CASCADE"))
    payee_key: Mapped[str] = mapped_column(String(80))
    sign: Mapped[int] = mapped_column(Integer, default=-1)  # -1 out, 1 in
    counterparty: Mapped[str] = mapped_column(String(200), default="")
    interval_days: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))  # weekly monthly quarterly yearly
    typical_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    count: Mapped[int] = mapped_column(Integer)
    last_date: Mapped[date] = mapped_column(Date)
    next_date: Mapped[date] = mapped_column(Date)
    is_subscription: Mapped[bool] = mapped_column(Boolean, default=False)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("fin_categories.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinCsvProfile(Base):
    """A column mapping the user saved for a bank's CSV that no built-in layout knows."""

    __tablename__ = "fin_csv_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
