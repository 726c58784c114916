"""`personal-agent listen --install-autostart/--remove-autostart`: the XDG autostart entry passes
desktop-file-validate, the systemd user unit is well-formed, the macOS LaunchAgent is a valid XML plist
(read back with plistlib and an XML parser, no plutil), the Windows Startup script starts the listener;
install twice is one entry, remove takes it away, remove with nothing installed says so."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.listen import autostart
from tests.servers.base import unavailable

pytestmark = pytest.mark.unit
CMD = ["/opt/my apps/bin/personal-agent", "listen"]  # a path with a space: quoted in each format
ROOT = Path(__file__).resolve().parents[2]


def test_xdg_entry_validates_and_is_removed(tmp_path: Path) -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        unavailable("desktop-file-validate missing: install the Debian package desktop-file-utils")
    lines = autostart.install("linux", tmp_path, cmd=CMD)
    lines = autostart.install("linux", tmp_path, cmd=CMD)  # twice: still one entry
    entry = tmp_path / ".config" / "autostart" / "personal-agent-listen.desktop"
    assert lines == [f"the listener starts when you log in: {entry}"]
    assert list(entry.parent.iterdir()) == [entry]
    text = entry.read_text()
    assert 'Exec="/opt/my apps/bin/personal-agent" listen' in text and "Name[de]=" in text
    check = subprocess.run([validator, str(entry)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr
    assert autostart.remove("linux", tmp_path) == [f"the listener no longer starts on login (removed {entry})"]
    assert not entry.exists()
    assert autostart.remove("linux", tmp_path) == ["the listener was not set to start on login"]


def test_systemd_unit(tmp_path: Path) -> None:
    autostart.install("linux", tmp_path, systemd=True, cmd=CMD)
    unit = tmp_path / ".config" / "systemd" / "user" / "personal-agent-listen.service"
    text = unit.read_text()
    assert 'ExecStart="/opt/my apps/bin/personal-agent" listen' in text
    assert "WantedBy=graphical-session.target" in text and "Restart=on-failure" in text
    analyze = shutil.which("systemd-analyze")
    if analyze:  # not on every test machine; the unit's syntax is checked where it is
        check = subprocess.run([analyze, "verify", "--user", str(unit)], capture_output=True, text=True, timeout=60)
        assert "bad" not in check.stderr.lower() and "unknown" not in check.stderr.lower(), check.stderr
    autostart.remove("linux", tmp_path, systemd=True)
    assert not unit.exists()


def test_launch_agent_plist_is_valid_xml(tmp_path: Path) -> None:
    autostart.install("darwin", tmp_path, cmd=CMD)
    plist = tmp_path / "Library" / "LaunchAgents" / "org.personal-agent.listen.plist"
    raw = plist.read_bytes()
    root = ET.fromstring(raw)  # well-formed XML
    assert root.tag == "plist" and b"<!DOCTYPE plist" in raw
    data = plistlib.loads(raw)
    assert data["Label"] == "org.personal-agent.listen" and data["ProgramArguments"] == CMD
    assert data["RunAtLoad"] is True
    autostart.remove("darwin", tmp_path)
    assert not plist.exists()


def test_windows_startup_script(tmp_path: Path) -> None:
    autostart.install("win32", tmp_path, cmd=[r"C:\Program Files\Python\python.exe", "-m", "app.cli.main", "listen"])
    script = tmp_path / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/personal-agent-listen.cmd"
    assert script.read_bytes() == (b'@echo off\r\nstart "" /min "C:\\Program Files\\Python\\pythonw.exe" -m '
                                   b'app.cli.main listen\r\n')


def test_cli_installs_and_removes(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "app.cli.main", "listen"]
    p = subprocess.run([*run, "--install-autostart"], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    entry = tmp_path / "cfg" / "autostart" / "personal-agent-listen.desktop"
    assert p.returncode == 0 and entry.exists(), p.stderr
    p = subprocess.run([*run, "--remove-autostart"], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0 and not entry.exists() and "no longer starts" in p.stdout, p.stderr
