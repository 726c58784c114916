"""The Finance screen's view logic, without Flet (unit-testable): what each row says and how long each
bar is. Money and months in the user's language (``fmt``), category names German or English."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from app.finance import views
from app.finance.fmt import money
from app.finance.scheduler import SyncStatus


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
        return "Ohne Kategorie" if language.startswith("de") else "Uncategorised"
    return name_de if language.startswith("de") else name_en


def category_names(categories: list[views.CategoryView], language: str) -> dict[str, str]:
    return {c.key: category_label(c.key, c.name_de, c.name_en, language) for c in categories}


def account_title(a: views.AccountView) -> str:
    iban = " ".join(a.iban[i:i + 4] for i in range(0, len(a.iban), 4))
    return f"{a.name} · {iban}" if a.name else iban


def account_detail(a: views.AccountView) -> str:
    if a.as_of is None:
        return "no bookings yet"
    return f"as of {a.as_of:%d.%m.%Y}" + ("" if a.balance_source == "bank" else " (sum of the bookings)")


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
                detail=f"{r.count} booking{'s' if r.count != 1 else ''}") for r in m.categories]


def budget_bars(rows: list[views.BudgetView], language: str) -> list[Bar]:
    out = []
    for b in rows:
        left = (f"{money(b.left, b.currency, language)} left" if b.left >= 0
                else f"{money(-b.left, b.currency, language)} over")
        out.append(Bar(key=b.category, label=category_label(b.category, b.name_de, b.name_en, language),
                       amount=f"{money(b.spent, b.currency, language)} of {money(b.limit, b.currency, language)}",
                       fraction=min(1.0, b.percent / 100), detail=f"{left} · {b.percent} %", level=b.level))
    return out


def recurring_line(r: views.RecurringView, language: str) -> tuple[str, str]:
    return r.payee, f"{money(r.amount, r.currency, language)} {r.period} · next {r.next_date:%d.%m.%Y}"


def transaction_cells(t: views.TransactionView, names: dict[str, str], language: str) -> tuple[str, str, str, str]:
    """date, payee (or purpose), amount, category."""
    who = t.counterparty or t.purpose[:60] or t.booking_text or "—"
    cat = names.get(t.category or "", "") if t.category else category_label(None, "", "", language)
    return f"{t.booking_date:%d.%m.%Y}", who, money(t.amount, t.currency, language), cat


def paging_line(page: views.TransactionPage) -> str:
    if page.total == 0:
        return "No bookings match."
    return f"{page.offset + 1}–{page.offset + len(page.items)} of {page.total}"


def sync_line(status: SyncStatus | None, now: datetime | None = None) -> str:
    """One line: what the scheduled bank sync is doing, did, or why it failed."""
    if status is None:
        return ""
    running = [a for a in status.accounts if a.state == "running"]
    if running:
        a = running[0]
        return f"Bank sync: '{a.account}' {a.step or 'running'}…"
    failed = [a for a in status.accounts if a.state == "failed"]
    if failed:
        return failed[0].message
    done = [a for a in status.accounts if a.state == "ok"]
    parts = []
    if done:
        last = max(a.finished_at for a in done if a.finished_at)
        new = sum(a.new_transactions for a in done)
        parts.append(f"Bank synced at {last.astimezone():%H:%M}: {new} new booking{'s' if new != 1 else ''}")
    if status.interval_min <= 0:
        parts.append("no scheduled bank sync")
    elif status.next_run_at is not None:
        parts.append(f"next sync at {status.next_run_at.astimezone():%H:%M}")
    if not parts:
        return ""
    line = "; ".join(parts)
    return line[0].upper() + line[1:]


def now_utc() -> datetime:
    return datetime.now(UTC)
