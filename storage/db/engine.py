"""Engine and sessions. SQLite (WAL) in the user data dir by default; PostgreSQL by URL.

With a ``key`` (encryption at rest, ``docs/SECURITY.md``) a SQLite database is opened with SQLCipher:
every page of the file, its WAL and the full-text index is AES-256 encrypted; a database file that is
still plaintext (from before encryption was turned on, or a conversion that did not finish) is opened
as it is until ``encrypt_sqlite`` converts it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'personal-agent.sqlite3'}"


SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of every plaintext SQLite file


class DatabaseKeyError(Exception):
    """The encrypted database does not open with the key given (wrong or another installation's)."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def is_plaintext_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _looks_encrypted(path: Path) -> bool:
    """A non-empty file that is not plaintext SQLite (SQLCipher files look like random bytes)."""
    try:
        return path.stat().st_size >= 1024 and not is_plaintext_sqlite(path)
    except OSError:
        return False


def key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""  # a raw 256-bit key: no passphrase derivation


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, key: bytes | None = None) -> None:
    cur = dbapi_conn.cursor()
    if key is not None:
        cur.execute(key_pragma(key))  # must come first
        cur.execute("PRAGMA temp_store=MEMORY")  # sorts and temp indexes never reach a temp file
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


_SCHEMA = re.compile(r"-csearch_path=([A-Za-z_][A-Za-z0-9_]*)")
_shared: dict[str, Engine] = {}
_shared_lock = threading.Lock()


def _schema_of(url: str) -> tuple[str, str | None]:
    """A PostgreSQL URL whose only option is ``-csearch_path=<schema>`` (a home-server user's database,
    app/server/spaces.py): the URL without it, and the schema; else the URL as it is and None."""
    u = make_url(url)
    m = _SCHEMA.fullmatch(str(u.query.get("options", "")))
    if m is None:
        return url, None
    return u.difference_update_query(["options"]).render_as_string(hide_password=False), m.group(1)


def _shared_engine(base_url: str) -> Engine:
    """One connection pool per PostgreSQL database for all the schemas in it: a pool per schema (per
    server user) held a connection per user, and 100 users took all of PostgreSQL's default 100."""
    with _shared_lock:
        engine = _shared.get(base_url)
        if engine is None:
            engine = _shared[base_url] = create_engine(base_url, pool_pre_ping=True, hide_parameters=True, pool_size=10,
                                                       max_overflow=20, pool_timeout=60)
        return engine


def _use_schema(schema: str) -> Any:
    def on_connect(conn: Connection) -> None:
        conn.exec_driver_sql(f'SET search_path TO "{schema}"')
        conn.commit()  # kept for the connection's use; the next user of the pooled connection sets its own

    return on_connect


class Database:
    """One engine and a session factory; ``migrate()`` brings the schema to head. ``migrations``:
    folders of Alembic revisions besides the foundation's (the domains' own branches)."""

    def __init__(self, url: str, migrations: Sequence[Path] = (), key: bytes | None = None) -> None:
        self.url = url
        self.migrations = tuple(migrations)
        self.key = key
        self.encrypted = False
        if url.startswith("sqlite"):
            path = sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            self.encrypted = key is not None and path is not None and not is_plaintext_sqlite(path)
            if key is None and path is not None and _looks_encrypted(path):
                raise DatabaseKeyError(
                    f"{path.name} is not a database this app can open without a key: it is encrypted "
                    "and the data folder has no key file (encryption-keys.json), or it is damaged"
                )
            # hide_parameters: a statement's values (a user's words, token hashes) never reach a log line or
            # an error message, whatever level sqlalchemy.engine is set to
            args: dict[str, Any] = {"connect_args": {"check_same_thread": False}, "hide_parameters": True}
            if self.encrypted:
                import sqlcipher3.dbapi2

                args["module"] = sqlcipher3.dbapi2
            self.engine: Engine = create_engine(url, **args)
            pragma_key = key if self.encrypted else None
            event.listen(self.engine, "connect", lambda c, r: _sqlite_pragmas(c, r, pragma_key))
            if self.encrypted:
                self._check_key()
        else:
            base, schema = _schema_of(url)
            self._pooled_with_others = schema is not None
            if schema is None:
                self.engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
            else:  # an engine of its own (its listener) on the pool shared by the database's schemas
                self.engine = _shared_engine(base).execution_options()
                event.listen(self.engine, "engine_connect", _use_schema(schema))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _check_key(self) -> None:
        from sqlalchemy import text
        from sqlalchemy.exc import DatabaseError

        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
        except DatabaseError:
            self.engine.dispose()
            raise DatabaseKeyError(
                "the database does not open with this installation's encryption key "
                "(restored without its key file, or with another keyring)"
            ) from None

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
        if not getattr(self, "_pooled_with_others", False):  # a shared pool stays for the other schemas
            self.engine.dispose()
