"""What every server fixture shares: free ports, waiting for a port, and the skip-or-fail rule
(outside CI a missing binary skips with the reason; with CI=true it fails, so CI never skips)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"CI=true and a test server is unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def require_binary(name: str, *candidates: str, hint: str = "") -> str:
    for c in (name, *candidates):
        found = shutil.which(c) or (c if os.path.isfile(c) and os.access(c, os.X_OK) else None)
        if found:
            return found
    unavailable(f"'{name}' not found{': ' + hint if hint else ''}")


def stop_process_group(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """SIGTERM a server started with start_new_session=True (its whole group), SIGKILL if it lingers."""
    import signal

    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f} s")


USED: list[str] = []


def announce(name: str, detail: str) -> None:
    """Record which real server was used; the run's summary lists them (tests/conftest.py)."""
    USED.append(f"{name}: {detail}")
    print(f"\n[real server] {name}: {detail}", flush=True)
