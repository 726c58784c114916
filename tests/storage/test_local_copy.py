"""The local backend copies a regular source file inside the kernel (copy_file_range) while the
SHA-256 is computed from mappings of the source, lagging behind the copy. Both the in-kernel path
(source on the same file system) and the fallback (source on another file system, where the kernel
refuses with EXDEV) must store exactly the source's bytes from where the caller's file position is,
with the right digest, and leave the caller's position after what was copied."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from storage.local import COPY_CHUNK, LocalBackend

SHM = Path("/dev/shm")


def _copy_and_check(src: Path, store: Path, skip: int) -> None:
    data = src.read_bytes()[skip:]
    b = LocalBackend(store)
    with open(src, "rb") as fh:
        fh.seek(skip)
        res = b.write_from("rec/copied.bin", fh)
        assert fh.tell() == skip + len(data)
    want = hashlib.sha256(data).hexdigest()
    assert res.size == len(data) and res.sha256 == want
    assert (store / "rec" / "copied.bin").read_bytes() == data
    assert b.stat("rec/copied.bin").sha256 == want
    assert not b.partials()


def test_in_kernel_copy_of_a_file_on_the_same_disk(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(3 * COPY_CHUNK + 4321))  # several windows, the last one partial
    _copy_and_check(src, tmp_path / "store", skip=5000)  # a start that is not page-aligned


def test_copy_from_another_file_system_falls_back_to_plain_writes(tmp_path: Path) -> None:
    if not SHM.is_dir() or os.stat(SHM).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on a file system other than the test's temp folder")
    src = SHM / f"pa-test-{os.getpid()}.bin"
    try:
        src.write_bytes(os.urandom(2 * COPY_CHUNK + 777))
        fd_src, fd_dst = os.open(src, os.O_RDONLY), os.open(tmp_path / "probe", os.O_WRONLY | os.O_CREAT)
        try:  # the fallback is only exercised where the kernel refuses the cross-device copy
            os.copy_file_range(fd_src, fd_dst, 16, 0)
            pytest.skip("this kernel copies across file systems itself; the fallback is not reached")
        except OSError:
            pass
        finally:
            os.close(fd_src)
            os.close(fd_dst)
        _copy_and_check(src, tmp_path / "store", skip=3)
    finally:
        src.unlink(missing_ok=True)
