"""A receipt matched to the bank booking that paid it: the same amount out, in the same currency, booked
from a day before the receipt's date to a week after (card payments are booked a few days later), not
already matched to another receipt; the closest day wins."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.finance.db import FinTransaction
from agents.finance.receipts.db import FinReceipt

DAYS_BEFORE = 1
DAYS_AFTER = 7


def find_booking(s: Session, receipt: FinReceipt) -> FinTransaction | None:
    if receipt.amount_minor is None or receipt.receipt_date is None:
        return None
    day = receipt.receipt_date
    taken = select(FinReceipt.transaction_id).where(FinReceipt.transaction_id.is_not(None),
                                                    FinReceipt.id != receipt.id)
    rows = s.scalars(select(FinTransaction).where(
        FinTransaction.amount_minor == -receipt.amount_minor, FinTransaction.currency == receipt.currency,
        FinTransaction.booking_date >= day - timedelta(days=DAYS_BEFORE),
        FinTransaction.booking_date <= day + timedelta(days=DAYS_AFTER),
        FinTransaction.id.not_in(taken))).all()
    return min(rows, key=lambda t: (abs((t.booking_date - day).days), t.id), default=None)


def match_open(s: Session) -> int:
    """Match every receipt that has no booking yet (after a bank sync or import); returns how many matched."""
    n = 0
    for r in s.scalars(select(FinReceipt).where(FinReceipt.transaction_id.is_(None))).all():
        t = find_booking(s, r)
        if t is not None:
            r.transaction_id = t.id
            s.flush()
            n += 1
    return n
