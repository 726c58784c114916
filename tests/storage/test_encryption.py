"""Encryption at rest of blobs (issue 17, "go further"): the sealed format detects every change, cut
and reordering; a sealed store round-trips on local disk, the Samba share and the S3 bucket, and the
bytes stored there contain nothing of a known recording or transcript; plaintext objects from before
stay readable and are sealed on request; the wrapped data keys need the right key-encryption key and
survive a crash in the middle of a rotation."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from storage import datakeys
from storage.base import Backend
from storage.datakeys import DataKeys
from storage.encrypted import SealedBackend, reseal
from storage.errors import IntegrityError
from storage.local import LocalBackend
from storage.sealed import MAGIC, SEGMENT, TAG, KeyUnavailableError

pytestmark = pytest.mark.unit

TRANSCRIPT = ("Über die Größe des Büros: das Release geht am Freitag raus. "
              "We decided to ship the release on Friday, said Pumpernickel.\n").encode() * 40


def _windows(data: bytes, width: int = 32, count: int = 24) -> list[bytes]:
    step = max(1, (len(data) - width) // count)
    return [data[i : i + width] for i in range(0, len(data) - width, step)][:count]


def _no_plaintext(stored: bytes, plain: bytes) -> None:
    for w in _windows(plain):
        assert w not in stored


@pytest.fixture
def keys() -> DataKeys:
    return DataKeys.create("kek-test")


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 3 * SEGMENT + 17])
def test_round_trip_at_segment_edges(tmp_path: Path, keys: DataKeys, size: int) -> None:
    b = SealedBackend(LocalBackend(tmp_path), keys)
    data = os.urandom(size)
    res = b.save("a/x.bin", data)
    assert b.load("a/x.bin") == data
    with b.open_read("a/x.bin") as r:  # small reads across segment borders
        assert b"".join(iter(lambda: r.read(9999), b"")) == data
    stored = (tmp_path / "a" / "x.bin").read_bytes()
    assert stored.startswith(MAGIC) and res.size == len(stored)  # sizes and sums are of what is stored
    assert b.stat("a/x.bin").sha256 == res.sha256


def _tampered(raw: bytes, how: str) -> bytes:
    hdr = len(raw) - 3 * (SEGMENT + TAG) - (17 + TAG)
    segs = [raw[hdr + i * (SEGMENT + TAG) : hdr + (i + 1) * (SEGMENT + TAG)] for i in range(4)]
    head = raw[:hdr]
    if how == "cut_at_segment":
        return head + b"".join(segs[:3])
    if how == "cut_inside":
        return raw[:-5]
    if how == "reordered":
        return head + segs[1] + segs[0] + segs[2] + segs[3]
    if how == "dropped":
        return head + segs[0] + segs[2] + segs[3]
    if how == "bit_flip":
        return raw[:hdr + 100] + bytes([raw[hdr + 100] ^ 1]) + raw[hdr + 101 :]
    if how == "header_changed":
        return raw[: hdr - 1] + bytes([raw[hdr - 1] ^ 1]) + raw[hdr:]  # the nonce prefix
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["cut_at_segment", "cut_inside", "reordered", "dropped", "bit_flip", "header_changed"])
def test_changes_cuts_and_reordering_are_detected(tmp_path: Path, keys: DataKeys, how: str) -> None:
    b = SealedBackend(LocalBackend(tmp_path), keys)
    b.save("x", os.urandom(3 * SEGMENT + 17))
    path = tmp_path / "x"
    path.write_bytes(_tampered(path.read_bytes(), how))
    with pytest.raises(IntegrityError):
        b.load("x")


def test_another_installations_key_is_refused(tmp_path: Path, keys: DataKeys) -> None:
    SealedBackend(LocalBackend(tmp_path), keys).save("x", b"secret")
    with pytest.raises(KeyUnavailableError, match="does not hold"):
        SealedBackend(LocalBackend(tmp_path), DataKeys.create("kek-other")).load("x")


def _sealed(request: pytest.FixtureRequest, backend: Backend, keys: DataKeys) -> SealedBackend:
    sealed = SealedBackend(backend, keys)
    request.addfinalizer(sealed.close)
    return sealed


def test_on_every_backend_nothing_readable_is_stored(
    request: pytest.FixtureRequest, backend: Backend, keys: DataKeys, shared_audio: Path
) -> None:
    """Local disk, the Samba share, the S3 bucket (multipart: 5 MiB parts): a real recording and a
    transcript round-trip, and the stored bytes hold no 32-byte piece of either."""
    b = _sealed(request, backend, keys)
    recording = (shared_audio / "meeting_two_speakers.wav").read_bytes()
    big = recording * max(1, (11 << 20) // len(recording) + 1)  # > two S3 parts
    res = b.write_from("meetings/m1/audio.wav", io.BytesIO(big))
    b.save("meetings/m1/transcript.md", TRANSCRIPT)
    assert res.size > len(big)
    with b.open_read("meetings/m1/audio.wav") as r:
        got = b"".join(iter(lambda: r.read(1 << 20), b""))
    assert got == big
    assert b.load("meetings/m1/transcript.md") == TRANSCRIPT
    stored_audio = backend.load("meetings/m1/audio.wav")
    stored_text = backend.load("meetings/m1/transcript.md")
    _no_plaintext(stored_audio, recording)
    _no_plaintext(stored_text, TRANSCRIPT)
    assert b"Pumpernickel" not in stored_text and b"RIFF" not in stored_audio[:64]
    assert b.list("meetings/m1/") == ["meetings/m1/audio.wav", "meetings/m1/transcript.md"]


def test_plaintext_from_before_is_read_then_sealed(request: pytest.FixtureRequest, backend: Backend,
                                                   keys: DataKeys) -> None:
    backend.save("old/transcript.md", TRANSCRIPT)  # written before encryption was turned on
    b = _sealed(request, backend, keys)
    assert b.load("old/transcript.md") == TRANSCRIPT and b.sealed_with("old/transcript.md") is None
    b.save("new/x.md", b"new")
    assert reseal(b, lambda key_id: key_id is None) == 1  # only the plaintext one is rewritten
    assert b.sealed_with("old/transcript.md") == keys.current
    assert b.load("old/transcript.md") == TRANSCRIPT
    _no_plaintext(backend.load("old/transcript.md"), TRANSCRIPT)
    assert reseal(b, lambda key_id: key_id is None) == 0


def test_a_crash_while_sealing_leaves_the_old_object(tmp_path: Path, keys: DataKeys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    inner = LocalBackend(tmp_path)
    inner.save("a.md", TRANSCRIPT)
    b = SealedBackend(inner, keys)

    def crash(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)  # the commit of the sealed copy fails
    with pytest.raises(Exception, match=r"disk full|No space"):
        reseal(b, lambda key_id: key_id is None)
    monkeypatch.undo()
    assert inner.load("a.md") == TRANSCRIPT  # untouched, no partial left behind
    assert inner.partials() == []


def test_keys_need_the_right_kek_and_survive_a_crash_in_rotation(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    kek = datakeys.new_key()
    keys = DataKeys.create("kek-1")
    datakeys.save(tmp_path, keys, kek)
    raw = datakeys.keys_path(tmp_path).read_bytes()
    for k in keys.keys.values():
        assert k.hex() not in raw.decode() and k not in raw
    assert datakeys.load(tmp_path, {"kek-1": kek}.get).keys == keys.keys
    with pytest.raises(KeyUnavailableError, match="not in the keyring"):
        datakeys.load(tmp_path, {}.get)
    with pytest.raises(KeyUnavailableError, match="wrong key"):
        datakeys.load(tmp_path, {"kek-1": datakeys.new_key()}.get)

    kek2 = datakeys.new_key()

    def crash(*_a: object, **_k: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("storage.local.os.replace", crash)
    with pytest.raises(OSError):
        datakeys.rotate(tmp_path, keys, "kek-2", kek2)
    monkeypatch.undo()
    assert datakeys.keys_path(tmp_path).read_bytes() == raw  # the old file, still opened by the old KEK
    assert datakeys.load(tmp_path, {"kek-1": kek}.get).current == keys.current
    rotated = datakeys.rotate(tmp_path, keys, "kek-2", kek2)
    loaded = datakeys.load(tmp_path, {"kek-2": kek2}.get)
    assert loaded.current == rotated.current != keys.current
    assert all(loaded.keys[k] == v for k, v in keys.keys.items())  # old blobs stay readable
    with pytest.raises(KeyUnavailableError):
        datakeys.load(tmp_path, {"kek-1": kek}.get)


def test_doctor_says_whether_encryption_is_on(pa_home: Path) -> None:
    from app.doctor import _encryption
    from app.security import encrypt_installation
    from app.services import build_services
    from app.settings import load_settings
    from storage.db.engine import default_database_url

    sv = build_services(load_settings())
    (check,) = _encryption(sv)
    assert (check.status, check.detail) == ("warn", "off")
    sv.paths.ensure()
    report = encrypt_installation(sv.paths.data_dir, default_database_url(sv.paths.data_dir),
                                  LocalBackend(sv.paths.recordings_dir))
    assert report.created_keys and report.database.startswith("none yet")
    sv = build_services(load_settings())
    sv.db.dispose()  # created encrypted
    (check,) = _encryption(sv)
    assert check.status == "ok" and "database encrypted" in check.detail
    assert not (sv.paths.data_dir / "personal-agent.sqlite3").read_bytes().startswith(b"SQLite format 3")


def test_the_offline_spool_holds_only_sealed_bytes(tmp_path: Path, keys: DataKeys) -> None:
    """A NAS that is down: the recording waits in the local spool, sealed (the sealing layer sits
    above the spool), and reads back whole."""
    from storage.smb import SmbBackend
    from storage.spool import Spool, SpooledBackend
    from tests.servers.base import free_port

    nas = SmbBackend("127.0.0.1", "rec", "me", "pw", port=free_port(), timeout=2)
    b = SealedBackend(SpooledBackend(nas, Spool(tmp_path / "spool")), keys)
    try:
        res = b.save("meetings/m1/transcript.md", TRANSCRIPT)
        assert res.spooled
        assert b.load("meetings/m1/transcript.md") == TRANSCRIPT
        files = [p for p in (tmp_path / "spool").rglob("*") if p.is_file()]
        assert files
        for p in files:
            _no_plaintext(p.read_bytes(), TRANSCRIPT)
    finally:
        b.close()


def test_an_encrypted_database_refuses_another_key_and_changes_nothing(tmp_path: Path) -> None:
    from storage.db.engine import Database, DatabaseKeyError

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    db = Database(url, key=datakeys.new_key())
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE t USING fts5(text)")
        conn.exec_driver_sql("INSERT INTO t VALUES ('Pumpernickel')")
    db.dispose()
    before = (tmp_path / "db.sqlite3").read_bytes()
    assert b"Pumpernickel" not in before and not before.startswith(b"SQLite format 3")
    with pytest.raises(DatabaseKeyError, match="does not open with this installation's encryption key"):
        Database(url, key=datakeys.new_key())
    with pytest.raises(DatabaseKeyError, match="no key file"):
        Database(url)
    assert (tmp_path / "db.sqlite3").read_bytes() == before
