"""The one storage interface every backend implements, plus helpers shared by the backends.

Keys are validated by ``storage.keys``. Large objects go through ``open_write``/``open_read``
in chunks, so an hours-long recording never sits in memory. A writer commits on ``close()``
(or leaving its ``with`` block normally) and discards everything on ``abort()`` (or an
exception): readers never see half an object."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self

from storage.errors import IntegrityError
from storage.models import ObjectInfo, WriteResult

CHUNK = 1 << 20  # 1 MiB: the unit in which data moves through the storage layer


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ReadStream(Protocol):
    """What ``open_read`` returns: a binary file-like object usable in ``with``."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: Any) -> Any: ...


class BlobWriter(ABC):
    """A streaming writer. ``write`` any number of times, then ``close`` to commit."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._hash = hashlib.sha256()
        self.size = 0
        self.result: WriteResult | None = None
        self._done = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._done:
            raise ValueError(f"writer for {self.key!r} is already closed")
        mv = memoryview(data).cast("B")
        if not mv.nbytes:
            return 0
        self._hash.update(mv)
        self._write(mv)
        self.size += mv.nbytes
        return mv.nbytes

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> WriteResult:
        """Commit: after this returns, the object is stored whole (or spooled, see ``WriteResult``)."""
        if self.result is not None:
            return self.result
        if self._done:
            raise ValueError(f"writer for {self.key!r} was aborted")
        try:
            self.result = self._commit()
        except BaseException:
            self.abort()
            raise
        self._done = True
        return self.result

    def abort(self) -> None:
        """Discard what was written; the previous object under the key (if any) stays."""
        if self._done:
            return
        self._done = True
        self._abort()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    @abstractmethod
    def _write(self, data: memoryview) -> None: ...

    @abstractmethod
    def _commit(self) -> WriteResult: ...

    @abstractmethod
    def _abort(self) -> None: ...


class Backend(ABC):
    """Blob storage: local disk, a NAS share over SMB, or an S3 bucket."""

    kind: str = "abstract"
    io_chunk: int = CHUNK  # bytes per read in read_into/write_from (SMB uses its larger request size)

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data is, for humans and logs (never a secret)."""

    # -- streaming primitives each backend implements -----------------------------------------
    @abstractmethod
    def open_write(self, key: str) -> BlobWriter:
        """Start a streaming write; commit with ``close()``."""

    @abstractmethod
    def open_read(self, key: str) -> ReadStream:
        """A readable binary stream of the object (close it when done)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; NotFoundError if it does not exist."""

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """All keys starting with ``prefix`` (string prefix, like S3), sorted."""

    @abstractmethod
    def stat(self, key: str, checksum: bool = True) -> ObjectInfo:
        """Size, modified time and (if ``checksum``) the SHA-256 of the content."""

    # -- conveniences built on the primitives ---------------------------------------------------
    def exists(self, key: str) -> bool:
        from storage.errors import NotFoundError

        try:
            self.stat(key, checksum=False)
            return True
        except NotFoundError:
            return False

    def save(self, key: str, data: bytes) -> WriteResult:
        with self.open_write(key) as w:
            w.write(data)
        assert w.result is not None
        return w.result

    def load(self, key: str) -> bytes:
        with self.open_read(key) as r:
            return r.read()

    def write_from(self, key: str, src: Readable, chunk: int | None = None) -> WriteResult:
        """Stream a readable (file, response body) into ``key`` in constant memory."""
        chunk = chunk or self.io_chunk
        with self.open_write(key) as w:
            while True:
                buf = src.read(chunk)
                if not buf:
                    break
                w.write(buf)
        assert w.result is not None
        return w.result

    def read_into(self, key: str, dst: BinaryIO, chunk: int | None = None) -> str:
        """Stream ``key`` into a writable file; return the SHA-256 of what was copied."""
        chunk = chunk or self.io_chunk
        h = hashlib.sha256()
        with self.open_read(key) as r:
            while True:
                buf = r.read(chunk)
                if not buf:
                    break
                h.update(buf)
                dst.write(buf)
        return h.hexdigest()

    def checksum(self, key: str) -> str:
        sha = self.stat(key, checksum=True).sha256
        assert sha is not None
        return sha

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release connections."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sha256_of_stream(stream: Readable, chunk: int = CHUNK) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    while True:
        buf = stream.read(chunk)
        if not buf:
            break
        h.update(buf)
        size += len(buf)
    return h.hexdigest(), size


class VerifyingReader:
    """Wraps a stream; at end of stream checks size and SHA-256 and raises IntegrityError on a mismatch."""

    def __init__(self, raw: ReadStream, key: str, sha256: str | None, size: int | None) -> None:
        self._raw = raw
        self.key = key
        self._expected = sha256
        self._size = size
        self._hash = hashlib.sha256()
        self._seen = 0
        self._checked = False

    def read(self, size: int = -1, /) -> bytes:
        data = self._raw.read(size) if size is not None and size >= 0 else self._raw.read()
        if data:
            self._hash.update(data)
            self._seen += len(data)
            if size is None or size < 0:
                self._check()
        elif size != 0:
            self._check()
        return data

    def _check(self) -> None:
        if self._checked:
            return
        self._checked = True
        if self._size is not None and self._seen != self._size:
            raise IntegrityError(f"{self.key}: read {self._seen} bytes, expected {self._size}")
        if self._expected and self._hash.hexdigest() != self._expected:
            raise IntegrityError(f"{self.key}: checksum mismatch (stored sha256 {self._expected[:12]}…)")

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        close = getattr(self._raw, "close", None)
        if close:
            close()

    def __enter__(self) -> VerifyingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
