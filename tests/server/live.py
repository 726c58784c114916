"""A real `personal-agent serve` process on a free loopback port, with its own PA_HOME.

The test process shares the server's database file and keyring: it creates users directly in the
database and knows the JWT key (to craft expired tokens), but it talks to the API only over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.servers.base import announce, free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
KEYRING_PASSWORD = "server-test-keyring"


@contextmanager
def as_home(home: Path) -> Iterator[None]:
    """Run in-process code (keyring, CLI) against the server's PA_HOME."""
    from app import secrets
    from app.cli import common

    new = {"PA_HOME": str(home), "PA_KEYRING_PASSWORD": KEYRING_PASSWORD}
    old = {k: os.environ.get(k) for k in new}
    os.environ.update(new)
    secrets.reset_backend()
    common.reset()
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        secrets.reset_backend()
        common.reset()


@dataclass
class Client:
    base: str
    username: str
    tokens: dict[str, Any]
    http: httpx.Client = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(path, headers=self.headers, **kw)


@dataclass
class LiveServer:
    home: Path
    port: int
    proc: subprocess.Popen[bytes]
    key: str
    log: Path
    calendar: tuple[str, str, str] | None = None  # CalDAV url, user, password of the server's account
    database_url: str | None = None  # None = the SQLite file in the server's home
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120)

    def _users(self) -> Any:
        from app.server.tokens import TokenIssuer
        from app.server.users import UserStore
        from storage.audit import AuditLog
        from storage.db.engine import Database

        db_key = None
        if (self.home / "data" / "encryption-keys.json").exists():  # encryption at rest is on here
            from app.security import load_keys

            with as_home(self.home):
                keys = load_keys(self.home / "data")
            db_key = keys.key(keys.database) if keys else None
        db = Database(self.database_url or f"sqlite:///{self.home / 'data' / 'personal-agent.sqlite3'}", key=db_key)
        return UserStore(db, AuditLog(db), TokenIssuer(self.key, timedelta(minutes=15), timedelta(days=1)),
                         timedelta(minutes=5))

    def add_user(self, prefix: str = "user", password: str = PASSWORD, admin: bool = False) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        store = self._users()
        store.create_user(name, password, is_admin=admin)
        store.db.dispose()
        return name

    def login(self, username: str, password: str = PASSWORD, device: str = "test phone") -> Client:
        http = self.http()
        r = http.post("/api/v1/auth/login", json={"username": username, "password": password, "device_name": device})
        assert r.status_code == 200, r.text
        return Client(self.url, username, r.json(), http)

    def new_client(self, prefix: str = "user") -> Client:
        return self.login(self.add_user(prefix))


def start_server(home: Path, env_extra: dict[str, str] | None = None, timeout: float = 90,
                 ca_file: Path | None = None) -> LiveServer:
    """Start `personal-agent serve`; with ``ca_file`` the server is expected to speak HTTPS (direct TLS)."""
    from app.server.tokens import signing_key

    home.mkdir(parents=True, exist_ok=True)
    with as_home(home):
        key = signing_key()  # created now in the server's keyring, read by the server at start
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update({"PA_HOME": str(home), "PA_KEYRING_PASSWORD": KEYRING_PASSWORD,
                "PA_LOG_LEVEL": "WARNING", **(env_extra or {})})
    log = home / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "serve", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            scheme = "https" if ca_file else "http"
            r = httpx.get(f"{scheme}://127.0.0.1:{port}/api/v1/health", timeout=1, verify=str(ca_file) if ca_file else True)
            if r.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"server did not answer within {timeout:.0f} s: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    announce("personal-agent serve", f"uvicorn {'https' if ca_file else 'http'}://127.0.0.1:{port} (home {home})")
    return LiveServer(home=home, port=port, proc=proc, key=key, log=log,
                      database_url=(env_extra or {}).get("PA_DATABASE_URL"), scheme="https" if ca_file else "http")


def stop_server(server: LiveServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()
