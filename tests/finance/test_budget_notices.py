"""Budget warnings at 80 % and 100 %: after an import pushes a budget over the line the running app's
alarm clock shows and says it once (per budget, month and level), in the user's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from agents.alarms import Alarm, AlarmClock
from agents.finance.budgets import set_budget
from agents.finance.categories import ensure_defaults
from agents.finance.ledger import DbLedger
from agents.finance.models import BankAccount, BankTransaction
from agents.finance.notices import budget_source, budget_warnings
from agents.finance.settings import FinanceSettings
from agents.memory import Memory
from storage.db.engine import Database

pytestmark = pytest.mark.unit
IBAN = "DE89370400440532013000"


def _spend(db: Database, amount: str, purpose: str) -> None:
    sink = DbLedger(db)
    sink.add_accounts([BankAccount(iban=IBAN)])
    sink.add_transactions([BankTransaction(iban=IBAN, booking_date=date.today(), amount=-Decimal(amount),
                                           counterparty="REWE Markt GmbH", purpose=purpose)])


def test_each_level_is_said_once_after_an_import(db: Database) -> None:
    with db.session() as s:
        ensure_defaults(s)
        set_budget(s, "Lebensmittel", Decimal("100"))
    now = datetime.now(UTC)
    cfg = FinanceSettings()
    _spend(db, "50.00", "Einkauf 1")
    assert budget_warnings(db, now, cfg, "en") == []
    _spend(db, "35.00", "Einkauf 2")  # 85 %
    said = budget_warnings(db, now, cfg, "de")
    assert [a.text for a in said] == ["Budget-Warnung: 85 Prozent deines Budgets für Lebensmittel sind verbraucht; "
                                      "noch fünfzehn Euro in diesem Monat."]
    assert budget_warnings(db, now, cfg, "de") == []  # once
    _spend(db, "20.50", "Einkauf 3")  # 105.50 of 100
    rung: list[Alarm] = []
    clock = AlarmClock(Memory(db), lambda: now, rung.append, sources=[budget_source(db, cfg, "en")])
    clock.tick()
    clock.tick()  # the source looks again only after a minute; and a level is never said twice
    assert [a.text for a in rung] == ["Budget warning: your groceries budget is used up, over by five euros fifty."]
    assert rung[0].kind == "budget"
