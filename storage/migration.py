"""Move every object from one backend to another: copy (resumable, idempotent), verify (listing
compare + checksums of the bytes actually stored on both sides), switch the primary, retire the
old backend. While it runs, the app dual-writes new objects to both (``storage.state``).

The journal (one JSON line per object copied and checked) makes a resumed run skip what is done;
without a journal entry an object already on the target with the same checksum is skipped too, so
running the same migration twice changes nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from storage.base import Backend, sha256_of_stream
from storage.errors import IntegrityError, NotFoundError

Progress = Callable[[str, int, int], None]  # (key, done, total)


class CopyReport(BaseModel):
    total: int = 0
    copied: int = 0
    skipped: int = 0
    bytes_copied: int = 0


class VerifyReport(BaseModel):
    checked: int = 0
    missing: list[str] = Field(default_factory=list)
    mismatched: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched


class Journal:
    """Append-only record of objects copied and checked (``key``, ``sha256``, ``size``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def load(self) -> dict[str, tuple[str, int]]:
        done: dict[str, tuple[str, int]] = {}
        if not self.path.exists():
            return done
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
                done[rec["key"]] = (rec["sha256"], int(rec["size"]))
            except (ValueError, KeyError):
                continue  # a torn last line after a crash: that object is simply copied again
        return done

    def add(self, key: str, sha256: str, size: int) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"key": key, "sha256": sha256, "size": size}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def read_checksum(backend: Backend, key: str) -> tuple[str, int]:
    """SHA-256 and size of the bytes the backend returns now (not a stored value)."""
    with backend.open_read(key) as r:
        return sha256_of_stream(r)


def copy_all(src: Backend, dst: Backend, journal: Journal, progress: Progress | None = None) -> CopyReport:
    keys = src.list("")
    done = journal.load()
    report = CopyReport(total=len(keys))
    for i, key in enumerate(keys, 1):
        rec = done.get(key)
        if rec is not None:
            try:
                if dst.stat(key, checksum=False).size == rec[1]:
                    report.skipped += 1
                    if progress:
                        progress(key, i, len(keys))
                    continue
            except NotFoundError:
                pass
        same = False
        try:
            dst_info = dst.stat(key, checksum=True)
            src_info = src.stat(key, checksum=True)
            same = dst_info.size == src_info.size and dst_info.sha256 == src_info.sha256
        except NotFoundError:
            pass
        if same:
            assert dst_info.sha256 is not None
            journal.add(key, dst_info.sha256, dst_info.size)
            report.skipped += 1
        else:
            with src.open_read(key) as r:  # the writer hashes exactly the bytes read from src
                res = dst.write_from(key, r)
            stored = dst.stat(key, checksum=True)
            if stored.sha256 != res.sha256 or stored.size != res.size:
                raise IntegrityError(f"{key}: {dst.location} holds different bytes than were sent")
            journal.add(key, res.sha256, res.size)
            report.copied += 1
            report.bytes_copied += res.size
        if progress:
            progress(key, i, len(keys))
    return report


def verify(src: Backend, dst: Backend, progress: Progress | None = None) -> VerifyReport:
    """Every object of ``src`` is on ``dst`` with the same bytes (both read back and hashed)."""
    src_keys = src.list("")
    dst_keys = set(dst.list(""))
    report = VerifyReport(missing=[k for k in src_keys if k not in dst_keys])
    for i, key in enumerate(src_keys, 1):
        if key in dst_keys:
            a = read_checksum(src, key)
            try:
                b = read_checksum(dst, key)
            except IntegrityError:
                b = ("", -1)
            report.checked += 1
            if a != b:
                report.mismatched.append(key)
        if progress:
            progress(key, i, len(src_keys))
    return report
