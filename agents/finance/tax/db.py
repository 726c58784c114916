"""Tax-folder tables (migration ``0012d_fintax_receipts``): rules text -> tax category (shipped ones and the
user's corrections) and the category the user gave one item (a booking, a receipt or an invoice)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.models import Base, utcnow


class FinTaxRule(Base):
    """A payee/vendor/purpose text (``words`` form, a substring) -> a tax category; ``source`` user wins."""

    __tablename__ = "fin_tax_rules"
    __table_args__ = (UniqueConstraint("pattern", name="uq_fin_tax_rules_pattern"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pattern: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(24))  # a key of agents.finance.tax.categories, or "none"
    source: Mapped[str] = mapped_column(String(16), default="user")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinTaxAssignment(Base):
    """The category the user set for one item: kind transaction | receipt | invoice."""

    __tablename__ = "fin_tax_assignments"
    __table_args__ = (UniqueConstraint("kind", "item_id", name="uq_fin_tax_assignments_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(24))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
