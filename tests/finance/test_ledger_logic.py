"""Categories (defaults, rules, learning from a correction), recurring payments and subscriptions,
budgets (left, 80 % / 100 % warnings given once), the queries the voice part uses, and the finance
migration up and down on SQLite (PostgreSQL: tests/foundation/test_database.py runs every branch)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from agents.domains import migration_folders
from agents.finance.budgets import due_warnings, set_budget, status
from agents.finance.categories import correct
from agents.finance.db import FinCategory, FinRule, FinTransaction
from agents.finance.ledger import import_items
from agents.finance.models import BankTransaction
from agents.finance.queries import balances, spending_by_category, subscriptions, top_payees
from agents.finance.recurring import detect
from storage.db.engine import Database

pytestmark = pytest.mark.unit
IBAN = "DE89370400440532013000"


def tx(on: date, amount: str, name: str, purpose: str = "", iban: str | None = None) -> BankTransaction:
    return BankTransaction(iban=IBAN, booking_date=on, amount=Decimal(amount), counterparty=name, purpose=purpose,
                           counterparty_iban=iban)


def history() -> list[BankTransaction]:
    out = []
    for m in range(1, 13):
        first = date(2026, m, 1)
        out.append(tx(first, "-12.99", "NETFLIX.COM", f"Netflix Abo {m}"))
        out.append(tx(first + timedelta(days=2), "-950.00", "Hausverwaltung Schmidt", "Miete Wohnung", "DE02100500000054540402"))
        out.append(tx(first + timedelta(days=14), "-61.20", "REWE Markt GmbH 4711", "REWE SAGT DANKE"))
        out.append(tx(first + timedelta(days=20), "-23.90", "Pizzeria Da Mario", "Kartenzahlung"))
        out.append(tx(first + timedelta(days=27), "3100.00", "Arbeitgeber AG", "Gehalt"))
    return out


def load(db: Database, items: list[BankTransaction]) -> None:
    with db.session() as s:
        import_items(s, items, "test", "test")


def test_default_categories_and_rules(db: Database) -> None:
    load(db, history())
    with db.session() as s:
        names = {c.name_de: c.name_en for c in s.scalars(select(FinCategory))}
        assert names["Lebensmittel"] == "Groceries" and names["Miete"] == "Rent" and names["Abos"] == "Subscriptions"
        assert {"Versicherungen", "Mobilität", "Restaurants", "Gehalt"} <= set(names)
        spent = {c.category: c.amount for c in spending_by_category(s, date(2026, 11, 1), date(2026, 12, 1))}
    assert spent == {"rent": Decimal("950.00"), "groceries": Decimal("61.20"), "subscriptions": Decimal("12.99"),
                     "": Decimal("23.90")}


def test_a_correction_learns_a_rule(db: Database) -> None:
    load(db, history())
    with db.session() as s:
        pizza = s.scalars(select(FinTransaction).where(FinTransaction.counterparty == "Pizzeria Da Mario")).first()
        assert pizza is not None and pizza.category_id is None
        rule = correct(s, pizza.id, "Restaurants")
        assert (rule.field, rule.pattern, rule.source) == ("payee", "pizzeria da mario", "user")
    with db.session() as s:  # the payee's other bookings followed
        cats = set(s.scalars(select(FinTransaction.category_id).where(FinTransaction.counterparty == "Pizzeria Da Mario")))
        assert len(cats) == 1 and None not in cats
    load(db, [tx(date(2027, 1, 21), "-31.00", "Pizzeria Da Mario", "Kartenzahlung")])  # a new one is categorised
    with db.session() as s:
        spent = {c.category: c.amount for c in spending_by_category(s, date(2027, 1, 1), date(2027, 2, 1))}
        assert spent == {"restaurants": Decimal("31.00")}
        # a second correction moves the rule, no second rule
        pizza = s.scalars(select(FinTransaction).where(FinTransaction.booking_date == date(2027, 1, 21))).one()
        correct(s, pizza.id, "leisure")
        assert len(s.scalars(select(FinRule).where(FinRule.pattern == "pizzeria da mario")).all()) == 1


def test_recurring_payments_and_subscriptions(db: Database) -> None:
    load(db, history())
    with db.session() as s:
        found = detect(s, today=date(2026, 12, 31))
        periods = {r.payee_key: (r.period, r.is_subscription) for r in found}
        subs = subscriptions(s)
    assert periods["netflix com"] == ("monthly", True)
    assert periods["hausverwaltung schmidt"] == ("monthly", False)  # rent is recurring, not a subscription
    assert "pizzeria da mario" in periods  # monthly too, but amounts vary less than 5 %: counted as recurring
    assert [x.payee for x in subs if x.payee.startswith("NETFLIX")] == ["NETFLIX.COM"]
    assert subs[0].amount >= subs[-1].amount


def test_budgets_left_and_warnings_once(db: Database) -> None:
    load(db, history())
    with db.session() as s:
        set_budget(s, "Lebensmittel", Decimal("70"))
        set_budget(s, "restaurants", Decimal("500"))
        (g,) = status(s, date(2026, 11, 20), category="groceries")
        assert (g.limit, g.spent, g.left, g.percent, g.level) == (Decimal("70.00"), Decimal("61.20"),
                                                                   Decimal("8.80"), 87, "warning")
        assert [w.category for w in due_warnings(s, date(2026, 11, 20))] == ["groceries"]
        assert due_warnings(s, date(2026, 11, 25)) == []  # given once
    load(db, [tx(date(2026, 11, 26), "-20.00", "EDEKA", "Einkauf")])
    with db.session() as s:
        (w,) = due_warnings(s, date(2026, 11, 27))
        assert (w.level, w.left) == ("exceeded", Decimal("-11.20"))
        assert due_warnings(s, date(2026, 11, 28)) == []


def test_balance_top_payees(db: Database) -> None:
    load(db, history())
    with db.session() as s:
        (b,) = balances(s)
        assert (b.amount, b.source) == (Decimal(12 * (3100 - 12.99 - 950 - 61.20 - 23.90)).quantize(Decimal("0.01")), "sum")
        top = top_payees(s, date(2026, 1, 1), date(2027, 1, 1), 2)
    assert [p.payee for p in top] == ["Hausverwaltung Schmidt", "REWE Markt GmbH 4711"]
    assert top[0].amount == Decimal("11400.00") and top[0].count == 12


def test_finance_migration_down_and_up(tmp_path: Path) -> None:
    d = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}", migration_folders())
    d.migrate()
    tables = set(inspect(d.engine).get_table_names())
    assert {"fin_accounts", "fin_transactions", "fin_rules", "fin_budgets", "fin_recurring"} <= tables
    d.downgrade("0001_foundation")
    assert not any(t.startswith("fin_") for t in inspect(d.engine).get_table_names())
    d.migrate()
    assert "fin_transactions" in inspect(d.engine).get_table_names()
    d.dispose()
