"""Local disk backend. Writes go to a temp file beside the target, are fsynced and then renamed
over the target (and the folder fsynced), so a crash at any moment leaves the old or the new file,
never a torn one."""

from __future__ import annotations

import builtins
import errno
import io
import mmap
import os
import secrets
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from storage.base import Backend, BlobWriter, Readable, ReadStream, sha256_of_stream
from storage.errors import ConflictError, NotFoundError, PermissionDeniedError, StorageError
from storage.keys import RESERVED_SUFFIX, normalize_key, normalize_prefix
from storage.models import ObjectInfo, WriteResult

COPY_CHUNK = 8 << 20  # bytes per copy_file_range call (and per hashing step)
MAP_AHEAD = 128  # mapped windows (1 GiB) the hashing may lag behind the in-kernel copy


def regular_file_fd(src: object) -> int | None:
    """The descriptor of ``src`` if it is a seekable regular file, else None."""
    try:
        fd = src.fileno()  # type: ignore[attr-defined]
        src.tell()  # type: ignore[attr-defined]
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_atomic(path: Path, data: bytes) -> None:
    """Replace the small file ``path`` with ``data`` so that a crash leaves the old or the new content:
    a temp file beside it, fsynced, renamed over it, the folder fsynced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{RESERVED_SUFFIX}")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _map_os_error(exc: OSError, key: str, where: str) -> StorageError:
    if isinstance(exc, FileNotFoundError):
        return NotFoundError(f"{key}: not found in {where}")
    if isinstance(exc, PermissionError):
        return PermissionDeniedError(f"{key}: permission denied in {where}: {exc.strerror}")
    if isinstance(exc, IsADirectoryError | NotADirectoryError | FileExistsError) or exc.errno == errno.ENOTEMPTY:
        return ConflictError(f"{key}: clashes with a folder or file of that name in {where}")
    if exc.errno == errno.ENOSPC:
        return StorageError(f"{key}: disk full in {where}")
    return StorageError(f"{key}: {exc.strerror or exc} in {where}")


class LocalWriter(BlobWriter):
    def __init__(self, backend: LocalBackend, key: str) -> None:
        super().__init__(key)
        self._backend = backend
        self._target = backend.path_of(key)
        try:
            self._target.parent.mkdir(parents=True, exist_ok=True)
            if self._target.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a directory")
            self._tmp = self._target.with_name(f".{self._target.name}.{secrets.token_hex(6)}{RESERVED_SUFFIX}")
            self._fh = open(self._tmp, "xb")  # noqa: SIM115  (closed in commit/abort)
        except OSError as exc:
            raise _map_os_error(exc, key, backend.location) from None

    def _write(self, data: memoryview) -> None:
        try:
            self._fh.write(data)
        except OSError as exc:
            raise _map_os_error(exc, self.key, self._backend.location) from None

    def copy_range(self, fd: int, offset: int, count: int) -> None:
        """Append ``count`` bytes of the regular file ``fd`` from ``offset``, copied inside the kernel
        (copy_file_range: no trip through Python's buffers); the hashing thread reads the same bytes
        from read-only mappings of the source, window by window, so neither side copies them into
        user space and memory stays bounded (a window is unmapped once it is hashed)."""
        if self._done:
            raise ValueError(f"writer for {self.key!r} is already closed")
        if count <= 0:
            return
        try:
            self._fh.flush()
            self._copy_mapped(fd, self._fh.fileno(), offset, count)
            self._fh.seek(0, os.SEEK_END)
        except OSError as exc:
            raise _map_os_error(exc, self.key, self._backend.location) from None

    def _copy_mapped(self, fd: int, dst: int, offset: int, count: int) -> None:
        pos, end = offset, offset + count
        in_kernel = True
        while pos < end:
            n = min(COPY_CHUNK, end - pos)
            base = pos - pos % mmap.ALLOCATIONGRANULARITY
            mm = mmap.mmap(fd, pos + n - base, offset=base, access=mmap.ACCESS_READ)
            view = memoryview(mm)[pos - base :]
            # The hashing thread holds the only lasting reference to this window: the mapping is
            # unmapped as soon as it is hashed. Until then it costs address space, not memory (no
            # page of it is touched), so the copy may run far ahead and the hashing tail overlaps
            # the fsync in _commit instead of delaying it.
            self._hash.update(view, borrowed=True, ahead=MAP_AHEAD)
            done = 0
            while done < n:
                if in_kernel:
                    try:
                        k = os.copy_file_range(fd, dst, n - done, pos + done)
                    except OSError as exc:
                        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                            raise
                        in_kernel = False  # this file system pair cannot: plain writes from the mapping
                        continue
                else:
                    k = os.write(dst, view[done:])
                if k == 0:
                    raise StorageError(f"{self.key}: the source file shrank while it was copied")
                done += k
            view.release()
            del mm
            self.size += n
            pos += n

    def _commit(self) -> WriteResult:
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())  # the disk writes while the hashing thread finishes
            sha256 = self.sha256
            self._fh.close()
            os.replace(self._tmp, self._target)
            _fsync_dir(self._target.parent)
        except OSError as exc:
            raise _map_os_error(exc, self.key, self._backend.location) from None
        return WriteResult(key=self.key, size=self.size, sha256=sha256)

    def _abort(self) -> None:
        try:
            self._fh.close()
        finally:
            self._tmp.unlink(missing_ok=True)


class LocalBackend(Backend):
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _map_os_error(exc, ".", str(self.root)) from None

    @property
    def location(self) -> str:
        return f"local:{self.root}"

    def path_of(self, key: str) -> Path:
        key = normalize_key(key)
        path = self.root.joinpath(*key.split("/"))
        # a symlink inside the root must not lead out of it
        real = Path(os.path.realpath(path))
        if real != self.root and self.root not in real.parents:
            raise PermissionDeniedError(f"{key}: resolves outside the storage root {self.root}")
        return path

    def open_write(self, key: str) -> LocalWriter:
        return LocalWriter(self, normalize_key(key))

    def write_from(self, key: str, src: Readable, chunk: int | None = None) -> WriteResult:
        """A regular file is copied inside the kernel (see ``LocalWriter.copy_range``); anything else
        streams through the generic loop."""
        fd = regular_file_fd(src)
        if fd is None:
            return super().write_from(key, src, chunk)
        start = src.tell()  # type: ignore[attr-defined]
        count = max(0, os.fstat(fd).st_size - start)
        with self.open_write(key) as w:
            w.copy_range(fd, start, count)
        src.seek(start + count)  # type: ignore[attr-defined]
        assert w.result is not None
        return w.result

    def open_read(self, key: str) -> ReadStream:
        key = normalize_key(key)
        path = self.path_of(key)
        try:
            if path.is_dir():
                raise FileNotFoundError(errno.ENOENT, "is a folder")
            return open(path, "rb")
        except OSError as exc:
            raise _map_os_error(exc, key, self.location) from None

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        path = self.path_of(key)
        try:
            if path.is_dir():
                raise FileNotFoundError(errno.ENOENT, "is a folder")
            path.unlink()
        except OSError as exc:
            raise _map_os_error(exc, key, self.location) from None
        # tidy empty folders up to the root (S3-like: folders exist only through their objects)
        parent = path.parent
        while parent != self.root:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def _walk(self, start: Path) -> Iterator[Path]:
        try:
            entries = list(os.scandir(start))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise _map_os_error(exc, str(start.relative_to(self.root)), self.location) from None
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                yield from self._walk(Path(e.path))
            elif e.is_file(follow_symlinks=False) and not e.name.endswith(RESERVED_SUFFIX):
                yield Path(e.path)

    def list(self, prefix: str = "") -> list[str]:
        prefix = normalize_prefix(prefix)
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.root.joinpath(*folder.split("/")) if folder else self.root
        keys = (p.relative_to(self.root).as_posix() for p in self._walk(start))
        return sorted(k for k in keys if k.startswith(prefix))

    def stat(self, key: str, checksum: bool = True) -> ObjectInfo:
        key = normalize_key(key)
        path = self.path_of(key)
        try:
            st = path.stat()
            if not path.is_file():
                raise FileNotFoundError(errno.ENOENT, "not a file")
            sha = None
            if checksum:
                with open(path, "rb") as fh:
                    sha, _ = sha256_of_stream(fh)
        except OSError as exc:
            raise _map_os_error(exc, key, self.location) from None
        return ObjectInfo(key=key, size=st.st_size, modified=datetime.fromtimestamp(st.st_mtime, UTC), sha256=sha)

    def partials(self) -> builtins.list[Path]:
        """Temp files left by writers that never committed (a crash); safe to remove when old."""
        out: builtins.list[Path] = []
        for dirpath, _dirs, files in os.walk(self.root):
            out.extend(Path(dirpath) / f for f in files if f.endswith(RESERVED_SUFFIX))
        return out

    def cleanup_partials(self, older_than_s: float = 3600) -> int:
        now = time.time()
        n = 0
        for p in self.partials():
            try:
                if now - p.stat().st_mtime >= older_than_s:
                    p.unlink()
                    n += 1
            except OSError:
                continue
        return n
