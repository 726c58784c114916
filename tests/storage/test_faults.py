"""Faults on real servers: the server goes away mid-upload and comes back; wrong credentials;
an unreachable host. The spool keeps every byte and replays in order."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from storage.base import Backend
from storage.errors import NotFoundError, PermissionDeniedError, UnreachableError
from storage.s3 import S3Backend
from storage.smb import SmbBackend
from storage.spool import Spool, SpooledBackend
from tests.servers.base import free_port
from tests.servers.s3 import S3Server
from tests.servers.samba import SambaServer
from tests.storage.conftest import make_s3, make_smb

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _remote(kind: str, request: pytest.FixtureRequest) -> tuple[Backend, SambaServer | S3Server]:
    if kind == "smb":
        smb: SambaServer = request.getfixturevalue("samba_server")
        return make_smb(smb), smb
    s3: S3Server = request.getfixturevalue("s3_server")
    return make_s3(s3), s3


@pytest.mark.parametrize("kind", ["smb", "s3"])
def test_server_stopped_mid_upload_then_restarted(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    remote, server = _remote(kind, request)
    store = SpooledBackend(remote, Spool(tmp_path / "spool"))
    store.save("older.txt", b"written while the server was up")
    part = os.urandom(1 << 20)
    h = hashlib.sha256()
    w = store.open_write("rec/meeting.wav")
    for _ in range(12):  # 12 MiB: SMB sent one 8 MiB request, S3 two 5 MiB parts
        w.write(part)
        h.update(part)
    server.stop()
    try:
        for i in range(8):  # the recorder goes on while the server is away
            piece = bytes([i]) * (1 << 20)
            w.write(piece)
            h.update(piece)
        res = w.close()
        assert res.spooled and res.sha256 == h.hexdigest() and res.size == 20 << 20
        # later writes and deletes queue behind it, in order
        assert store.save("rec/notes.txt", b"v1").spooled
        assert store.save("rec/notes.txt", b"v2").spooled
        store.save("rec/tmp.txt", b"temporary")
        store.delete("rec/tmp.txt")
        summary = store.summary()
        assert [(e.op, e.key) for e in summary.entries] == [
            ("put", "rec/meeting.wav"), ("put", "rec/notes.txt"), ("put", "rec/notes.txt"),
            ("put", "rec/tmp.txt"), ("delete", "rec/tmp.txt")]
        assert summary.bytes == (20 << 20) + 4 + len(b"temporary")
        # readable from the spool while offline
        assert store.load("rec/notes.txt") == b"v2"
        assert hashlib.sha256(store.load("rec/meeting.wav")).hexdigest() == h.hexdigest()
        assert not store.exists("rec/tmp.txt")
        with pytest.raises(UnreachableError):
            store.list("")
        assert store.replay() == 0  # still down: nothing sent, nothing lost
        assert store.summary().pending == 5 and store.summary().last_error
    finally:
        server.start()
    assert store.replay() == 5
    assert store.summary().pending == 0
    assert remote.list("") == ["older.txt", "rec/meeting.wav", "rec/notes.txt"]
    assert remote.load("rec/notes.txt") == b"v2"
    info = remote.stat("rec/meeting.wav")
    assert info.size == 20 << 20 and info.sha256 == h.hexdigest()
    with remote.open_read("rec/meeting.wav") as r:
        assert hashlib.sha256(r.read()).hexdigest() == h.hexdigest()
    assert list((tmp_path / "spool" / "data").iterdir()) == []
    store.close()


@pytest.mark.parametrize("kind", ["smb", "s3"])
def test_wrong_credentials(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    bad: Backend
    if kind == "smb":
        smb: SambaServer = request.getfixturevalue("samba_server")
        bad = make_smb(smb, password="wrong-password")
        with pytest.raises(PermissionDeniedError, match="login failed"):
            bad.connect()  # type: ignore[attr-defined]
    else:
        s3: S3Server = request.getfixturevalue("s3_server")
        bad = make_s3(s3, secret="wrong-secret")
    with pytest.raises(PermissionDeniedError):
        bad.list("")
    with pytest.raises(PermissionDeniedError):
        bad.save("x.txt", b"data")
    # behind the spool the data is kept, and the reason is shown
    store = SpooledBackend(bad, Spool(tmp_path / "spool"))
    res = store.save("x.txt", b"data")
    assert res.spooled
    assert store.load("x.txt") == b"data"
    assert store.replay() == 0
    assert "PermissionDenied" in (store.summary().last_error or "")


def test_unreachable_hosts_fail_fast() -> None:
    port = free_port()  # nothing listens there
    smb = SmbBackend("127.0.0.1", "share", "u", "p", port=port, timeout=2)
    with pytest.raises(UnreachableError):
        smb.list("")
    s3 = S3Backend("bucket-x", "k", "s", endpoint_url=f"http://127.0.0.1:{port}", timeout=2, max_attempts=1)
    with pytest.raises(UnreachableError):
        s3.save("a.txt", b"x")


def test_missing_share_and_bucket(request: pytest.FixtureRequest) -> None:
    smb: SambaServer = request.getfixturevalue("samba_server")
    b = SmbBackend(smb.host, "no-such-share", smb.username, smb.password, port=smb.port, timeout=5)
    with pytest.raises(NotFoundError, match="no-such-share"):
        b.list("")
    s3: S3Server = request.getfixturevalue("s3_server")
    b3 = S3Backend("no-such-bucket-pa", s3.access_key, s3.secret_key, endpoint_url=s3.endpoint_url, max_attempts=1)
    with pytest.raises(NotFoundError, match="bucket"):
        b3.list("")


def test_s3_corruption_detected_on_read(request: pytest.FixtureRequest) -> None:
    """If the stored bytes and the recorded checksum disagree, reading says so instead of returning them."""
    from storage.errors import IntegrityError

    s3: S3Server = request.getfixturevalue("s3_server")
    b = make_s3(s3)
    b.save("a.bin", b"good data")
    raw = s3.client()
    raw.put_object(Bucket=s3.bucket, Key=b.object_key("a.bin"), Body=b"evil data",
                   Metadata={"sha256": hashlib.sha256(b"good data").hexdigest()})
    with pytest.raises(IntegrityError):
        b.load("a.bin")
