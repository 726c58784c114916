"""open_backend from settings + keyring, and `personal-agent storage status|replay` showing the spool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import secrets
from app.services import build_services
from app.settings import load_settings
from app.wiring.storage import open_backend
from storage.errors import PermissionDeniedError, StorageError
from storage.local import LocalBackend
from storage.spool import SpooledBackend
from tests.servers.base import free_port

pytestmark = pytest.mark.unit
EXE = str(Path(sys.executable).parent / "personal-agent")


def test_default_is_local_in_the_data_dir(pa_home: Path) -> None:
    sv = build_services(load_settings())
    b = open_backend(sv)
    assert isinstance(b, LocalBackend)
    assert b.root == (pa_home / "data" / "recordings").resolve()
    b.save("x.txt", b"1")
    assert b.list("") == ["x.txt"]


def test_remote_needs_settings_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_STORAGE__BACKEND", "smb")
    with pytest.raises(StorageError, match="SMB storage needs a server, a share and a user name"):
        open_backend(build_services(load_settings()))
    monkeypatch.setenv("PA_STORAGE__SMB_SERVER", "127.0.0.1")
    monkeypatch.setenv("PA_STORAGE__SMB_SHARE", "rec")
    monkeypatch.setenv("PA_STORAGE__SMB_USERNAME", "me")
    with pytest.raises(PermissionDeniedError, match="no smb secret is stored for account 'default': add the account"):
        open_backend(build_services(load_settings()))
    monkeypatch.setenv("PA_STORAGE__BACKEND", "s3")
    monkeypatch.setenv("PA_STORAGE__S3_BUCKET", "b")
    monkeypatch.setenv("PA_STORAGE__S3_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("PA_STORAGE__S3_ACCOUNT", "work")
    with pytest.raises(PermissionDeniedError, match="no s3 secret is stored for account 'work': add the account"):
        open_backend(build_services(load_settings()))


def test_unreachable_nas_spools_and_status_shows_it(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"PA_STORAGE__BACKEND": "smb", "PA_STORAGE__SMB_SERVER": "127.0.0.1",
           "PA_STORAGE__SMB_PORT": str(free_port()), "PA_STORAGE__SMB_SHARE": "rec",
           "PA_STORAGE__SMB_USERNAME": "me", "PA_STORAGE__TIMEOUT_S": "2"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    secrets.set_secret("smb", "default", "pw")
    sv = build_services(load_settings())
    b = open_backend(sv)
    assert isinstance(b, SpooledBackend)
    with b.open_write("meetings/standup.opus") as w:
        w.write(b"\x01" * 1000)
    assert w.result is not None and w.result.spooled
    assert b.load("meetings/standup.opus") == b"\x01" * 1000
    res = subprocess.run([EXE, "storage", "status"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env})
    assert res.returncode == 0, res.stderr
    assert "primary:   smb" in res.stdout
    assert "spool smb: 1 pending (1000 bytes)" in res.stdout
    assert "put meetings/standup.opus" in res.stdout
    res = subprocess.run([EXE, "storage", "replay"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env})
    assert res.returncode == 1 and "smb: sent 0, 1 still pending" in res.stdout
    from app.doctor import storage_check as _storage

    (check,) = _storage(sv)
    assert check.status == "fail" and "Unreachable" in check.detail
