"""Finance, read only, per user: each user's own ledger (their database, app/server/spaces.py), so
another user's accounts and bookings are never visible (lists are empty, a booking id is 404).
Accounts with balances, transactions (search, category, date range, paging), spending per category
in a month, budgets with used/left, recurring payments, and the scheduled sync's status."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.finance import views
from app.finance.scheduler import SyncStatus
from app.server.api_language import api_error
from app.server.auth import Me, State, problems
from app.wiring.finance import fints_settings
from storage.db.engine import Database

router = APIRouter(prefix="/api/v1/finance", tags=["finance"])
Month = Annotated[str | None, Query(pattern=views.MONTH_PATTERN, description="YYYY-MM (default: this month)")]


def _ledger(me: Me, st: State) -> Database:
    return st.spaces.database(me.user.id)


def _month(month: str | None) -> str:
    return month or views.month_of(date.today())


@router.get("/accounts", response_model=list[views.AccountView], responses=problems(401))
def accounts(me: Me, st: State) -> list[views.AccountView]:
    """Your bank accounts with their balances."""
    return views.accounts(_ledger(me, st))


@router.get("/categories", response_model=list[views.CategoryView], responses=problems(401))
def categories(me: Me, st: State) -> list[views.CategoryView]:
    """The categories (German and English names)."""
    return views.categories(_ledger(me, st))


@router.get("/transactions", response_model=views.TransactionPage, responses=problems(400, 401))
def transactions(
    me: Me, st: State,
    q: Annotated[str, Query(max_length=200, description="words in payee or purpose")] = "",
    category: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$",
                                          description=f"a category key, or '{views.UNCATEGORISED}'")] = None,
    start: Annotated[date | None, Query(alias="from", description="first booking day, YYYY-MM-DD")] = None,
    end: Annotated[date | None, Query(alias="to", description="last booking day (inclusive), YYYY-MM-DD")] = None,
    account: Annotated[str | None, Query(max_length=64, description="an IBAN")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> views.TransactionPage:
    """Your bookings, newest first, ``limit`` from ``offset`` (``total`` counts every match)."""
    if start is not None and end is not None and start > end:
        raise api_error(400, "'from' is after 'to'", "'from' liegt nach 'to'")
    return views.transactions(_ledger(me, st), views.TransactionFilter(
        q=q, category=category, start=start, end=end, account=account, offset=offset, limit=limit))


@router.get("/transactions/{transaction_id}", response_model=views.TransactionView, responses=problems(401, 404))
def transaction(transaction_id: Annotated[int, Path(ge=1, le=2**62)], me: Me, st: State) -> views.TransactionView:
    found = views.transaction(_ledger(me, st), transaction_id)
    if found is None:
        raise api_error(404, "no such transaction", "keine solche Buchung")
    return found


@router.get("/spending", response_model=views.MonthSpending, responses=problems(401))
def spending(me: Me, st: State, month: Month = None) -> views.MonthSpending:
    """Money out per category in a month, largest first (refunds reduce their category)."""
    return views.spending(_ledger(me, st), _month(month))


@router.get("/budgets", response_model=list[views.BudgetView], responses=problems(401))
def budgets(me: Me, st: State, month: Month = None) -> list[views.BudgetView]:
    """Each monthly budget: spent, left, percent and level (ok / warning / exceeded)."""
    cfg = fints_settings(st.services.settings)
    return views.budget_status(_ledger(me, st), _month(month), cfg.budget_warn_percent, cfg.budget_alert_percent)


@router.get("/recurring", response_model=list[views.RecurringView], responses=problems(401))
def recurring(me: Me, st: State, every: Annotated[bool, Query(alias="all",
        description="every recurring payment out, not only subscriptions")] = False) -> list[views.RecurringView]:
    """Subscriptions (or all recurring payments out) detected in your bookings, largest first."""
    return views.recurring_payments(_ledger(me, st), only_subscriptions=not every)


@router.get("/sync", response_model=SyncStatus, responses=problems(401))
def sync_status(me: Me, st: State) -> SyncStatus:
    """The scheduled bank sync: running or not, when next, and the last result of each bank account
    that feeds your ledger (an admin also sees the household's)."""
    status = st.finance_sync.status()
    mine = [a for a in status.accounts if a.user == me.user.username or (not a.user and me.user.is_admin)]
    return status.model_copy(update={"accounts": mine})
