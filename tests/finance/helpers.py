"""Import a file into a test ledger the way the CLI does (one database transaction)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from agents.finance.db import FinTransaction
from agents.finance.imports import CsvLayout, open_statement
from agents.finance.ledger import ImportResult, import_items
from storage.db.engine import Database


def import_file(db: Database, path: Path, account: str | None = None,
                layouts: list[CsvLayout] | None = None) -> ImportResult:
    with db.session() as s:
        st = open_statement(path, account, layouts or [])
        return import_items(s, st.items, path.name, st.format)


def ledger_count_and_sum(db: Database) -> tuple[int, int]:
    with db.session() as s:
        n, total = s.execute(select(func.count(FinTransaction.id),
                                    func.coalesce(func.sum(FinTransaction.amount_minor), 0))).one()
    return int(n), int(total)
