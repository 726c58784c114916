"""The parts finance by voice is made of: amounts in words (EN+DE) and per locale, category words and
periods, amounts and IBANs in what was said, and the payee's IBAN from the ledger or the notes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from agents.approvals import ApprovalStore
from agents.deps import AssistantDeps, ServiceDeps
from agents.finance.ledger import DbLedger
from agents.finance.models import BankAccount, BankTransaction
from agents.finance.period import find_period
from agents.finance.spoken import say_amount, show_amount
from agents.finance.transfers import TransferProblem, amount_of, find_iban, parse_amount, resolve_payee
from agents.finance.vocab import find_category
from agents.memory import Memory
from storage.audit import AuditLog
from storage.db.engine import Database

pytestmark = pytest.mark.unit
OWN = "DE89370400440532013000"
ANNA = "DE02120300000000202051"


@pytest.mark.parametrize(("amount", "en", "de"), [
    ("12.50", "twelve euros fifty", "zwölf Euro fünfzig"),
    ("1", "one euro", "ein Euro"),
    ("0.50", "fifty cents", "fünfzig Cent"),
    ("50", "fifty euros", "fünfzig Euro"),
    ("-3.05", "minus three euros five", "minus drei Euro fünf"),
])
def test_amounts_in_words(amount: str, en: str, de: str) -> None:
    assert say_amount(Decimal(amount), "EUR", "en") == en
    assert say_amount(Decimal(amount), "EUR", "de") == de


def test_amounts_on_screen_per_locale() -> None:
    assert show_amount(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"
    assert show_amount(Decimal("1234.5"), "EUR", "en") == "€1,234.50"


@pytest.mark.parametrize(("said", "key"), [
    ("how much is left of my food budget", "groceries"), ("wie viel ist noch im lebensmittelbudget", "groceries"),
    ("was habe ich für essen gehen ausgegeben", "restaurants"), ("what did i spend on eating out", "restaurants"),
    ("wie viel für stromkosten", "utilities"), ("how much did i spend", None),
])
def test_category_words(said: str, key: str | None) -> None:
    assert find_category(said) == key


def _span(text: str, lang: str = "en") -> tuple[date, date]:
    p = find_period(text, date(2026, 12, 6), lang)
    return p.start, p.end


def test_periods() -> None:
    today = date(2026, 12, 6)
    assert _span("last month") == (date(2026, 11, 1), date(2026, 12, 1))
    assert find_period("im november", today, "de").label == "im November"
    assert _span("im märz 2025", "de") == (date(2025, 3, 1), date(2025, 4, 1))
    assert _span("in december") == (date(2026, 12, 1), date(2027, 1, 1))
    assert _span("anything") == (date(2026, 12, 1), date(2026, 12, 7))  # this month so far


def test_amounts_and_ibans_in_what_was_said() -> None:
    assert parse_amount("send €12.50 to bob") == Decimal("12.50")
    assert parse_amount("zwölf euro fünfzig") == Decimal("12.5")
    assert amount_of("12 50") == Decimal("12.50") and amount_of("1.234") == Decimal("1234")
    assert amount_of("fifty") == Decimal("50") and amount_of("anna") is None
    assert find_iban("to anna iban de89 3704 0044 0532 0130 00 for rent") == OWN
    assert find_iban("DE89 3704 0044 0532 0130 01") is None  # wrong check digits


def test_the_payee_iban_from_the_ledger_or_the_notes_never_a_guess(db: Database) -> None:
    sink = DbLedger(db)
    sink.add_accounts([BankAccount(iban=OWN)])
    sink.add_transactions([BankTransaction(iban=OWN, booking_date=date(2026, 11, 3), amount=Decimal("-20"),
                                           counterparty="Anna Schmidt", counterparty_iban=ANNA, purpose="Kino")])
    memory = Memory(db)
    d = AssistantDeps(services=ServiceDeps(), memory=memory, approvals=ApprovalStore(db, AuditLog(db)), tz=UTC,
                      clock=lambda: datetime.now(UTC))
    anna = resolve_payee(d, "Anna", "transfer 5 euros to anna", "en")
    assert (anna.name, anna.iban, anna.source) == ("Anna Schmidt", ANNA, "ledger")
    with pytest.raises(TransferProblem, match="I don't know an IBAN for Bertram"):
        resolve_payee(d, "Bertram", "transfer 5 euros to bertram", "en")
    memory.remember("Bertram's IBAN is DE75 5121 0800 1245 1261 99")
    bertram = resolve_payee(d, "Bertram", "transfer 5 euros to bertram", "en")
    assert (bertram.iban, bertram.source) == ("DE75512108001245126199", "notes")
