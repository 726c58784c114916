"""What the voice part asks of the ledger: balance per account, spending per category in a date
range, top payees, the subscriptions. Amounts come back as ``Decimal`` in each account's currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from agents.finance.db import FinAccount, FinBalance, FinCategory, FinRecurring, FinTransaction
from agents.finance.money import from_minor


@dataclass(frozen=True)
class AccountBalance:
    iban: str
    name: str
    amount: Decimal
    currency: str
    as_of: date | None
    source: Literal["bank", "sum"]  # the bank's latest balance (+ later bookings), or the sum of bookings


@dataclass(frozen=True)
class CategorySpending:
    category: str  # key; "" = not categorised
    name_de: str
    name_en: str
    amount: Decimal  # spent (positive), net of refunds
    currency: str
    count: int


@dataclass(frozen=True)
class PayeeSpending:
    payee: str
    amount: Decimal
    currency: str
    count: int


@dataclass(frozen=True)
class Subscription:
    payee: str
    amount: Decimal
    currency: str
    period: str
    next_date: date
    account: str


def balances(s: Session, iban: str | None = None) -> list[AccountBalance]:
    accounts = s.scalars(select(FinAccount).order_by(FinAccount.iban)).all()
    out = []
    for acc in accounts:
        if iban and acc.iban != iban:
            continue
        latest = s.scalar(select(FinBalance).where(FinBalance.account_id == acc.id)
                          .order_by(FinBalance.as_of.desc()).limit(1))
        q = select(func.coalesce(func.sum(FinTransaction.amount_minor), 0), func.max(FinTransaction.booking_date)) \
            .where(FinTransaction.account_id == acc.id)
        if latest is not None:
            q = q.where(FinTransaction.booking_date > latest.as_of)
        total, last = s.execute(q).one()
        if latest is not None:
            out.append(AccountBalance(acc.iban, acc.name, from_minor(latest.amount_minor + int(total), acc.currency),
                                      acc.currency, max(latest.as_of, last or latest.as_of), "bank"))
        else:
            out.append(AccountBalance(acc.iban, acc.name, from_minor(int(total), acc.currency), acc.currency,
                                      last, "sum"))
    return out


def spending_by_category(s: Session, start: date, end: date, iban: str | None = None) -> list[CategorySpending]:
    """Money out per category for ``start <= booking date < end`` (expense categories and uncategorised
    bookings; refunds in a category reduce it), largest first. One grouped query that reads the covering
    index ``ix_fin_transactions_category_spending`` only; the categories are joined here."""
    amount = FinTransaction.amount_minor
    q = (select(FinTransaction.category_id, FinTransaction.currency, func.sum(amount),
                func.sum(case((amount < 0, amount), else_=0)), func.count())
         .where(FinTransaction.booking_date >= start, FinTransaction.booking_date < end)
         .group_by(FinTransaction.category_id, FinTransaction.currency))
    if iban:
        q = q.where(FinTransaction.account_id == select(FinAccount.id).where(FinAccount.iban == iban).scalar_subquery())
    categories = {c.id: c for c in s.scalars(select(FinCategory))}
    out = []
    for category_id, ccy, total, money_out, count in s.execute(q).tuples():
        cat = categories.get(category_id) if category_id is not None else None
        if cat is not None and cat.kind != "expense":
            continue
        spent = -int((total if cat is not None else money_out) or 0)  # uncategorised: only what went out
        if spent > 0:
            out.append(CategorySpending(cat.key if cat else "", cat.name_de if cat else "Ohne Kategorie",
                                        cat.name_en if cat else "Uncategorised", from_minor(spent, ccy), ccy,
                                        int(count)))
    return sorted(out, key=lambda c: c.amount, reverse=True)


def spent_in_category(s: Session, category_key: str, start: date, end: date) -> Decimal:
    return sum((c.amount for c in spending_by_category(s, start, end) if c.category == category_key), Decimal(0))


def top_payees(s: Session, start: date, end: date, limit: int = 5) -> list[PayeeSpending]:
    q = (select(FinTransaction.payee_key, func.max(FinTransaction.counterparty), FinTransaction.currency,
                func.sum(FinTransaction.amount_minor), func.count(FinTransaction.id))
         .where(FinTransaction.booking_date >= start, FinTransaction.booking_date < end,
                FinTransaction.amount_minor < 0, FinTransaction.payee_key != "")
         .group_by(FinTransaction.payee_key, FinTransaction.currency)
         .order_by(func.sum(FinTransaction.amount_minor))
         .limit(limit))
    return [PayeeSpending(name or key, from_minor(-int(total), ccy), ccy, int(n))
            for key, name, ccy, total, n in s.execute(q).tuples()]


def subscriptions(s: Session, only_subscriptions: bool = True) -> list[Subscription]:
    """The detected recurring payments out (``recurring.detect`` refreshes them), largest first."""
    q = select(FinRecurring, FinAccount.iban).join(FinAccount, FinAccount.id == FinRecurring.account_id) \
        .where(FinRecurring.sign < 0)
    if only_subscriptions:
        q = q.where(FinRecurring.is_subscription.is_(True))
    rows = s.execute(q).tuples().all()
    subs = [Subscription(r.counterparty or r.payee_key, from_minor(r.typical_minor, r.currency), r.currency,
                         r.period, r.next_date, iban) for r, iban in rows]
    return sorted(subs, key=lambda x: x.amount, reverse=True)
