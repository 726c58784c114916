"""Scheduled jobs of the home server run once across processes: the lease in the database
(storage/db/leases.py) is taken by exactly one of many concurrent claims on PostgreSQL (two engines: as
two server processes), again once after its period; the bank-sync scheduler runs only a claimed run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.finance.scheduler import BankSyncScheduler
from storage.db.engine import Database
from storage.db.leases import claim_lease
from tests.servers.postgres import PostgresServer

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
PERIOD = timedelta(minutes=54)


@pytest.fixture(scope="module")
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.fresh_database("pa_lease_test")
    db = Database(url)
    db.migrate()
    db.dispose()
    yield url


def _race(dbs: list[Database], name: str, at: datetime, per_db: int = 8) -> list[str]:
    """Every thread claims ``name`` at the same moment; the holders that got it."""
    start = threading.Barrier(len(dbs) * per_db)
    won: list[str] = []

    def claim(db: Database, who: str) -> None:
        start.wait()
        if claim_lease(db, name, who, PERIOD, at):
            won.append(who)

    threads = [threading.Thread(target=claim, args=(db, f"process {i} thread {j}"))
               for i, db in enumerate(dbs) for j in range(per_db)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return won


@pytest.mark.integration
def test_one_of_many_concurrent_claims_wins_on_postgres(pg_url: str) -> None:
    dbs = [Database(pg_url), Database(pg_url)]
    try:
        assert len(_race(dbs, "bank-sync", NOW)) == 1  # the row is made and taken in the same race
        assert _race(dbs, "bank-sync", NOW + PERIOD / 2) == []  # still held
        assert len(_race(dbs, "bank-sync", NOW + PERIOD)) == 1  # the next run: once again
        assert len(_race(dbs, "other-job", NOW)) == 1  # leases are per job
    finally:
        for db in dbs:
            db.dispose()


@pytest.mark.unit
def test_claims_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'main.sqlite3'}"
    first = Database(url)
    first.migrate()
    second = Database(url)
    assert claim_lease(first, "bank-sync", "a", PERIOD, NOW)
    assert not claim_lease(second, "bank-sync", "b", PERIOD, NOW + timedelta(minutes=1))
    assert claim_lease(second, "bank-sync", "b", PERIOD, NOW + PERIOD)
    first.dispose()
    second.dispose()


@pytest.mark.unit
def test_scheduler_syncs_only_the_runs_it_claimed() -> None:
    services: Any = None  # run_once is replaced: the scheduler's loop and its claim are what is tested
    sched = BankSyncScheduler(services, lambda: [], interval_s=0.05, first_delay_s=0.01)
    claims = iter([True, False, False, True] + [False] * 1000)
    ran: list[float] = []
    sched.claim = lambda: next(claims)
    sched.run_once = lambda: ran.append(time.monotonic()) or []  # type: ignore[method-assign]
    sched.start()
    deadline = time.monotonic() + 30
    while len(ran) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    sched.stop()
    assert len(ran) == 2  # the first and the fourth run were this process's; the others another's
