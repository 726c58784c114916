"""Budget warnings as notices of the running app: when an import or a bank sync pushes a budget over
its first line (80 % by default) or uses it up (100 %), the app shows and says it once per budget, month
and level (``budgets.due_warnings`` stores what was given). An ``AlarmClock`` source (agents/alarms.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from agents.alarms import Alarm
from agents.finance.budgets import BudgetStatus, due_warnings
from agents.finance.settings import FinanceSettings
from agents.finance.spoken import say_amount
from agents.local.phrases import tr
from storage.db.engine import Database


def warning_text(st: BudgetStatus, lang: str) -> str:
    name = st.name_de if lang == "de" else st.name_en.lower()
    if st.level == "exceeded":
        over = -st.left
        return tr(lang, f"Budget warning: your {name} budget is used up"
                        + (f", over by {say_amount(over, st.currency, lang)}." if over > 0 else "."),
                  f"Budget-Warnung: dein Budget für {name} ist aufgebraucht"
                  + (f", um {say_amount(over, st.currency, lang)} überschritten." if over > 0 else "."))
    return tr(lang, f"Budget warning: {st.percent} percent of your {name} budget is used; "
                    f"{say_amount(st.left, st.currency, lang)} left this month.",
              f"Budget-Warnung: {st.percent} Prozent deines Budgets für {name} sind verbraucht; "
              f"noch {say_amount(st.left, st.currency, lang)} in diesem Monat.")


def budget_warnings(db: Database, now: datetime, settings: FinanceSettings, lang: str) -> list[Alarm]:
    """The warnings not given yet this month, each once (marked as given)."""
    with db.session() as s:
        due = due_warnings(s, now.date(), settings.budget_warn_percent, settings.budget_alert_percent)
    return [Alarm(kind="budget", id=i, due_at=now, text=warning_text(st, lang)) for i, st in enumerate(due)]


def budget_source(db: Database, settings: FinanceSettings, lang: str,
                  every_s: float = 60.0) -> Callable[[datetime], list[Alarm]]:
    """An alarm-clock source that looks at the budgets at most every ``every_s`` seconds."""
    last = [float("-inf")]

    def source(now: datetime) -> list[Alarm]:
        if time.monotonic() - last[0] < every_s:
            return []
        last[0] = time.monotonic()
        return budget_warnings(db, now, settings, lang)

    return source
