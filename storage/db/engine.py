"""Engine and sessions. SQLite (WAL) in the user data dir by default; PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'personal-agent.sqlite3'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class Database:
    """One engine and a session factory; ``migrate()`` brings the schema to head. ``migrations``:
    folders of Alembic revisions besides the foundation's (the domains' own branches)."""

    def __init__(self, url: str, migrations: Sequence[Path] = ()) -> None:
        self.url = url
        self.migrations = tuple(migrations)
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def migrate(self, revision: str = "heads") -> None:
        from storage.db.migrate import upgrade

        upgrade(self.engine, revision, self.migrations)

    def downgrade(self, revision: str = "base") -> None:
        from storage.db.migrate import downgrade

        downgrade(self.engine, revision, self.migrations)

    def dispose(self) -> None:
        self.engine.dispose()
