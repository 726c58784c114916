"""What the Finance screen and the API's read routes show, read from ONE ledger database (the app's,
or a server user's own): accounts with balances, a page of transactions (search text, category, date
range), spending per category in a month, budgets with used/left, recurring payments. Amounts are
``Decimal`` (JSON: strings), never float. The one write is ``recategorize`` (the screen's category edit:
the correction teaches a rule, ``agents.finance.categories.correct``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import ColumnElement, Select, func, or_, select

from agents.finance import budgets, queries, recurring
from agents.finance.categories import correct, ensure_defaults
from agents.finance.db import FinAccount, FinCategory, FinTransaction
from agents.finance.money import from_minor
from storage.db.engine import Database

MONTH_PATTERN = r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$"  # 1900-01 .. 2999-12
UNCATEGORISED = "none"  # the category filter for bookings without one


class AccountView(BaseModel):
    iban: str
    name: str
    currency: str
    balance: Decimal
    as_of: date | None
    balance_source: Literal["bank", "sum"] = Field(
        description="bank: the bank's latest balance plus later bookings; sum: the sum of the bookings")


class CategoryView(BaseModel):
    key: str
    name_de: str
    name_en: str
    kind: str


class TransactionView(BaseModel):
    id: int
    account: str
    booking_date: date
    amount: Decimal = Field(description="negative = money out")
    currency: str
    counterparty: str
    counterparty_iban: str | None
    purpose: str
    booking_text: str
    category: str | None = Field(description="the category's key; null = none")
    category_source: str = Field(description="rule, user (set by hand) or empty")


class TransactionFilter(BaseModel):
    q: str = Field("", max_length=200, description="words in payee or purpose")
    category: str | None = Field(None, max_length=40, description=f"a category key, or '{UNCATEGORISED}'")
    start: date | None = Field(None, description="first booking day")
    end: date | None = Field(None, description="last booking day (inclusive)")
    account: str | None = Field(None, max_length=64, description="an IBAN")
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=200)


    @field_validator("q", "category", "account")
    @classmethod
    def _no_nul(cls, v: str | None) -> str | None:
        return v.replace("\x00", "") if v is not None else v  # PostgreSQL refuses NUL in text


class TransactionPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[TransactionView]


class SpendingRow(BaseModel):
    category: str = Field(description="the category's key; empty = not categorised")
    name_de: str
    name_en: str
    amount: Decimal = Field(description="spent (positive), net of refunds")
    currency: str
    count: int


class MonthSpending(BaseModel):
    month: str
    categories: list[SpendingRow]


class BudgetView(BaseModel):
    category: str
    name_de: str
    name_en: str
    month: str
    limit: Decimal
    spent: Decimal
    left: Decimal = Field(description="negative when over budget")
    percent: int
    level: Literal["ok", "warning", "exceeded"]
    currency: str


class RecurringView(BaseModel):
    payee: str
    amount: Decimal
    currency: str
    period: str
    next_date: date
    account: str


class Recategorized(BaseModel):
    transaction: TransactionView
    rule: str = Field(description="the rule learned, e.g. payee 'rewe'")


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def month_start(month: str) -> date:
    year, mon = (int(p) for p in month.split("-"))
    return date(year, mon, 1)


def shift_month(month: str, by: int) -> str:
    start = month_start(month)
    n = start.year * 12 + start.month - 1 + by
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def accounts(db: Database) -> list[AccountView]:
    with db.session() as s:
        return [AccountView(iban=b.iban, name=b.name, currency=b.currency, balance=b.amount, as_of=b.as_of,
                            balance_source=b.source) for b in queries.balances(s)]


def categories(db: Database) -> list[CategoryView]:
    with db.session() as s:
        ensure_defaults(s)
        return [CategoryView(key=c.key, name_de=c.name_de, name_en=c.name_en, kind=c.kind)
                for c in s.scalars(select(FinCategory).order_by(FinCategory.id))]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _transaction_view(tx: FinTransaction, iban: str, key: str | None) -> TransactionView:
    return TransactionView(
        id=tx.id, account=iban, booking_date=tx.booking_date, amount=from_minor(tx.amount_minor, tx.currency),
        currency=tx.currency, counterparty=tx.counterparty, counterparty_iban=tx.counterparty_iban,
        purpose=tx.purpose, booking_text=tx.booking_text, category=key, category_source=tx.category_source)


def _joined(*columns: Any) -> Select[Any]:
    return (select(*columns).select_from(FinTransaction)
            .join(FinAccount, FinAccount.id == FinTransaction.account_id)
            .outerjoin(FinCategory, FinCategory.id == FinTransaction.category_id))


def transactions(db: Database, f: TransactionFilter) -> TransactionPage:
    """Newest first; ``total`` counts every match (for paging)."""
    where: list[ColumnElement[bool]] = []
    for word in f.q.split():
        where.append(or_(FinTransaction.counterparty.ilike(_like(word), escape="\\"),
                         FinTransaction.purpose.ilike(_like(word), escape="\\")))
    if f.category == UNCATEGORISED:
        where.append(FinTransaction.category_id.is_(None))
    elif f.category:
        where.append(FinCategory.key == f.category)
    if f.start is not None:
        where.append(FinTransaction.booking_date >= f.start)
    if f.end is not None:
        where.append(FinTransaction.booking_date <= f.end)
    if f.account:
        where.append(FinAccount.iban == f.account.replace(" ", "").upper())
    with db.session() as s:
        total = int(s.scalar(_joined(func.count(FinTransaction.id)).where(*where)) or 0)
        rows = s.execute(_joined(FinTransaction, FinAccount.iban, FinCategory.key).where(*where)
                         .order_by(FinTransaction.booking_date.desc(), FinTransaction.id.desc())
                         .offset(f.offset).limit(f.limit)).tuples().all()
        items = [_transaction_view(tx, iban, key) for tx, iban, key in rows]
    return TransactionPage(total=total, offset=f.offset, limit=f.limit, items=items)


def transaction(db: Database, transaction_id: int) -> TransactionView | None:
    with db.session() as s:
        row = s.execute(_joined(FinTransaction, FinAccount.iban, FinCategory.key)
                        .where(FinTransaction.id == transaction_id)).tuples().first()
        return None if row is None else _transaction_view(*row)


def spending(db: Database, month: str) -> MonthSpending:
    start = month_start(month)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    with db.session() as s:
        rows = queries.spending_by_category(s, start, end)
    return MonthSpending(month=month, categories=[
        SpendingRow(category=r.category, name_de=r.name_de, name_en=r.name_en, amount=r.amount,
                    currency=r.currency, count=r.count) for r in rows])


def budget_status(db: Database, month: str, warn_percent: int = 80, alert_percent: int = 100) -> list[BudgetView]:
    with db.session() as s:
        rows = budgets.status(s, month_start(month), warn_percent, alert_percent)
    return [BudgetView(category=b.category, name_de=b.name_de, name_en=b.name_en, month=b.month, limit=b.limit,
                       spent=b.spent, left=b.left, percent=b.percent, level=b.level, currency=b.currency)
            for b in rows]


def recurring_payments(db: Database, only_subscriptions: bool = True, today: date | None = None) -> list[RecurringView]:
    """Detected afresh from the ledger (``recurring.detect`` rebuilds its derived table), largest first."""
    with db.session() as s:
        recurring.detect(s, today)
        rows = queries.subscriptions(s, only_subscriptions)
    return [RecurringView(payee=r.payee, amount=r.amount, currency=r.currency, period=r.period,
                          next_date=r.next_date, account=r.account) for r in rows]


def recategorize(db: Database, transaction_id: int, category: str) -> Recategorized:
    """The user's correction: the booking moves, a rule for its payee is created or moved (KeyError
    when the booking or the category does not exist)."""
    with db.session() as s:
        ensure_defaults(s)
        rule = correct(s, transaction_id, category)
        text = f"{rule.field} '{rule.pattern}'"
    found = transaction(db, transaction_id)
    assert found is not None
    return Recategorized(transaction=found, rule=text)
