"""The stable identity of a booking, so that importing the same or an overlapping statement adds nothing.

fingerprint = hash(account, booking date, amount, currency, counterparty IBAN or name, purpose,
bank reference when present), text normalised (``text.squash``). Two genuinely identical bookings on one
day (two coffees at the same café) have the same fingerprint: within ONE statement they are numbered
(``occurrence`` 0, 1, ...), so both are kept, and a later file that holds them again matches both."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date

from agents.finance.models import BankTransaction
from agents.finance.money import to_minor
from agents.finance.text import squash


def fingerprint(account: str, booking_date: date, amount_minor: int, currency: str, counterparty: str,
                counterparty_iban: str | None, purpose: str, bank_reference: str | None) -> str:
    parts = (
        account.upper(),
        booking_date.isoformat(),
        str(amount_minor),
        currency.upper(),
        (counterparty_iban or "").upper() or squash(counterparty),
        squash(purpose),
        squash(bank_reference or ""),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def transaction_fingerprint(t: BankTransaction, amount_minor: int | None = None) -> str:
    """The fingerprint of a booking from a statement or a bank sync (``amount_minor``: when the caller has it)."""
    minor = to_minor(t.amount, t.currency) if amount_minor is None else amount_minor
    return fingerprint(t.iban, t.booking_date, minor, t.currency, t.counterparty, t.counterparty_iban, t.purpose,
                       t.bank_reference)


class Occurrences:
    """Numbers identical fingerprints within one source statement: 0 for the first, 1 for the second ..."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def next(self, fp: str) -> int:
        n = self._seen[fp]
        self._seen[fp] = n + 1
        return n
