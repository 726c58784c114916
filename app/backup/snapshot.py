"""What goes into a backup, gathered into a staging folder that mirrors ``PA_HOME``: ``config/...``,
``data/...`` and the database (``database/main.sqlite3`` or ``database/main.pgdump``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from app.paths import AppPaths
from storage.db.engine import key_pragma, sqlite_path

SQLITE_SIDE = ("-wal", "-shm", "-journal")
SKIPPED_DIRS = ("models", "recordings", "spool", "backups", "migrations", "logs")  # rebuilt, on a backend, big, or logs


class SnapshotError(Exception):
    """One line for the user: why the snapshot could not be taken or put back."""


@dataclass(frozen=True)
class Source:
    """Where the installation's parts are."""

    paths: AppPaths
    database_url: str
    database_key: bytes | None  # the SQLCipher key when encryption at rest is on


def sqlite_copy(src: Path, dst: Path, key: bytes | None) -> None:
    """A consistent copy of a live SQLite (or SQLCipher) file with the online backup API: writers
    go on meanwhile; the copy is the database as of one moment, with the same key."""
    import sqlcipher3.dbapi2 as sqlite

    dst.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite.connect(str(dst))
    try:
        if key is not None:
            source.execute(key_pragma(key))
            target.execute(key_pragma(key))
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a wrong key fails here
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


def _pg_env(url: str) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection arguments; the password goes in the environment, never argv."""
    u = make_url(url)
    args = ["--host", u.host or "127.0.0.1", "--port", str(u.port or 5432), "--username", u.username or "postgres",
            "--dbname", u.database or "postgres"]
    env = {**os.environ, "PGPASSWORD": u.password or "", "PGCONNECT_TIMEOUT": "10"}
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(cmd[0]) is None:
        raise SnapshotError(f"{cmd[0]} is not installed: it is needed to {what} a PostgreSQL database")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        raise SnapshotError(f"{cmd[0]} failed: {lines[-1][:200] if lines else done.returncode}")


def pg_dump(url: str, dst: Path) -> None:
    """The whole database (every user's schema) as one consistent dump (pg_dump's own snapshot)."""
    args, env = _pg_env(url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dst), *args], env, "back up")


def pg_restore(url: str, src: Path) -> None:
    args, env = _pg_env(url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(src)], env,
         "restore")


def _data_files(paths: AppPaths, main_db: Path | None) -> list[Path]:
    """The data folder's files that belong in a backup: the keyring and key files, state files and
    the per-user databases; not the models, recordings, spool, caches, locks or SQLite side files."""
    skipped = {paths.data_dir / d for d in SKIPPED_DIRS} | {paths.data_dir / "server" / "audio"}
    out = []
    for root, dirs, files in os.walk(paths.data_dir):
        here = Path(root)
        dirs[:] = [d for d in dirs if here / d not in skipped]
        for name in files:
            f = here / name
            if f == main_db or name.endswith(SQLITE_SIDE) or name.endswith(".lock") or name.startswith("."):
                continue
            out.append(f)
    return sorted(out)


def gather(src: Source, staging: Path) -> list[str]:
    """Copy everything into ``staging`` (relative names as in the archive); returns the names."""
    names: list[str] = []
    main_db = sqlite_path(src.database_url)
    if main_db is not None:
        if main_db.exists():
            sqlite_copy(main_db, staging / "database" / "main.sqlite3", src.database_key)
            names.append("database/main.sqlite3")
    elif src.database_url.startswith("postgres"):
        (staging / "database").mkdir(parents=True, exist_ok=True)
        pg_dump(src.database_url, staging / "database" / "main.pgdump")
        names.append("database/main.pgdump")
    for f in _data_files(src.paths, main_db):
        rel = "data/" + f.relative_to(src.paths.data_dir).as_posix()
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if f.name.endswith((".sqlite3", ".db")):
            sqlite_copy(f, target, src.database_key)
        else:
            shutil.copy2(f, target)
        names.append(rel)
    if src.paths.config_dir.exists():
        for f in sorted(p for p in src.paths.config_dir.rglob("*") if p.is_file()):
            rel = "config/" + f.relative_to(src.paths.config_dir).as_posix()
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, staging / rel)
            names.append(rel)
    return names


def target_of(name: str, paths: AppPaths, database_url: str) -> Path | None:
    """Where an archive member goes back to; None for the PostgreSQL dump (restored with pg_restore)."""
    head, _, rest = name.partition("/")
    if head == "config":
        return paths.config_dir / rest
    if head == "data":
        return paths.data_dir / rest
    if name == "database/main.sqlite3":
        path = sqlite_path(database_url)
        if path is None:
            raise SnapshotError("this backup holds a SQLite database, but the app is set up for PostgreSQL")
        return path
    if name == "database/main.pgdump":
        if sqlite_path(database_url) is not None:
            raise SnapshotError("this backup holds a PostgreSQL database, but the app is set up for SQLite")
        return None
    raise SnapshotError(f"the backup holds an unexpected file {name[:80]!r}")
