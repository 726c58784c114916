"""A real PostgreSQL server in a temp dir on a free loopback port (initdb + pg_ctl)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers.base import announce, free_port, unavailable, wait_for_port


@dataclass
class PostgresServer:
    port: int
    user: str
    dbname: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{self.dbname}"

    def fresh_database(self, name: str) -> str:
        """A new, empty database ``name`` on this server (dropped first if a run left it); its URL."""
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"


def _bin_dir() -> Path | None:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return Path(d)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or no way to run them here."""


@contextlib.contextmanager
def running_postgres(user: str = "pa_test", dbname: str = "personal_agent") -> Iterator[PostgresServer]:
    """initdb + pg_ctl in a temp dir, a database ``dbname``; stopped and removed on exit (also used by
    bench/finance.py)."""
    bindir = _bin_dir()
    if bindir is None:
        raise PostgresUnavailable("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    as_root = os.geteuid() == 0
    run_as: list[str] = []
    if as_root:  # initdb refuses to run as root: use the postgres system user
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from None
        run_as = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="pa-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
                    "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    log = base / "server.log"
    if as_root:
        log.touch()
        shutil.chown(log, "postgres")
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        wait_for_port(port)
        subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, dbname],
                       check=True, capture_output=True)
        yield PostgresServer(port=port, user=user, dbname=dbname)
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        with running_postgres() as server:
            announce("PostgreSQL", f"{_bin_dir().parent.name} on 127.0.0.1:{server.port}")  # type: ignore[union-attr]
            yield server
    except PostgresUnavailable as exc:
        unavailable(str(exc))
