"""One contract, three backends: local disk, Samba (real smbd) and S3 (real SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.base import Backend
from storage.errors import ConflictError, InvalidKeyError, NotFoundError

pytestmark = pytest.mark.integration


def test_save_load_roundtrip(backend: Backend) -> None:
    res = backend.save("notes/hello.txt", b"hello world")
    assert res.size == 11
    assert res.sha256 == hashlib.sha256(b"hello world").hexdigest()
    assert not res.spooled
    assert backend.load("notes/hello.txt") == b"hello world"


def test_empty_object(backend: Backend) -> None:
    backend.save("empty.bin", b"")
    assert backend.load("empty.bin") == b""
    info = backend.stat("empty.bin")
    assert info.size == 0
    assert info.sha256 == hashlib.sha256(b"").hexdigest()


def test_overwrite_replaces_whole_object(backend: Backend) -> None:
    backend.save("a.bin", b"x" * 1000)
    backend.save("a.bin", b"short")
    assert backend.load("a.bin") == b"short"
    assert backend.list("") == ["a.bin"]


def test_stat_size_time_checksum(backend: Backend) -> None:
    data = os.urandom(12345)
    backend.save("m/rec.opus", data)
    info = backend.stat("m/rec.opus")
    assert info.key == "m/rec.opus"
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert abs(info.modified - datetime.now(UTC)) < timedelta(minutes=5)
    assert backend.stat("m/rec.opus", checksum=False).sha256 is None


def test_exists_and_delete(backend: Backend) -> None:
    assert not backend.exists("x/y.txt")
    backend.save("x/y.txt", b"1")
    assert backend.exists("x/y.txt")
    backend.delete("x/y.txt")
    assert not backend.exists("x/y.txt")
    assert backend.list("") == []
    with pytest.raises(NotFoundError):
        backend.delete("x/y.txt")


def test_missing_object_is_not_found(backend: Backend) -> None:
    with pytest.raises(NotFoundError):
        backend.load("nope.bin")
    with pytest.raises(NotFoundError):
        backend.stat("nope.bin")
    with pytest.raises(NotFoundError):
        backend.open_read("dir/nope.bin")


def test_list_by_prefix(backend: Backend) -> None:
    for k in ["2024/01/a.opus", "2024/01/b.opus", "2024/02/c.opus", "2025/d.opus", "top.txt"]:
        backend.save(k, k.encode())
    assert backend.list("") == ["2024/01/a.opus", "2024/01/b.opus", "2024/02/c.opus", "2025/d.opus", "top.txt"]
    assert backend.list("2024/") == ["2024/01/a.opus", "2024/01/b.opus", "2024/02/c.opus"]
    assert backend.list("2024/01") == ["2024/01/a.opus", "2024/01/b.opus"]
    assert backend.list("2024/01/b") == ["2024/01/b.opus"]
    assert backend.list("20") == ["2024/01/a.opus", "2024/01/b.opus", "2024/02/c.opus", "2025/d.opus"]
    assert backend.list("nothing/") == []


def test_keys_are_normalized(backend: Backend) -> None:
    backend.save("a\\b//c.txt", b"win")
    assert backend.list("") == ["a/b/c.txt"]
    assert backend.load("./a/b/c.txt") == b"win"


@pytest.mark.parametrize(
    "bad", ["../escape.txt", "a/../../etc/passwd", "/etc/passwd", "\\\\server\\share\\x", "C:\\x.txt",
            "", "a/\x00b", "..", "a/b/..", "x.pa-part"],
)
def test_bad_keys_refused(backend: Backend, bad: str) -> None:
    with pytest.raises(InvalidKeyError):
        backend.save(bad, b"data")
    with pytest.raises(InvalidKeyError):
        backend.load(bad)
    with pytest.raises(InvalidKeyError):
        backend.delete(bad)
    assert backend.list("") == []


def test_file_and_folder_conflict(backend: Backend) -> None:
    backend.save("a", b"file")
    with pytest.raises(ConflictError):
        backend.save("a/b", b"under a file")
    backend.save("d/e", b"x")
    with pytest.raises(ConflictError):
        backend.save("d", b"over a folder")
    assert backend.load("a") == b"file"
    assert backend.list("") == ["a", "d/e"]


def test_streaming_write_multi_part(backend: Backend) -> None:
    """11 MiB in 64 KiB writes: more than one S3 part, several SMB write requests."""
    chunk = os.urandom(64 << 10)
    h = hashlib.sha256()
    with backend.open_write("rec/long.wav") as w:
        for i in range(176):
            piece = bytes([i % 256]) + chunk[1:]
            w.write(piece)
            h.update(piece)
    assert w.result is not None and w.result.size == 176 * len(chunk)
    assert w.result.sha256 == h.hexdigest()
    info = backend.stat("rec/long.wav")
    assert info.size == 176 * len(chunk)
    assert info.sha256 == h.hexdigest()
    out = io.BytesIO()
    assert backend.read_into("rec/long.wav", out) == h.hexdigest()


def test_aborted_write_leaves_old_object(backend: Backend) -> None:
    backend.save("keep.bin", b"old")
    with pytest.raises(RuntimeError), backend.open_write("keep.bin") as w:
        w.write(os.urandom(6 << 20))
        raise RuntimeError("recorder crashed")
    assert backend.load("keep.bin") == b"old"
    assert backend.list("") == ["keep.bin"]


def test_uncommitted_write_is_invisible(backend: Backend) -> None:
    w = backend.open_write("pending.bin")
    w.write(b"partial data")
    assert backend.list("") == []
    assert not backend.exists("pending.bin")
    w.close()
    assert backend.load("pending.bin") == b"partial data"


def test_write_from_stream(backend: Backend) -> None:
    data = os.urandom(3 << 20)
    res = backend.write_from("s.bin", io.BytesIO(data), chunk=100_000)
    assert res.sha256 == hashlib.sha256(data).hexdigest()
    with backend.open_read("s.bin") as r:
        first = r.read(10)
        rest = r.read()
    assert first + rest == data


def test_caller_may_reuse_its_buffer(backend: Backend) -> None:
    """Large writes are hashed on a helper thread: a buffer the caller refills at once must still be
    stored and checksummed as it was when written (12 MiB through one reused 1 MiB bytearray)."""
    buf = bytearray(1 << 20)
    h = hashlib.sha256()
    with backend.open_write("rec/reused.bin") as w:
        for i in range(12):
            buf[:] = os.urandom(len(buf))
            w.write(buf if i % 2 else memoryview(buf))
            h.update(buf)
    assert w.result is not None and w.result.sha256 == h.hexdigest()
    assert backend.stat("rec/reused.bin").sha256 == h.hexdigest()
    assert hashlib.sha256(backend.load("rec/reused.bin")).hexdigest() == h.hexdigest()


def test_write_from_file_in_large_chunks(backend: Backend, tmp_path: Path) -> None:
    """write_from reads into a ring of reused buffers (readinto) hashed on a helper thread."""
    data = os.urandom((11 << 20) + 12345)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    with open(src, "rb") as fh:
        res = backend.write_from("big/src.bin", fh, chunk=1 << 20)
    assert res.size == len(data) and res.sha256 == hashlib.sha256(data).hexdigest()
    assert backend.load("big/src.bin") == data
