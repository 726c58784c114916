"""Leases of scheduled jobs in the database: with several processes on one database (home-server
replicas on PostgreSQL) a periodic job runs in the one process whose claim succeeds. A claim is one
conditional update (``until <= now``): on PostgreSQL a concurrent claim waits for the first to commit,
then finds the lease taken; on SQLite writers take turns. The row is made once (a second insert is a
conflict, ignored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from storage.db.engine import Database
from storage.db.server import ServerJobLease

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def claim_lease(db: Database, name: str, holder: str, period: timedelta, now: datetime | None = None) -> bool:
    """Take the job ``name`` for ``period`` from ``now`` unless another holder has it beyond now; True if
    this caller took it (and should run the job)."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with db.session() as s:
        if s.get(ServerJobLease, name) is None:
            try:
                with s.begin_nested():
                    s.add(ServerJobLease(name=name, holder="", until=_NEVER))
            except IntegrityError:
                pass  # another process made it first
        res = s.execute(update(ServerJobLease).where(ServerJobLease.name == name, ServerJobLease.until <= at)
                        .values(holder=holder[:100], until=at + period)
                        .execution_options(synchronize_session=False))
        return bool(getattr(res, "rowcount", 0))
