"""The tables of invoices the user creates (migration ``0012d_finance_create_invoices``): the customer
list, one counter row per year (the gapless numbering: taken in the same transaction as the invoice, so a
failed creation rolls its number back), and each created invoice with the storage keys and SHA-256 of its
Factur-X PDF and XRechnung XML."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.models import Base, utcnow


class FinCustomer(Base):
    __tablename__ = "fin_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)  # the normalised name: one customer per name
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="DE")
    email: Mapped[str] = mapped_column(String(200), default="")
    vat_id: Mapped[str] = mapped_column(String(20), default="")
    buyer_reference: Mapped[str] = mapped_column(String(100), default="")  # Leitweg-ID or their reference
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FinInvoiceCounter(Base):
    __tablename__ = "fin_invoice_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class FinIssuedInvoice(Base):
    __tablename__ = "fin_issued_invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("fin_customers.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str] = mapped_column(String(200), default="")
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(2))
    vat_rate: Mapped[str | None] = mapped_column(String(8), nullable=True)  # None: small business, no VAT
    currency: Mapped[str] = mapped_column(String(3))
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    pdf_key: Mapped[str] = mapped_column(String(400))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    xml_key: Mapped[str] = mapped_column(String(400))
    xml_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="created")  # created sent
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
