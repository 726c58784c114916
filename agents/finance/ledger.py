"""The ledger's write side: a statement (from a file or a bank) goes in as ONE database transaction.
Each booking gets its fingerprint and occurrence (``fingerprint.py``); those already known are
counted, the new ones are categorised by the rules and inserted in batches. A broken file raises
before the commit, so nothing is half-written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.orm import Session

from agents.finance.categories import Categorizer, ensure_defaults
from agents.finance.db import FinAccount, FinBalance, FinImport, FinTransaction
from agents.finance.fingerprint import Occurrences, transaction_fingerprint
from agents.finance.imports.base import NewStatement, Skipped
from agents.finance.models import Balance, BankAccount, BankTransaction
from agents.finance.money import to_minor
from agents.finance.text import payee_key
from storage.db.engine import Database

_BATCH = 5000


@dataclass
class ImportResult:
    new: int = 0
    known: int = 0
    skipped: int = 0
    format: str = ""

    def line(self) -> str:
        return f"imported {self.new} new, {self.known} already known, {self.skipped} skipped"


def ensure_account(s: Session, iban: str, currency: str = "EUR", name: str = "", bic: str | None = None,
                   owner: str = "") -> FinAccount:
    acc = s.scalar(select(FinAccount).where(FinAccount.iban == iban))
    if acc is None:
        acc = FinAccount(iban=iban, currency=currency, name=name, bic=bic, owner=owner)
        s.add(acc)
        s.flush()
    return acc


def upsert_account(s: Session, account: BankAccount) -> FinAccount:
    """An account the bank connection reported (name, owner, BIC are updated)."""
    acc = ensure_account(s, account.iban, account.currency, account.name, account.bic, account.owner)
    acc.name, acc.owner, acc.bic = account.name or acc.name, account.owner or acc.owner, account.bic or acc.bic
    return acc


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _BulkInsert:
    """Rows into one table through the database driver's ``executemany``: the statement is compiled once
    and each column's bind conversion (SQLAlchemy's, e.g. dates for SQLite) applied here, which spares
    SQLAlchemy's per-row parameter handling (the larger part of an import's time)."""

    def __init__(self, conn: Connection, table: Table, columns: Sequence[str]) -> None:
        self.conn, self.columns = conn, list(columns)
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=self.columns)
        self.sql = str(compiled)
        self.positional = compiled.positiontup is not None
        self.values = itemgetter(*(compiled.positiontup or self.columns))
        procs = {c: table.c[c].type.bind_processor(conn.dialect) for c in self.columns}
        self.processors = {c: p for c, p in procs.items() if p is not None}

    def __call__(self, rows: list[dict[str, Any]]) -> None:
        for name, process in self.processors.items():
            for r in rows:
                if r[name] is not None:
                    r[name] = process(r[name])
        params: list[Any] = [self.values(r) for r in rows] if self.positional else rows
        self.conn.exec_driver_sql(self.sql, params)


class _Batch:
    def __init__(self, s: Session, import_id: int, result: ImportResult) -> None:
        self.s, self.import_id, self.result = s, import_id, result
        self.rows: list[dict[str, Any]] = []
        self.rules = Categorizer(s)
        self.accounts: dict[str, FinAccount] = {}
        self.insert: _BulkInsert | None = None

    def account(self, iban: str, currency: str) -> FinAccount:
        if iban not in self.accounts:
            self.accounts[iban] = ensure_account(self.s, iban, currency)
        return self.accounts[iban]

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        by_account: dict[int, list[dict[str, Any]]] = {}
        for r in self.rows:
            by_account.setdefault(r["account_id"], []).append(r)
        fresh: list[dict[str, Any]] = []
        for account_id, rows in by_account.items():
            fps = {r["fingerprint"] for r in rows}
            known = set(self.s.execute(
                select(FinTransaction.fingerprint, FinTransaction.occurrence)
                .where(FinTransaction.account_id == account_id, FinTransaction.fingerprint.in_(fps))).tuples())
            for r in rows:
                if (r["fingerprint"], r["occurrence"]) in known:
                    self.result.known += 1
                else:
                    known.add((r["fingerprint"], r["occurrence"]))
                    rule = self.rules.match(r["counterparty"], r["counterparty_iban"], r["purpose"])
                    if rule is not None:
                        r["category_id"], r["category_source"] = rule.category_id, "rule"
                    fresh.append(r)
        if fresh:
            if self.insert is None:
                table = FinTransaction.__table__
                assert isinstance(table, Table)
                self.insert = _BulkInsert(self.s.connection(), table, list(fresh[0]))
            fresh.sort(key=lambda r: r["fingerprint"])  # index pages in order: fewer page writes
            self.insert(fresh)
            self.result.new += len(fresh)
        self.rows = []


def import_items(s: Session, items: Iterable[BankTransaction | Balance | Skipped | NewStatement], source: str,
                 fmt: str,
                 sha256: str = "") -> ImportResult:
    """Books ``items`` in the session ``s`` (the caller commits, or rolls back on an error)."""
    ensure_defaults(s)
    conn = s.connection()
    if conn.dialect.name == "sqlite":  # 32 MB of page cache: a large import rewrites fewer index pages
        conn.exec_driver_sql("PRAGMA cache_size=-32768")
    result = ImportResult(format=fmt)
    record = FinImport(source=source[:300], format=fmt, sha256=sha256)
    s.add(record)
    s.flush()
    batch = _Batch(s, record.id, result)
    occurrences = Occurrences()
    balances: dict[tuple[int, Any], Balance] = {}
    for item in items:
        if isinstance(item, NewStatement):
            occurrences = Occurrences()
            continue
        if isinstance(item, Skipped):
            result.skipped += 1
            continue
        acc = batch.account(item.iban, item.currency)
        if isinstance(item, Balance):
            balances[(acc.id, item.on)] = item
            continue
        if item.pending:
            result.skipped += 1
            continue
        minor = to_minor(item.amount, item.currency)
        fp = transaction_fingerprint(item, minor)
        batch.add({
            "account_id": acc.id, "fingerprint": fp, "occurrence": occurrences.next(fp),
            "booking_date": item.booking_date, "value_date": item.value_date, "amount_minor": minor,
            "currency": item.currency, "counterparty": item.counterparty[:200],
            "counterparty_iban": item.counterparty_iban, "payee_key": payee_key(item.counterparty, item.counterparty_iban),
            "purpose": item.purpose, "booking_text": item.booking_text[:200],
            "bank_reference": (item.bank_reference or None) and item.bank_reference[:100],
            "end_to_end_id": (item.end_to_end_id or None) and item.end_to_end_id[:100],
            "mandate_id": (item.mandate_id or None) and item.mandate_id[:100],
            "creditor_id": (item.creditor_id or None) and item.creditor_id[:100],
            "pending": False, "category_id": None, "category_source": "", "import_id": record.id,
        })
    batch.flush()
    if result.new >= 10_000:  # the planner sees the new size at once (SQLite then reads the spending index)
        conn.exec_driver_sql("ANALYZE fin_transactions")
    for (account_id, on), bal in balances.items():
        row = s.scalar(select(FinBalance).where(FinBalance.account_id == account_id, FinBalance.as_of == on))
        minor = to_minor(bal.amount, bal.currency)
        if row is None:
            s.add(FinBalance(account_id=account_id, as_of=on, amount_minor=minor, source=fmt[:16]))
        else:
            row.amount_minor, row.source = minor, fmt[:16]
    record.new, record.known, record.skipped = result.new, result.known, result.skipped
    s.flush()
    if result.new:
        from agents.finance.invoices.settle import settle_invoices

        settle_invoices(s)  # an open invoice these bookings pay is marked paid (same transaction)
        from agents.finance.receipts.match import match_open

        match_open(s)  # a receipt added before its booking arrived is matched now (same transaction)
    return result


class DbLedger:
    """The ledger as the bank sync's sink (agents/finance/sync.py ``LedgerSink``): inside ``atomic()``
    the three calls of a sync share ONE database transaction (all stored or none); outside it each call
    is its own. Accounts and balances are upserts, transactions are booked as an import (fingerprints:
    a second sync adds nothing)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session: Session | None = None

    @contextmanager
    def atomic(self) -> Iterator[Session]:
        with self.db.session() as s:
            self._session = s
            try:
                yield s
            finally:
                self._session = None

    @contextmanager
    def _use(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
        else:
            with self.db.session() as s:
                yield s

    def add_accounts(self, accounts: Sequence[BankAccount]) -> int:
        with self._use() as s:
            known = {a for a in s.scalars(select(FinAccount.iban))}
            for a in accounts:
                upsert_account(s, a)
            s.flush()
            return len({a.iban for a in accounts} - known)

    def add_balances(self, balances: Sequence[Balance]) -> int:
        if not balances:
            return 0
        with self._use() as s:
            import_items(s, balances, "fints sync", "fints")  # a balance per account and day: upserted
            return len(balances)

    def add_transactions(self, transactions: Sequence[BankTransaction]) -> int:
        with self._use() as s:
            return import_items(s, transactions, "fints sync", "fints").new
