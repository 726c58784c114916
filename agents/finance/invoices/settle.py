"""Mark open invoices paid when the ledger sees the payment: an outgoing booking of exactly the amount due,
in the invoice's currency, on or after the issue date, whose purpose names the payment reference (or the
invoice number) or whose counterparty IBAN is the invoice's. Runs inside the import or bank sync that
stored the bookings (same database transaction)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.finance.db import FinTransaction
from agents.finance.invoices.db import FinInvoice
from agents.finance.text import squash


def _names_it(purpose: str, inv: FinInvoice) -> bool:
    said = squash(purpose)
    refs = [squash(r) for r in (inv.payment_reference, inv.number) if r and len(squash(r)) >= 4]
    return any(r in said for r in refs)


def settle_invoices(s: Session) -> int:
    """Open invoices that a booking pays are marked paid (each booking pays one invoice); how many."""
    open_rows = s.scalars(select(FinInvoice).where(FinInvoice.status == "open", FinInvoice.due_minor > 0)
                          .order_by(FinInvoice.issue_date, FinInvoice.id)).all()
    if not open_rows:
        return 0
    used = set(s.scalars(select(FinInvoice.paid_transaction_id).where(FinInvoice.paid_transaction_id.is_not(None))))
    paid = 0
    for inv in open_rows:
        candidates = s.scalars(select(FinTransaction).where(
            FinTransaction.amount_minor == -inv.due_minor, FinTransaction.currency == inv.currency,
            FinTransaction.booking_date >= inv.issue_date, FinTransaction.pending.is_(False))
            .order_by(FinTransaction.booking_date, FinTransaction.id)).all()
        for tx in candidates:
            if tx.id in used:
                continue
            same_iban = bool(inv.iban) and (tx.counterparty_iban or "").replace(" ", "").upper() == inv.iban.upper()
            if same_iban or _names_it(tx.purpose, inv):
                inv.status, inv.paid_at, inv.paid_transaction_id = "paid", tx.booking_date, tx.id
                used.add(tx.id)
                paid += 1
                break
    s.flush()
    return paid
