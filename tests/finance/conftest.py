"""A migrated SQLite ledger per test, and the shared real MT940 statements (read in place, never copied)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.domains import migration_folders
from storage.db.engine import Database

ROOT = Path(__file__).resolve().parents[2]
SHARED_STATEMENTS = ROOT.parent / "shared" / "finance" / "statements"
SHARED_MT940 = SHARED_STATEMENTS / "mt940"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", migration_folders())
    d.migrate()
    yield d
    d.dispose()


@pytest.fixture(scope="session")
def shared_mt940() -> Path:
    if not SHARED_MT940.is_dir():
        pytest.fail(f"real MT940 statements missing: expected {SHARED_MT940} (../shared beside the project)")
    return SHARED_MT940
