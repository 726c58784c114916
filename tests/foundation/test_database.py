"""The schema migrates empty -> head -> base -> head and CRUD works, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from agents.domains import migration_folders
from storage.audit import AuditLog, scrub
from storage.db.engine import Database
from storage.db.migrate import current_heads, downgrade, upgrade
from storage.db.models import Account
from tests.servers.postgres import PostgresServer


def _roundtrip(db: Database) -> None:
    upgrade(db.engine, "heads", migration_folders())
    tables = set(inspect(db.engine).get_table_names())
    assert {"accounts", "audit_log", "alembic_version"} <= tables
    assert current_heads(db.engine), "no alembic revision recorded after upgrade"

    with db.session() as s:
        s.add(Account(name="gmx", kind="mail", username="me@gmx.de", host="imap.gmx.net", port=993,
                      options={"security": "ssl", "ümlaut": "ä"}))
    with db.session() as s:
        acc = s.scalar(select(Account).where(Account.name == "gmx"))
        assert acc is not None and acc.options["ümlaut"] == "ä"
        acc.port = 143
    with db.session() as s:
        acc = s.scalar(select(Account).where(Account.name == "gmx"))
        assert acc is not None and acc.port == 143
        s.delete(acc)
    with db.session() as s:
        assert s.scalar(select(Account)) is None

    log = AuditLog(db)
    rec = log.record("mail.send", "anna@example.org", "approved", "password=hunter2 token: abc")
    assert rec.id > 0
    assert "hunter2" not in rec.detail and "abc" not in rec.detail
    assert log.recent(5)[0].action == "mail.send"

    downgrade(db.engine, "base", migration_folders())
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(db.engine, "heads", migration_folders())
    assert "accounts" in set(inspect(db.engine).get_table_names())


@pytest.mark.integration
def test_migrations_and_crud_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with db.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"
    _roundtrip(db)
    db.dispose()


@pytest.mark.integration
def test_migrations_and_crud_postgres(postgres_server: PostgresServer) -> None:
    db = Database(postgres_server.url)
    assert db.dialect == "postgresql"
    _roundtrip(db)
    db.dispose()


@pytest.mark.unit
def test_scrub_removes_secrets() -> None:
    text = scrub("login password: s3cr3t api_key=sk-abcdefghijkl Authorization: Bearer xyz.abc")
    for secret in ("s3cr3t", "sk-abcdefghijkl", "xyz.abc"):
        assert secret not in text


@pytest.mark.unit
def test_scrub_knows_json_query_strings_jwts_and_url_passwords() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    text = scrub('{"username": "anna", "password": "two words", "refresh_token": "r3fr3sh"} '
                 "GET /x?hub.verify_token=V3rify&code=12345678&page=2 "
                 f"token {jwt} postgresql+psycopg://anna:Db-Pass@db/pa pin: 4711 status_code=200")
    for secret in ("two words", "r3fr3sh", "V3rify", "12345678", jwt, "Db-Pass", "4711"):
        assert secret not in text
    for kept in ('"username": "anna"', "page=2", "status_code=200", '"password": [redacted]', "@db/pa"):
        assert kept in text
