"""A real Radicale CalDAV server (subprocess) in a temp dir on a free loopback port.

htpasswd auth with plain passwords, filesystem storage, owner-only rights. Tests make a fresh user
per test with ``add_user()`` and may create calendars over CalDAV (MKCALENDAR) or, for big seeds,
``seed_calendar()`` writes a calendar collection straight into the storage folder."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers.base import announce, free_port, stop_process_group, unavailable, wait_for_port

_CONF = """\
[server]
hosts = 127.0.0.1:{port}
max_content_length = 100000000
timeout = 60

[auth]
type = htpasswd
htpasswd_filename = {root}/users
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {root}/collections

[logging]
level = warning
mask_passwords = True
"""


@dataclass
class CalUser:
    name: str
    password: str

    def principal_path(self) -> str:
        return f"/{self.name}/"


@dataclass
class RadicaleServer:
    root: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    users: dict[str, CalUser] = field(default_factory=dict)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def add_user(self, prefix: str = "cal", password: str | None = None) -> CalUser:
        user = CalUser(name=f"{prefix}{next(self._seq)}", password=password or f"pw-{uuid.uuid4().hex[:10]}")
        self.users[user.name] = user
        tmp = self.root / "users.tmp"
        tmp.write_text("".join(f"{u.name}:{u.password}\n" for u in self.users.values()), encoding="utf-8")
        tmp.rename(self.root / "users")
        return user

    def seed_calendar(self, user: CalUser, name: str, ics_items: Iterable[str],
                      display_name: str | None = None) -> str:
        """Write a calendar with these VCALENDAR texts (one event each) into the storage; returns its URL."""
        col = self.root / "collections" / "collection-root" / user.name / name
        col.mkdir(parents=True, exist_ok=True)
        props = {"tag": "VCALENDAR", "D:displayname": display_name or name,
                 "C:supported-calendar-component-set": "VEVENT"}
        (col / ".Radicale.props").write_text(json.dumps(props), encoding="utf-8")
        for i, text in enumerate(ics_items):
            (col / f"seed-{i}.ics").write_text(text, encoding="utf-8", newline="")
        return f"{self.url}{user.name}/{name}/"


def start_radicale() -> RadicaleServer:
    try:
        import radicale  # noqa: F401
    except ImportError:
        unavailable("Radicale is not installed: pip install -e '.[dev]'")
    root = Path(tempfile.mkdtemp(prefix="pa-radicale-"))
    (root / "collections").mkdir()
    (root / "users").write_text("", encoding="utf-8")
    server = RadicaleServer(root=root, port=free_port())
    (root / "radicale.conf").write_text(_CONF.format(port=server.port, root=root), encoding="utf-8")
    log = open(root / "radicale.log", "wb")  # noqa: SIM115 (closed with the process)
    server.proc = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(root / "radicale.conf")],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    try:
        wait_for_port(server.port, proc=server.proc)
    except (RuntimeError, TimeoutError) as exc:
        text = (root / "radicale.log").read_text(errors="replace")
        stop_radicale(server)
        raise RuntimeError(f"radicale did not start: {exc}\n{text[-2000:]}") from None
    return server


def stop_radicale(server: RadicaleServer) -> None:
    stop_process_group(server.proc)
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def radicale_server() -> Iterator[RadicaleServer]:
    server = start_radicale()
    announce("Radicale", f"CalDAV {server.url}")
    try:
        yield server
    finally:
        stop_radicale(server)
