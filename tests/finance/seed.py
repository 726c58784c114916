"""A small realistic ledger for the screen and API tests: two accounts, four months of bookings
(groceries, rent, salary, a Netflix and a Spotify subscription, restaurants, one uncategorised
payee), a bank balance and two budgets. Booked through the real import path (rules categorise)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from agents.finance.budgets import month_bounds, set_budget
from agents.finance.ledger import import_items
from agents.finance.models import Balance, BankTransaction
from storage.db.engine import Database

GIRO = "DE89370400440532013000"
SAVINGS = "DE02120300000000202051"


def _months_back(today: date, n: int) -> date:
    start, _ = month_bounds(today)
    for _ in range(n):
        start = (start - timedelta(days=1)).replace(day=1)
    return start


def bookings(today: date) -> list[BankTransaction | Balance]:
    items: list[BankTransaction | Balance] = []

    def tx(on: date, amount: str, who: str, purpose: str, iban: str = GIRO, cp_iban: str | None = None) -> None:
        items.append(BankTransaction(iban=iban, booking_date=on, amount=Decimal(amount), counterparty=who,
                                     purpose=purpose, counterparty_iban=cp_iban))

    for back in range(3, -1, -1):
        first = _months_back(today, back)
        tx(first, "2850.00", "ACME GmbH", f"Gehalt {first:%m/%Y}")
        tx(first + timedelta(days=1), "-950.00", "Hausverwaltung Meier", f"Miete {first:%m/%Y}",
           cp_iban="DE44500105175407324931")
        tx(first + timedelta(days=2), "-12.99", "Netflix International B.V.", "Netflix Abo")
        tx(first + timedelta(days=4), "-10.99", "Spotify AB", "Spotify Premium")
        for day, amount in ((3, "-54.20"), (5, "-23.75"), (9, "-81.10")):
            if first + timedelta(days=day) <= today:
                tx(first + timedelta(days=day), amount, "REWE Markt GmbH", "Einkauf Lebensmittel")
        if first + timedelta(days=6) <= today:
            # amounts that vary: not recurring; the trattoria has no rule: uncategorised
            tx(first + timedelta(days=6), ("-38.50", "-61.00", "-27.30", "-44.80")[back], "Trattoria Da Enzo",
               "Abendessen")
            tx(first + timedelta(days=6), ("-19.90", "-33.40", "-12.00", "-25.60")[back], "Lieferando.de",
               "Bestellung 4711")
    tx(today, "-45.00", "Flohmarkt Stand 12", "Lampe_50%")  # % and _ in a purpose (search escaping)
    items.append(Balance(iban=GIRO, amount=Decimal("4321.09"), on=today))
    tx(_months_back(today, 1), "500.00", "Max Mustermann", "Sparen", iban=SAVINGS)
    return [i for i in items if not isinstance(i, BankTransaction) or i.booking_date <= today]


def seed_ledger(db: Database, today: date | None = None) -> None:
    today = today or date.today()
    with db.session() as s:
        import_items(s, bookings(today), "seed", "test")
        set_budget(s, "groceries", Decimal("150"))
        set_budget(s, "restaurants", Decimal("100"))
