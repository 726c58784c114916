"""Per-user data: each server user has their own assistant database (conversation history, notes,
reminders, timers, approvals, the finance ledger), so one user never sees another's. SQLite: one file per user under
``<data>/server/users/<id>/``; PostgreSQL: one schema per user (``pa_user_<id>``) in the same database.
Connected services (calendar, mail, LLM) are the household's, shared as configured by the admin."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from agents.approvals import ApprovalStore
from agents.assistant import Assistant
from agents.memory import Memory
from app.metrics import observed
from app.services import Services
from storage.db.engine import Database

_SPACES_LOCK = 0x5041  # the advisory-lock class of the user spaces' schemas ("PA")


def user_database_url(main_url: str, data_dir: Path, user_id: int) -> str:
    url = make_url(main_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{data_dir / 'server' / 'users' / str(user_id) / 'assistant.sqlite3'}"
    schema = f"pa_user_{int(user_id)}"
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


class UserSpaces:
    """The assistant of each user, built on first use and kept (thread-safe)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._base: Assistant | None = None
        self._dbs: dict[int, Database] = {}
        self._assistants: dict[int, Assistant] = {}
        self._lock = threading.RLock()

    def _base_assistant(self) -> Assistant:
        if self._base is None:
            from app.wiring.assistant import build_assistant

            self._base = build_assistant(self.services)
        return self._base

    def _open(self, user_id: int) -> Database:
        main = self.services.db
        url = user_database_url(main.url, self.services.paths.data_dir, user_id)
        if main.dialect != "postgresql":
            db = Database(url, main.migrations, key=main.key)
            db.migrate()
            return db
        # several server processes on one PostgreSQL (and each one's alarm sweep) may open a new user's schema
        # at once: the schema and its migration are made under a lock per user, held by this session, so one
        # process makes them and the others find them made (two at once failed with a duplicate alembic_version)
        with main.engine.connect() as held:
            held.execute(text("SELECT pg_advisory_lock(:space, :user)"), {"space": _SPACES_LOCK, "user": int(user_id)})
            try:
                with main.engine.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "pa_user_{int(user_id)}"'))
                db = Database(url, main.migrations, key=main.key)
                db.migrate()
            finally:
                held.execute(text("SELECT pg_advisory_unlock(:space, :user)"),
                             {"space": _SPACES_LOCK, "user": int(user_id)})
                held.commit()
        return db

    def database(self, user_id: int) -> Database:
        """The user's own database (migrated on first use): their assistant's data and their ledger."""
        with self._lock:
            db = self._dbs.get(user_id)
            if db is None:
                db = self._dbs[user_id] = self._open(user_id)
            return db

    def assistant(self, user_id: int) -> Assistant:
        with self._lock:
            asst = self._assistants.get(user_id)
            if asst is None:
                db = self.database(user_id)
                base = self._base_assistant()
                asst = observed(dataclasses.replace(base, memory=Memory(db),
                                                    approvals=ApprovalStore(db, self.services.audit)))
                self._assistants[user_id] = asst
            return asst

    def close(self) -> None:
        with self._lock:
            for db in self._dbs.values():
                db.dispose()
            self._dbs.clear()
            self._assistants.clear()


__all__ = ["UserSpaces", "user_database_url"]
