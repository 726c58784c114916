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


def candidates(s: Session, receipt: FinReceipt) -> list[FinTransaction]:
    """The bookings that may have paid the receipt, the closest day first."""
    if receipt.amount_minor is None or receipt.receipt_date is None:
        return []
    day = receipt.receipt_date
    taken = select(FinReceipt.transaction_id).where(FinReceipt.transaction_id.is_not(None),
                                                    FinReceipt.id != receipt.id)
    rows = s.scalars(select(FinTransaction).where(
        FinTransaction.amount_minor == -receipt.amount_minor, FinTransaction.currency == receipt.currency,
        FinTransaction.booking_date >= day - timedelta(days=DAYS_BEFORE),
        FinTransaction.booking_date <= day + timedelta(days=DAYS_AFTER),
        FinTransaction.id.not_in(taken))).all()
    return sorted(rows, key=lambda t: (abs((t.booking_date - day).days), t.id))


def find_booking(s: Session, receipt: FinReceipt) -> FinTransaction | None:
    found = candidates(s, receipt)
    return found[0] if found else None


def match_open(s: Session) -> int:
    """Match every receipt that has no booking yet (after a bank sync or import), the closest pairs first, one
    booking per receipt; returns how many matched."""
    pairs: list[tuple[int, int, FinReceipt, FinTransaction]] = []
    for r in s.scalars(select(FinReceipt).where(FinReceipt.transaction_id.is_(None))).all():
        pairs += [(abs((t.booking_date - r.receipt_date).days) if r.receipt_date else 0, r.id, r, t)
                  for t in candidates(s, r)]
    used_r: set[int] = set()
    used_t: set[int] = set()
    for _days, _id, r, t in sorted(pairs, key=lambda p: (p[0], p[1], p[3].id)):
        if r.id in used_r or t.id in used_t:
            continue
        r.transaction_id = t.id
        used_r.add(r.id)
        used_t.add(t.id)
    s.flush()
    return len(used_r)
