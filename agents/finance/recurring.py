"""Recurring payments and subscriptions, detected from the ledger: the same payee (``payee_key``) in one
account and direction, at a regular interval (weekly, monthly, quarterly, yearly), with a similar
amount, at least three times. Subscriptions are the outgoing ones whose amount hardly changes
(streaming, phone, gym ...), not rent or insurance; ``detect`` refreshes the ``fin_recurring`` table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from statistics import median

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agents.finance.db import FinCategory, FinRecurring, FinTransaction
from storage.db.models import utcnow

PERIODS: list[tuple[str, int, int, int]] = [  # name, nominal days, min, max
    ("weekly", 7, 6, 8),
    ("monthly", 30, 26, 35),
    ("quarterly", 91, 84, 98),
    ("yearly", 365, 350, 380),
]
_NOT_SUBSCRIPTIONS = {"rent", "insurance", "salary", "taxes", "transfers", "utilities"}


@dataclass(frozen=True)
class _Row:
    account_id: int
    payee_key: str
    sign: int
    counterparty: str
    minor: int
    currency: str
    on: date
    category_id: int | None


def _period(intervals: list[int]) -> tuple[str, int] | None:
    mid = median(intervals)
    for name, nominal, lo, hi in PERIODS:
        if lo <= mid <= hi:
            regular = sum(1 for i in intervals if lo <= i <= hi)
            if regular >= max(2, int(0.75 * len(intervals) + 0.5)):
                return name, nominal
    return None


def detect(s: Session, today: date | None = None, min_count: int = 3) -> list[FinRecurring]:
    """Finds the recurring payments and stores them (the table is rebuilt); returns them."""
    today = today or date.today()
    since = today - timedelta(days=2 * 365 + 30)
    cats = {c.id: c.key for c in s.scalars(select(FinCategory))}
    groups: dict[tuple[int, str, int], list[_Row]] = defaultdict(list)
    q = (select(FinTransaction.account_id, FinTransaction.payee_key, FinTransaction.counterparty,
                FinTransaction.amount_minor, FinTransaction.currency, FinTransaction.booking_date,
                FinTransaction.category_id)
         .where(FinTransaction.booking_date >= since, FinTransaction.payee_key != "")
         .order_by(FinTransaction.booking_date))
    for account_id, key, name, minor, ccy, on, cat in s.execute(q).tuples():
        sign = -1 if minor < 0 else 1
        groups[(account_id, key, sign)].append(_Row(account_id, key, sign, name, abs(minor), ccy, on, cat))
    found: list[FinRecurring] = []
    for (account_id, key, sign), rows in groups.items():
        days = sorted({r.on for r in rows})
        if len(days) < min_count:
            continue
        intervals = [(b - a).days for a, b in pairwise(days)]
        period = _period(intervals)
        if period is None:
            continue
        amounts = [r.minor for r in rows]
        typical = int(median(amounts))
        if typical == 0 or any(abs(a - typical) > 0.2 * typical for a in amounts[-min_count:]):
            continue
        steady = all(abs(a - typical) <= 0.05 * typical for a in amounts[-min_count:])
        last = rows[-1]
        cat_key = cats.get(last.category_id) if last.category_id else None
        found.append(FinRecurring(
            account_id=account_id, payee_key=key, sign=sign, counterparty=last.counterparty,
            interval_days=period[1], period=period[0], typical_minor=typical, currency=last.currency,
            count=len(days), last_date=days[-1], next_date=days[-1] + timedelta(days=period[1]),
            is_subscription=sign < 0 and steady and cat_key not in _NOT_SUBSCRIPTIONS,
            category_id=last.category_id, updated_at=utcnow(),
        ))
    s.execute(delete(FinRecurring))
    s.add_all(found)
    s.flush()
    return found
