"""Encryption at rest of blobs (issue 17, "go further"): the sealed format detects every change, cut
and reordering; a sealed store round-trips on local disk, the Samba share and the S3 bucket, and the
bytes stored there contain nothing of a known recording or transcript; plaintext objects from before
stay readable and are sealed on request; the wrapped data keys need the right key-encryption key and
survive a crash in the middle of a rotation."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import threading
from pathlib import Path

import pytest

from storage import datakeys, sealed
from storage.base import Backend
from storage.datakeys import DataKeys
from storage.encrypted import SealedBackend, reseal
from storage.errors import IntegrityError
from storage.local import LocalBackend
from storage.sealed import MAGIC, SEGMENT, TAG, KeyUnavailableError, OpeningReader
from storage.sealed_file import SealedFile

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


# -- format version 2 (1 MiB segments) and files of version 1 (64 KiB) ----------------------------------

V1_FILE = Path(__file__).parent / "data" / "sealed_v1.bin"  # written by the version-1 code (git 385dfca)


def _v1_keys() -> DataKeys:  # the data key the version-1 file was sealed with
    return DataKeys(kek_id="kek-v1", current="blob-v1test", database="db-v1", keys={"blob-v1test": bytes(range(32))})

V1_PLAIN = hashlib.shake_256(b"pa-sealed-v1").digest(2 * (64 << 10) + 100)


def test_new_objects_are_version_2_with_1_mib_segments(tmp_path: Path, keys: DataKeys) -> None:
    b = SealedBackend(LocalBackend(tmp_path), keys)
    b.save("x", os.urandom(SEGMENT + 1))
    raw = (tmp_path / "x").read_bytes()
    assert SEGMENT == 1 << 20 and raw[len(MAGIC)] == 2
    assert len(raw) == len(sealed.header(keys.current, bytes(7))) + SEGMENT + 1 + 2 * TAG


def test_a_version_1_file_from_before_still_opens(tmp_path: Path) -> None:
    shutil.copy(V1_FILE, tmp_path / "old.bin")
    keys = _v1_keys()
    b = SealedBackend(LocalBackend(tmp_path), keys)
    assert b.load("old.bin") == V1_PLAIN
    with b.open_read("old.bin") as r:  # small reads across the 64 KiB borders
        assert b"".join(iter(lambda: r.read(7000), b"")) == V1_PLAIN
    with SealedFile(tmp_path / "old.bin", keys.key) as f:  # a server cache written before: ranges
        assert f.size == len(V1_PLAIN)
        assert b"".join(f.read_range(65000, 70000)) == V1_PLAIN[65000:70001]
    assert b.sealed_with("old.bin") == "blob-v1test"
    keys.keys["blob-new"] = datakeys.new_key()  # a rotation with --reencrypt: resealed as version 2
    keys.current = "blob-new"
    assert reseal(b, lambda key_id: key_id != keys.current) == 1
    assert (tmp_path / "old.bin").read_bytes()[len(MAGIC)] == 2 and b.sealed_with("old.bin") == "blob-new"
    assert b.load("old.bin") == V1_PLAIN


@pytest.mark.parametrize("how", ["cut_at_segment", "cut_inside", "reordered", "dropped", "bit_flip"])
def test_a_changed_version_1_file_is_refused(tmp_path: Path, how: str) -> None:
    raw = V1_FILE.read_bytes()
    seg, hdr = (64 << 10) + TAG, len(raw) - 2 * ((64 << 10) + TAG) - (100 + TAG)
    segs = [raw[hdr : hdr + seg], raw[hdr + seg : hdr + 2 * seg], raw[hdr + 2 * seg :]]
    changed = {"cut_at_segment": raw[: hdr + 2 * seg], "cut_inside": raw[:-5],
               "reordered": raw[:hdr] + segs[1] + segs[0] + segs[2], "dropped": raw[:hdr] + segs[0] + segs[2],
               "bit_flip": raw[: hdr + 70000] + bytes([raw[hdr + 70000] ^ 1]) + raw[hdr + 70001 :]}[how]
    (tmp_path / "old.bin").write_bytes(changed)
    with pytest.raises(IntegrityError):
        SealedBackend(LocalBackend(tmp_path), _v1_keys()).load("old.bin")


class _NoReadinto:
    """A stream with only ``read`` (as some network bodies are), in small pieces."""

    def __init__(self, data: bytes) -> None:
        self._f = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self._f.read(min(size, 100_000) if size >= 0 else 100_000)


@pytest.mark.parametrize("source", ["file", "bytesio", "read_only"])
@pytest.mark.parametrize("size", [0, 5, SEGMENT, 2 * SEGMENT, 4 * SEGMENT + 3])
def test_write_from_any_source_round_trips(tmp_path: Path, keys: DataKeys, source: str, size: int) -> None:
    """``write_from`` seals a file from a mapping and any other stream read ahead on a helper thread;
    reading back maps the stored file (local) or reads it ahead (a stream without a file behind it)."""
    data = os.urandom(size)
    (tmp_path / "src.bin").write_bytes(data)
    b = SealedBackend(LocalBackend(tmp_path / "store"), keys)
    if source == "file":
        with open(tmp_path / "src.bin", "rb") as fh:
            fh.read(0)
            res = b.write_from("x", fh)
            assert fh.tell() == size  # read to its end, as the plain write_from leaves it
    else:
        res = b.write_from("x", io.BytesIO(data) if source == "bytesio" else _NoReadinto(data))  # type: ignore[arg-type]
    assert b.load("x") == data
    assert res.sha256 == hashlib.sha256((tmp_path / "store" / "x").read_bytes()).hexdigest()
    raw = (tmp_path / "store" / "x").read_bytes()
    assert OpeningReader(_NoReadinto(raw), b"", keys.key, "x").read() == data  # type: ignore[arg-type]
    assert not [t for t in threading.enumerate() if t.name == "storage-prefetch"]  # every helper stopped


@pytest.mark.parametrize("how", ["cut_at_segment", "cut_inside", "reordered", "dropped", "bit_flip"])
def test_a_stream_read_ahead_refuses_changes_too(keys: DataKeys, tmp_path: Path, how: str) -> None:
    """The read-ahead path (no file behind the stream) detects the same changes as the mapped one,
    and hands out no plaintext of a segment that fails."""
    b = SealedBackend(LocalBackend(tmp_path), keys)
    b.save("x", os.urandom(3 * SEGMENT + 17))
    changed = _tampered((tmp_path / "x").read_bytes(), how)
    r = OpeningReader(_NoReadinto(changed), b"", keys.key, "x")  # type: ignore[arg-type]
    got = bytearray()
    with pytest.raises(IntegrityError):
        while buf := r.read(SEGMENT):
            got += buf
    r.close()
    assert len(got) % SEGMENT == 0 and len(got) < 3 * SEGMENT + 17  # whole verified segments only


def test_ranges_of_a_sealed_file_decrypt_only_their_segments(tmp_path: Path, keys: DataKeys,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte range (HTTP Range on audio) opens only the 1 MiB segments it covers; a swapped segment
    fails the range that covers it."""
    from storage.sealed_file import write_sealed_file

    data = os.urandom(3 * SEGMENT + 500)
    path = write_sealed_file(tmp_path / "a.wav", [data[:1000], data[1000:]], keys.current, keys.key(keys.current))
    opened: list[int] = []
    real_open = sealed.SegmentOpener.open

    def counting(self: sealed.SegmentOpener, index: int, blob: bytes, last: bool) -> bytes:
        opened.append(index)
        return real_open(self, index, blob, last)

    monkeypatch.setattr(sealed.SegmentOpener, "open", counting)
    with SealedFile(path, keys.key) as f:
        assert f.size == len(data)
        for start, end in [(0, 0), (SEGMENT - 10, SEGMENT + 10), (2 * SEGMENT + 7, len(data) - 1), (0, len(data) - 1)]:
            opened.clear()
            assert b"".join(f.read_range(start, end)) == data[start : end + 1]
            assert opened == list(range(start // SEGMENT, end // SEGMENT + 1))
    raw = path.read_bytes()
    hdr, seg = len(raw) - 3 * (SEGMENT + TAG) - (500 + TAG), SEGMENT + TAG
    path.write_bytes(raw[:hdr] + raw[hdr + seg : hdr + 2 * seg] + raw[hdr : hdr + seg] + raw[hdr + 2 * seg :])
    with SealedFile(path, keys.key) as f, pytest.raises(IntegrityError):
        b"".join(f.read_range(10, 20))
