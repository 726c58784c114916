"""Bank sync: fetch everything from a bank connection first, then hand it to the ledger in one go.

The ledger is a ``LedgerSink`` (the real one lives with the ledger tables; ``MemoryLedger`` is the
trivial one). Nothing reaches the sink unless the whole fetch succeeded: a bank that is down or refuses
the PIN leaves the ledger untouched. The sink applies one sync atomically (``atomic()``: one database
transaction for accounts, balances and bookings) and skips what it has already (the same booking
fetched again)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from agents.finance.fingerprint import Occurrences, transaction_fingerprint
from agents.finance.fints_client import BankSnapshot
from agents.finance.models import Balance, BankAccount, BankTransaction


class LedgerSink(Protocol):
    """Where synced data goes; each method returns how many items were new."""

    def add_accounts(self, accounts: Sequence[BankAccount]) -> int: ...

    def add_balances(self, balances: Sequence[Balance]) -> int: ...

    def add_transactions(self, transactions: Sequence[BankTransaction]) -> int: ...

    def atomic(self) -> AbstractContextManager[object]:
        """The three calls of one sync inside: all stored, or (on an error) none."""
        ...


class BankSource(Protocol):
    def fetch(self, start: date, end: date, iban: str | None = None) -> BankSnapshot: ...


@dataclass
class MemoryLedger:
    accounts: dict[str, BankAccount] = field(default_factory=dict)
    balances: dict[tuple[str, date], Balance] = field(default_factory=dict)
    transactions: dict[tuple[str, int], BankTransaction] = field(default_factory=dict)

    def add_accounts(self, accounts: Sequence[BankAccount]) -> int:
        new = sum(1 for a in accounts if a.iban not in self.accounts)
        self.accounts.update({a.iban: a for a in accounts})
        return new

    def add_balances(self, balances: Sequence[Balance]) -> int:
        new = sum(1 for b in balances if (b.iban, b.on) not in self.balances)
        self.balances.update({(b.iban, b.on): b for b in balances})
        return new

    def add_transactions(self, transactions: Sequence[BankTransaction]) -> int:
        """Keyed as the ledger keys them: fingerprint and occurrence (``fingerprint.py``)."""
        before = len(self.transactions)
        occurrences = Occurrences()
        for t in transactions:
            fp = transaction_fingerprint(t)
            self.transactions.setdefault((fp, occurrences.next(fp)), t)
        return len(self.transactions) - before

    def atomic(self) -> AbstractContextManager[object]:
        return nullcontext()


@dataclass
class SyncResult:
    accounts: int
    balances: int
    transactions: int
    new_transactions: int
    seconds: float

    def line(self, name: str) -> str:
        return (f"synced bank '{name}': {self.accounts} account(s), {self.balances} balance(s), "
                f"{self.transactions:,} transaction(s) ({self.new_transactions:,} new) in {self.seconds:.1f} s")


def sync_bank(source: BankSource, sink: LedgerSink, start: date, end: date, iban: str | None = None,
              step: Callable[[str], None] | None = None) -> SyncResult:
    """Fetch (all or nothing, ``FintsError`` on failure), then store in one transaction; the counts of
    what was fetched and new. ``step`` hears "fetching" and "storing" (a progress display)."""
    began = time.perf_counter()
    if step is not None:
        step("fetching")
    snapshot = source.fetch(start, end, iban)
    if step is not None:
        step("storing")
    with sink.atomic():
        sink.add_accounts(snapshot.accounts)
        sink.add_balances(snapshot.balances)
        new = sink.add_transactions(snapshot.transactions)
    return SyncResult(accounts=len(snapshot.accounts), balances=len(snapshot.balances),
                      transactions=len(snapshot.transactions), new_transactions=new,
                      seconds=time.perf_counter() - began)
