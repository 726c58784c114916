"""Fixtures of the desktop listener's tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.servers.base import unavailable


@pytest.fixture
def session_bus() -> Iterator[str]:
    """A private session D-Bus (dbus-daemon); its address."""
    if shutil.which("dbus-daemon") is None:
        unavailable("dbus-daemon missing: install the Debian package dbus (scripts/apt-packages.txt)")
    p = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE,
                         text=True)
    assert p.stdout is not None
    address = p.stdout.readline().strip()
    try:
        yield address
    finally:
        p.terminate()
        p.wait(10)
