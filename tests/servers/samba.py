"""A real Samba server (Debian's ``smbd``) on a free 127.0.0.1 port, in a temp dir of its own:
its own smb.conf, private/lock/state/pid dirs and a tdbsam passdb with one test user.

Needs root (smbd switches to the share user) and the ``samba`` Debian package. Skips with the
reason when that is missing, except with CI=true where it fails. ``stop()``/``start()`` let fault
tests take the server away and bring it back with the same data."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers.base import announce, free_port, unavailable

SMB_USER = "pa-smbtest"  # a system account without login or home, created on first use
SHARE = "recordings"


def _unavailable(reason: str) -> None:
    unavailable(f"samba test server: {reason}")


def wait_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass
class SambaServer:
    root: Path
    port: int
    username: str = SMB_USER
    password: str = field(default_factory=lambda: "Pa-" + secrets.token_hex(8))
    share: str = SHARE
    host: str = "127.0.0.1"
    proc: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.root / "smb.conf"

    @property
    def share_dir(self) -> Path:
        return self.root / "share"

    def write_config(self) -> None:
        r = self.root
        for d in ("private", "lock", "state", "cache", "pid", "ncalrpc", "log", "share"):
            (r / d).mkdir(parents=True, exist_ok=True)
        pw = pwd.getpwnam(self.username)
        os.chown(self.share_dir, pw.pw_uid, pw.pw_gid)
        self.conf.write_text(
            f"""[global]
  netbios name = PATEST
  workgroup = WORKGROUP
  server role = standalone server
  smb ports = {self.port}
  bind interfaces only = yes
  interfaces = 127.0.0.1
  private dir = {r}/private
  lock directory = {r}/lock
  state directory = {r}/state
  cache directory = {r}/cache
  pid directory = {r}/pid
  ncalrpc dir = {r}/ncalrpc
  log file = {r}/log/log.%m
  log level = 1
  passdb backend = tdbsam:{r}/private/passdb.tdb
  server min protocol = SMB2_10
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  map to guest = Never
  kernel oplocks = no
  rpc start on demand helpers = no
  strict sync = yes

[{self.share}]
  path = {self.share_dir}
  read only = no
  valid users = {self.username}
  create mask = 0640
  directory mask = 0750
""",
            encoding="utf-8",
        )
        res = subprocess.run(
            ["smbpasswd", "-c", str(self.conf), "-s", "-a", self.username],
            input=f"{self.password}\n{self.password}\n".encode(), capture_output=True, timeout=30,
        )
        if res.returncode != 0:
            raise RuntimeError(f"smbpasswd failed: {res.stderr.decode(errors='replace')}")

    def start(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        log = open(self.root / "log" / "smbd.out", "ab")  # noqa: SIM115  (owned by the process)
        self.proc = subprocess.Popen(
            [shutil.which("smbd") or "/usr/sbin/smbd", "--foreground", "--no-process-group",
             "-s", str(self.conf), "--debug-stdout"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        if not wait_port(self.port, 30, self.proc):
            out = (self.root / "log" / "smbd.out").read_text(errors="replace")[-2000:]
            self.stop()
            raise RuntimeError(f"smbd did not start on port {self.port}:\n{out}")

    def stop(self) -> None:
        """Stop smbd and every child it forked for a connection (they share our new session)."""
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the leader's pid
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            # children may outlive the parent briefly
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                continue
            break
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


def _ensure_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    res = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True, timeout=30,
    )
    if res.returncode != 0 and res.returncode != 9:  # 9: exists (race)
        raise RuntimeError(f"useradd {name} failed: {res.stderr.decode(errors='replace')}")


@pytest.fixture(scope="session")
def samba_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SambaServer]:
    """A running Samba server with share ``recordings`` and a user with a random password."""
    for tool in ("smbd", "smbpasswd"):
        if not (shutil.which(tool) or Path("/usr/sbin", tool).exists()):
            _unavailable(f"`{tool}` not found (apt-get install samba)")
    if os.geteuid() != 0:
        _unavailable("smbd needs root here (it switches to the share's user)")
    _ensure_user(SMB_USER)
    # not under pytest's tmp dir: that is mode 0700 and smbd works as the share's user
    root = Path(tempfile.mkdtemp(prefix="pa-samba-"))
    os.chmod(root, 0o755)
    server = SambaServer(root=root, port=free_port())
    server.write_config()
    try:
        server.start()
    except RuntimeError as exc:
        _unavailable(str(exc))
    announce("samba", f"smbd on 127.0.0.1:{server.port}, share {server.share}")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
