"""Gapless invoice numbers per year (``2026-0001``): one counter row per year, raised with one
``UPDATE … RETURNING`` inside the caller's transaction. The row stays locked until that transaction ends
(PostgreSQL: a row lock; SQLite: the database's write lock), so concurrent creations get consecutive
numbers, and a creation that fails rolls its number back: no gaps, no duplicates."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from agents.finance.invoices.issued_db import FinInvoiceCounter


def _ensure_row(s: Session, year: int) -> None:
    """The year's counter row exists (created once; a concurrent creation of it is ignored)."""
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        s.execute(pg_insert(FinInvoiceCounter).values(year=year, last=0).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        s.execute(sqlite_insert(FinInvoiceCounter).values(year=year, last=0).on_conflict_do_nothing())


def next_number(s: Session, year: int) -> str:
    """The next number of ``year``, taken in ``s``'s transaction (commit or roll back with the invoice)."""
    raised = update(FinInvoiceCounter).where(FinInvoiceCounter.year == year).values(
        last=FinInvoiceCounter.last + 1).returning(FinInvoiceCounter.last)
    value = s.execute(raised).scalar()
    if value is None:
        _ensure_row(s, year)
        value = s.execute(raised).scalar_one()
    return f"{year}-{int(value):04d}"
