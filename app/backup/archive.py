"""A backup as one sealed object: a tar of the staged files (``manifest.json`` first, with every
file's size and SHA-256), sealed with ``storage.sealed`` (AES-256-GCM segments) under the backup key.
Opening authenticates every segment; unpacking checks every file against the manifest and accepts
only plain files with relative names."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from pydantic import BaseModel

from storage.base import Readable
from storage.errors import IntegrityError
from storage.sealed import MAGIC, PREFIX, OpeningReader, Sealer

CHUNK = 1 << 20


class ArchiveError(Exception):
    """The archive is damaged, cut, not a backup, or the key does not open it: one line."""


class FileEntry(BaseModel):
    name: str
    size: int
    sha256: str


class Manifest(BaseModel):
    id: str
    created_at: datetime
    app_version: str
    database: str  # "sqlite", "postgresql" or "none"
    key_id: str  # the backup key that seals it (its id only)
    files: list[FileEntry]
    archive_sha256: str = ""  # of the sealed object as stored (in the manifest kept beside it)
    archive_size: int = 0


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def entries(staging: Path, names: list[str]) -> list[FileEntry]:
    return [FileEntry(name=n, size=(staging / n).stat().st_size, sha256=file_sha256(staging / n)) for n in names]


def seal(staging: Path, manifest: Manifest, out: Path, key: bytes) -> None:
    """Write the sealed archive of ``staging`` to ``out`` (a tar streamed through the sealer)."""
    sealer = Sealer(manifest.key_id, key, os.urandom(PREFIX))
    with out.open("wb") as fh:
        fh.write(sealer.header)
        sink = _SealingSink(fh, sealer)
        with tarfile.open(fileobj=sink, mode="w|") as tar:  # type: ignore[call-overload]
            raw = manifest.model_dump_json(exclude={"archive_sha256", "archive_size"}).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
            for e in manifest.files:
                tar.add(str(staging / e.name), arcname=e.name, recursive=False)
        fh.write(sealer.finish())


class _SealingSink(io.RawIOBase):
    def __init__(self, fh: IO[bytes], sealer: Sealer) -> None:
        self._fh = fh
        self._sealer = sealer

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._fh.write(self._sealer.push(data))
        return memoryview(data).nbytes


def unpack(src: Readable, key_for: Callable[[str], bytes], dest: Path, expected: Manifest | None = None) -> Manifest:
    """Open, authenticate and unpack a sealed archive into ``dest`` (an empty folder); every file is
    checked against the archive's own manifest (and ``expected``'s, when given)."""
    first = src.read(len(MAGIC) + 2)
    if not first.startswith(MAGIC):
        raise ArchiveError("this is not a backup made by this app (or it is damaged at its start)")
    try:
        reader = OpeningReader(src, first, key_for, "backup")
        with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
            manifest = _extract(tar, dest)
        if reader.read(1):
            raise ArchiveError("the backup holds data after its end")
    except IntegrityError as exc:
        raise ArchiveError(_integrity_line(exc)) from None
    except (tarfile.TarError, EOFError, ValueError) as exc:
        raise ArchiveError(f"the backup is damaged ({type(exc).__name__})") from None
    if expected is not None and [e.model_dump() for e in expected.files] != [e.model_dump() for e in manifest.files]:
        raise ArchiveError("the backup's contents do not match its manifest")
    return manifest


def _integrity_line(exc: IntegrityError) -> str:
    text = str(exc)
    if "damaged" in text or "cut" in text:
        return "the backup is damaged or cut short, or the backup key does not open it"
    return f"the backup cannot be opened: {text.splitlines()[0][:200]}"


def _extract(tar: tarfile.TarFile, dest: Path) -> Manifest:
    manifest: Manifest | None = None
    wanted: dict[str, FileEntry] = {}
    seen: set[str] = set()
    for member in tar:
        name = member.name
        if manifest is None:
            if name != "manifest.json" or not member.isfile():
                raise ArchiveError("the backup has no manifest")
            fh = tar.extractfile(member)
            assert fh is not None
            manifest = Manifest.model_validate_json(fh.read())
            wanted = {e.name: e for e in manifest.files}
            continue
        entry = wanted.get(name)
        parts = Path(name).parts
        if entry is None or not member.isfile() or name.startswith("/") or ".." in parts or name in seen:
            raise ArchiveError(f"the backup holds an unexpected entry {name[:80]!r}")
        seen.add(name)
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        fh = tar.extractfile(member)
        assert fh is not None
        with target.open("wb") as out:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
                out.write(chunk)
        if h.hexdigest() != entry.sha256 or target.stat().st_size != entry.size:
            raise ArchiveError(f"{name[:80]} in the backup does not match its checksum")
    if manifest is None:
        raise ArchiveError("the backup is empty")
    missing = {e.name for e in manifest.files} - seen
    if missing:
        raise ArchiveError(f"the backup lacks {len(missing)} of its files, e.g. {sorted(missing)[0][:80]}")
    return manifest
