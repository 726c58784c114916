"""Monthly budgets per category: how much is left, and the warning state at 80 % and 100 % (the
thresholds are settings). ``due_warnings`` returns each warning once per budget, month and level and
stores that it was given (speaking it is the app's part)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agents.finance.categories import category_by_name
from agents.finance.db import FinBudget, FinBudgetWarning, FinCategory, FinTransaction
from agents.finance.money import from_minor, to_minor

Level = Literal["ok", "warning", "exceeded"]


@dataclass(frozen=True)
class BudgetStatus:
    category: str  # key
    name_de: str
    name_en: str
    month: str  # 2026-11
    limit: Decimal
    spent: Decimal
    left: Decimal  # negative when over budget
    percent: int
    level: Level
    currency: str


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def set_budget(s: Session, category: str, monthly: Decimal, currency: str = "EUR") -> FinBudget:
    cat = category_by_name(s, category)
    if cat is None:
        raise KeyError(f"no category {category!r}")
    if monthly <= 0:
        raise ValueError("a budget must be more than 0")
    budget = s.scalar(select(FinBudget).where(FinBudget.category_id == cat.id))
    if budget is None:
        budget = FinBudget(category_id=cat.id, monthly_minor=to_minor(monthly, currency), currency=currency)
        s.add(budget)
    else:
        budget.monthly_minor, budget.currency = to_minor(monthly, currency), currency
    s.flush()
    return budget


def _spent_minor(s: Session, category_id: int, start: date, end: date, currency: str) -> int:
    total = s.scalar(select(func.coalesce(func.sum(FinTransaction.amount_minor), 0))
                     .where(FinTransaction.category_id == category_id, FinTransaction.currency == currency,
                            FinTransaction.booking_date >= start, FinTransaction.booking_date < end))
    return max(0, -int(total or 0))


def status(s: Session, day: date, warn_percent: int = 80, alert_percent: int = 100,
           category: str | None = None) -> list[BudgetStatus]:
    """Every budget (or one category's) in the month of ``day``."""
    start, end = month_bounds(day)
    q = select(FinBudget, FinCategory).join(FinCategory, FinCategory.id == FinBudget.category_id)
    if category is not None:
        cat = category_by_name(s, category)
        if cat is None:
            raise KeyError(f"no category {category!r}")
        q = q.where(FinBudget.category_id == cat.id)
    out = []
    for budget, cat in s.execute(q.order_by(FinCategory.key)).tuples():
        spent = _spent_minor(s, cat.id, start, end, budget.currency)
        percent = int(spent * 100 // budget.monthly_minor)
        level: Level = "exceeded" if percent >= alert_percent else "warning" if percent >= warn_percent else "ok"
        out.append(BudgetStatus(
            category=cat.key, name_de=cat.name_de, name_en=cat.name_en, month=start.strftime("%Y-%m"),
            limit=from_minor(budget.monthly_minor, budget.currency), spent=from_minor(spent, budget.currency),
            left=from_minor(budget.monthly_minor - spent, budget.currency), percent=percent, level=level,
            currency=budget.currency))
    return out


def due_warnings(s: Session, day: date, warn_percent: int = 80, alert_percent: int = 100) -> list[BudgetStatus]:
    """The budget warnings not given yet this month (each level once); they are stored as given."""
    due = []
    for st in status(s, day, warn_percent, alert_percent):
        if st.level == "ok":
            continue
        level = alert_percent if st.level == "exceeded" else warn_percent
        budget_id = s.scalar(select(FinBudget.id).join(FinCategory, FinCategory.id == FinBudget.category_id)
                             .where(FinCategory.key == st.category))
        given = s.scalar(select(FinBudgetWarning.id).where(
            FinBudgetWarning.budget_id == budget_id, FinBudgetWarning.month == st.month,
            FinBudgetWarning.level == level))
        if given is None:
            s.add(FinBudgetWarning(budget_id=budget_id, month=st.month, level=level))
            due.append(st)
    s.flush()
    return due
