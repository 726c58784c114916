"""The Finance screen's view logic, without Flet (unit-testable): what each row says and how long each
bar is. Money and months in the user's language (``fmt``), category names German or English."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date, format_time

from app.finance import views
from app.finance.fmt import locale_of, money
from app.finance.scheduler import SyncStatus
from app.gui.strings import GUI


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    amount: str
    fraction: float  # 0..1: the bar's length
    detail: str = ""
    level: str = "ok"  # ok warning exceeded (budgets)


def category_label(key: str | None, name_de: str, name_en: str, language: str) -> str:
    if not key and not name_de:
        return GUI.text("finance.uncategorised", language)
    return name_de if language.startswith("de") else name_en


def category_names(categories: list[views.CategoryView], language: str) -> dict[str, str]:
    return {c.key: category_label(c.key, c.name_de, c.name_en, language) for c in categories}


def account_title(a: views.AccountView) -> str:
    iban = " ".join(a.iban[i:i + 4] for i in range(0, len(a.iban), 4))
    return f"{a.name} · {iban}" if a.name else iban


def day(d: date, language: str) -> str:
    """A booking's day: 03.11.2026 / 3 Nov 2026."""
    return str(format_date(d, "medium", locale=locale_of(language)))


def clock(at: datetime, language: str) -> str:
    return str(format_time(at.astimezone(), "short", locale=locale_of(language)))


def bookings(count: int, language: str) -> str:
    return GUI.text("finance.bookings_one" if count == 1 else "finance.bookings_many", language, count=count)


def account_detail(a: views.AccountView, language: str = "en") -> str:
    if a.as_of is None:
        return GUI.text("finance.no_bookings_yet", language)
    key = "finance.as_of" if a.balance_source == "bank" else "finance.as_of_sum"
    return GUI.text(key, language, date=day(a.as_of, language))


def totals(amounts: list[tuple[Decimal, str]], language: str) -> str:
    """The sum per currency, e.g. ``1.234,50 €`` or ``12,00 € + 3,00 CHF``."""
    per: dict[str, Decimal] = defaultdict(Decimal)
    for amount, ccy in amounts:
        per[ccy] += amount
    return " + ".join(money(v, c, language) for c, v in sorted(per.items())) or money(Decimal(0), "EUR", language)


def spending_bars(m: views.MonthSpending, language: str) -> list[Bar]:
    """One bar per category, the largest full length."""
    top = max((r.amount for r in m.categories), default=Decimal(0))
    return [Bar(key=r.category or "none", label=category_label(r.category, r.name_de, r.name_en, language),
                amount=money(r.amount, r.currency, language),
                fraction=float(r.amount / top) if top > 0 else 0.0,
                detail=bookings(r.count, language)) for r in m.categories]


def budget_bars(rows: list[views.BudgetView], language: str) -> list[Bar]:
    out = []
    for b in rows:
        left = (GUI.text("finance.left", language, amount=money(b.left, b.currency, language)) if b.left >= 0
                else GUI.text("finance.over", language, amount=money(-b.left, b.currency, language)))
        out.append(Bar(key=b.category, label=category_label(b.category, b.name_de, b.name_en, language),
                       amount=GUI.text("finance.spent_of", language, spent=money(b.spent, b.currency, language),
                                       limit=money(b.limit, b.currency, language)),
                       fraction=min(1.0, b.percent / 100), detail=f"{left} · {b.percent} %", level=b.level))
    return out


def recurring_line(r: views.RecurringView, language: str) -> tuple[str, str]:
    return r.payee, GUI.text("finance.next_date", language, amount=money(r.amount, r.currency, language),
                             period=r.period, date=day(r.next_date, language))


def transaction_cells(t: views.TransactionView, names: dict[str, str], language: str) -> tuple[str, str, str, str]:
    """date, payee (or purpose), amount, category."""
    who = t.counterparty or t.purpose[:60] or t.booking_text or "—"
    cat = names.get(t.category or "", "") if t.category else category_label(None, "", "", language)
    return day(t.booking_date, language), who, money(t.amount, t.currency, language), cat


def paging_line(page: views.TransactionPage, language: str = "en") -> str:
    if page.total == 0:
        return GUI.text("finance.no_match", language)
    return GUI.text("finance.paging", language, first=page.offset + 1, last=page.offset + len(page.items),
                    total=page.total)


def sync_line(status: SyncStatus | None, now: datetime | None = None, language: str = "en") -> str:
    """One line: what the scheduled bank sync is doing, did, or why it failed."""
    if status is None:
        return ""
    running = [a for a in status.accounts if a.state == "running"]
    if running:
        a = running[0]
        step = f"finance.sync_step_{a.step}"  # the scheduler's step names, in words of the language
        return GUI.text("finance.sync_running", language, account=a.account,
                        step=GUI.text(step if step in GUI else "finance.sync_running_step", language))
    failed = [a for a in status.accounts if a.state == "failed"]
    if failed:
        return failed[0].message
    done = [a for a in status.accounts if a.state == "ok"]
    parts = []
    if done:
        last = max(a.finished_at for a in done if a.finished_at)
        new = sum(a.new_transactions for a in done)
        key = "finance.synced_one" if new == 1 else "finance.synced_many"
        parts.append(GUI.text(key, language, time=clock(last, language), count=new))
    if status.interval_min <= 0:
        parts.append(GUI.text("finance.no_schedule", language))
    elif status.next_run_at is not None:
        parts.append(GUI.text("finance.next_sync", language, time=clock(status.next_run_at, language)))
    if not parts:
        return ""
    line = "; ".join(parts)
    return line[0].upper() + line[1:]


def now_utc() -> datetime:
    return datetime.now(UTC)
