"""The running app sends the offline spool on its own: no `storage replay` command, no restart.

The real S3 server (SeaweedFS) is stopped, a recording is written through ``Services.storage``
(so it lands in the spool), the app's background replay is started as the app starts it, the server
comes back, and the object arrives whole with its checksum."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

import pytest

from app import secrets
from app.services import build_services
from app.settings import load_settings
from storage.backends import spooled_parts
from storage.spool import SpooledBackend
from tests.servers.base import free_port
from tests.servers.s3 import S3Server
from tests.storage.conftest import make_s3

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _wait_until(cond: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_spooled_write_is_replayed_in_the_background(
    pa_home: Path, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"bg-{uuid.uuid4().hex[:8]}"
    env = {
        "PA_STORAGE__BACKEND": "s3",
        "PA_STORAGE__S3_BUCKET": s3_server.bucket,
        "PA_STORAGE__S3_ENDPOINT_URL": s3_server.endpoint_url,
        "PA_STORAGE__S3_ACCESS_KEY_ID": s3_server.access_key,
        "PA_STORAGE__S3_PREFIX": prefix,
        "PA_STORAGE__S3_PART_SIZE_MB": "5",
        "PA_STORAGE__TIMEOUT_S": "2",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    secrets.set_secret("s3", "default", s3_server.secret_key)
    sv = build_services(load_settings())
    store = sv.storage
    assert isinstance(store, SpooledBackend)
    data = os.urandom((7 << 20) + 333)  # two multipart parts
    s3_server.stop()
    try:
        with store.open_write("meetings/offline/standup.opus") as w:
            for i in range(0, len(data), 1 << 20):
                w.write(data[i : i + (1 << 20)])
        assert w.result is not None and w.result.spooled
        assert store.summary().pending == 1
        assert sv.start_storage_replay(interval_s=0.5)
        assert sv.start_storage_replay(interval_s=0.5)  # idempotent: still one thread
        (part,) = spooled_parts(store)
        assert part._bg is not None and part._bg.is_alive()
        time.sleep(1.5)  # a few attempts while the server is away: nothing sent, nothing lost
        assert store.summary().pending == 1 and store.summary().last_error
    finally:
        s3_server.start()
    try:
        assert _wait_until(lambda: store.summary().pending == 0, timeout=60), store.summary()
        remote = make_s3(s3_server, prefix=prefix)
        info = remote.stat("meetings/offline/standup.opus")
        assert info.size == len(data) and info.sha256 == hashlib.sha256(data).hexdigest()
        assert remote.load("meetings/offline/standup.opus") == data
        assert list((pa_home / "data" / "spool" / "s3" / "data").iterdir()) == []
        remote.close()
    finally:
        sv.close()
    assert part._bg is None  # close() stopped the replay thread
    assert "storage" not in sv.__dict__


def test_meeting_service_starts_the_replay(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the app's meeting service (GUI, home server) starts the spool's background replay;
    an unconfigured or unreachable store does not stop the service from being built."""
    for k, v in {"PA_STORAGE__BACKEND": "smb", "PA_STORAGE__SMB_SERVER": "127.0.0.1",
                 "PA_STORAGE__SMB_PORT": str(free_port()), "PA_STORAGE__SMB_SHARE": "rec",
                 "PA_STORAGE__SMB_USERNAME": "me", "PA_STORAGE__TIMEOUT_S": "1"}.items():
        monkeypatch.setenv(k, v)
    sv = build_services(load_settings())
    assert sv.start_storage_replay() is False  # no password in the keyring: not started, no crash
    secrets.set_secret("smb", "default", "pw")
    sv = build_services(load_settings())
    try:
        assert sv.meeting_service is not None
        (part,) = spooled_parts(sv.storage)
        assert part._bg is not None and part._bg.is_alive()
    finally:
        sv.close()
    assert part._bg is None
