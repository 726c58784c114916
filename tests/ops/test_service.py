"""The systemd unit (deploy/personal-agent.service) passes `systemd-analyze verify` and keeps its hardening,
and the real server process speaks the notify protocol: READY=1 once it answers, then WATCHDOG=1 pings,
STOPPING=1 on SIGTERM (a fake NOTIFY_SOCKET: a datagram socket of the test, as systemd would give)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.server.service_notify import watchdog_interval
from tests.server.live import start_server, stop_server
from tests.servers.base import require_binary

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "personal-agent.service"
HARDENING = ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
             "PrivateDevices=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
             "CapabilityBoundingSet=", "ProtectKernelTunables=yes", "RestrictSUIDSGID=yes", "UMask=0077")


def _unit_here(tmp_path: Path) -> Path:
    """The unit with /opt/personal-agent pointing at this checkout (verify checks that ExecStart exists)."""
    if not (ROOT / ".venv" / "bin" / "personal-agent").exists():
        pytest.fail("no .venv/bin/personal-agent in the checkout (scripts/setup.sh makes it)")
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/personal-agent", str(ROOT)))
    return unit


@pytest.mark.unit
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    exe = require_binary("systemd-analyze", hint="apt-get install systemd")
    res = subprocess.run([exe, "verify", str(_unit_here(tmp_path))], capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown keys and bad values too, warning on stderr: any line is a failure
    assert res.returncode == 0 and not res.stderr.strip() and not res.stdout.strip(), res.stdout + res.stderr
    text = UNIT.read_text()
    lines = {ln.strip() for ln in text.splitlines()}
    assert {"Type=notify", "NotifyAccess=main", "Restart=on-failure"} <= lines
    assert any(ln.startswith("WatchdogSec=") for ln in lines)
    assert [h for h in HARDENING if not any(ln.startswith(h) for ln in lines)] == []


@pytest.mark.unit
def test_unit_exposure_is_low(tmp_path: Path) -> None:
    """systemd's own rating of the sandbox (0 = locked down, 10 = none): the unit must stay below 2."""
    exe = require_binary("systemd-analyze", hint="apt-get install systemd")
    res = subprocess.run([exe, "security", "--offline=true", "--threshold=20", "--no-pager",
                          str(_unit_here(tmp_path))], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    assert "Overall exposure level" in res.stdout


@pytest.mark.unit
def test_watchdog_interval_is_half_of_systemds() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval({}) is None and watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}) is None  # another process's


@pytest.fixture
def notify_socket() -> Iterator[tuple[socket.socket, str]]:
    folder = tempfile.mkdtemp(prefix="pa-notify-", dir="/tmp")  # a unix socket path has at most 107 bytes
    path = f"{folder}/notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    try:
        yield sock, path
    finally:
        sock.close()
        shutil.rmtree(folder, ignore_errors=True)


def _receive(sock: socket.socket, until: float) -> list[str]:
    sock.settimeout(max(0.05, until - time.monotonic()))
    try:
        return sock.recv(4096).decode().splitlines()
    except TimeoutError:
        return []


@pytest.mark.integration
def test_server_tells_systemd_ready_then_pings_the_watchdog(tmp_path: Path,
                                                           notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    server = start_server(tmp_path / "home", {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"}, timeout=300)
    try:
        messages: list[str] = []
        deadline = time.monotonic() + 60
        while "READY=1" not in messages and time.monotonic() < deadline:
            messages += _receive(sock, deadline)
        assert messages[:1] == ["READY=1"], messages  # the first message, and only once it listens:
        assert httpx.get(server.url + "/api/v1/health/live", timeout=30).status_code == 200
        assert any(m.startswith("STATUS=serving on") for m in messages)
        pings = messages.count("WATCHDOG=1")
        deadline = time.monotonic() + 60  # every 0.5 s; generous for a loaded machine
        while pings < 3 and time.monotonic() < deadline:
            pings += _receive(sock, deadline).count("WATCHDOG=1")
        assert pings >= 3
        server.proc.terminate()
        deadline = time.monotonic() + 30
        rest: list[str] = []
        while "STOPPING=1" not in rest and time.monotonic() < deadline:
            rest += _receive(sock, deadline)
        assert "STOPPING=1" in rest
        assert server.proc.wait(30) in (0, -15)  # uvicorn re-raises SIGTERM after its clean shutdown
    finally:
        stop_server(server)
