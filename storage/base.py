"""The one storage interface every backend implements, plus helpers shared by the backends.

Keys are validated by ``storage.keys``. Large objects go through ``open_write``/``open_read``
in chunks, so an hours-long recording never sits in memory. A writer commits on ``close()``
(or leaving its ``with`` block normally) and discards everything on ``abort()`` (or an
exception): readers never see half an object."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self

from storage.errors import IntegrityError
from storage.models import ObjectInfo, WriteResult

CHUNK = 1 << 20  # 1 MiB: the unit in which data moves through the storage layer
HASH_INLINE_BELOW = 256 << 10  # smaller writes are hashed on the caller's thread (a hand-off costs more)
HASH_AHEAD = 4  # chunks queued for a writer's hashing thread: memory stays bounded


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ReadStream(Protocol):
    """What ``open_read`` returns: a binary file-like object usable in ``with``."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: Any) -> Any: ...


class StreamHasher:
    """SHA-256 of a stream, computed on a helper thread so hashing overlaps the caller's I/O.

    hashlib releases the GIL for large buffers, so on two or more cores the digest costs almost
    no wall time. Small updates are hashed inline until the first large one; from then on every
    update goes through one single-thread executor, in order. At most ``HASH_AHEAD`` chunks wait
    (the caller blocks beyond that), so memory stays flat. Chunks handed to the thread must not
    change afterwards: ``bytes`` are passed as they are, anything mutable is copied first."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._pool: ThreadPoolExecutor | None = None
        self._queued: deque[Future[None]] = deque()

    def update(
        self, data: bytes | bytearray | memoryview, borrowed: bool = False, ahead: int = HASH_AHEAD
    ) -> Future[None] | None:
        """Add ``data``. ``borrowed=True``: the caller keeps the buffer unchanged until the returned
        future is done (no copy). Returns None when the data was hashed at once. ``ahead``: how many
        updates may wait before this call blocks (more only for data that costs no memory while it
        waits, such as not-yet-touched file mappings)."""
        mv = memoryview(data).cast("B") if not isinstance(data, bytes) else None
        n = len(data) if mv is None else mv.nbytes
        if self._pool is None and n < HASH_INLINE_BELOW:
            self._hash.update(data)
            return None
        if mv is None:
            frozen: bytes | memoryview = data  # type: ignore[assignment]  # bytes: immutable
        elif borrowed or (mv.readonly and isinstance(mv.obj, bytes)):
            frozen = mv  # lent by the caller, or a view of immutable bytes
        else:
            frozen = bytes(mv)  # the caller may reuse its buffer
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
        while len(self._queued) >= ahead:  # one worker finishes in order: done ones pop without waiting
            self._queued.popleft().result()
        fut = self._pool.submit(self._hash.update, frozen)
        self._queued.append(fut)
        return fut

    def _drain(self) -> None:
        while self._queued:
            self._queued.popleft().result()

    def hexdigest(self) -> str:
        self._drain()
        return self._hash.hexdigest()

    def close(self) -> None:
        """Finish the queued work and stop the helper thread; the digest stays readable."""
        self._drain()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def cancel(self) -> None:
        """Drop queued work and stop the helper thread; the digest is no longer meaningful."""
        for f in self._queued:
            f.cancel()
        self._queued.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class BlobWriter(ABC):
    """A streaming writer. ``write`` any number of times, then ``close`` to commit.

    The SHA-256 of what was written is computed alongside (see ``StreamHasher``); ``sha256``
    waits for it. Subclasses' ``_write`` get the caller's buffer and must not keep a reference
    to a mutable one after returning."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._hash = StreamHasher()
        self.size = 0
        self.result: WriteResult | None = None
        self._done = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        return self._write_hashed(data, borrowed=False)[0]

    def write_borrowed(self, buf: memoryview) -> Future[None] | None:
        """Write ``buf`` without copying it for the hashing thread: the caller must leave the buffer
        unchanged until the returned future (if any) is done. For loops that reuse a few buffers."""
        return self._write_hashed(buf, borrowed=True)[1]

    def _write_hashed(self, data: bytes | bytearray | memoryview, borrowed: bool) -> tuple[int, Future[None] | None]:
        if self._done:
            raise ValueError(f"writer for {self.key!r} is already closed")
        mv = memoryview(data).cast("B")
        if not mv.nbytes:
            return 0, None
        fut = self._hash.update(data if isinstance(data, bytes) else mv, borrowed=borrowed)
        self._write(mv)
        self.size += mv.nbytes
        return mv.nbytes, fut

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
        self._hash.close()
        self._done = True
        return self.result

    def abort(self) -> None:
        """Discard what was written; the previous object under the key (if any) stays."""
        if self._done:
            return
        self._done = True
        self._hash.cancel()
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
        """Stream a readable (file, response body) into ``key`` in constant memory.

        A source with ``readinto`` (files, sockets) is read into a small ring of reused buffers,
        hashed on a helper thread while the next one is read and written: no allocation per
        chunk, and hashing overlaps the I/O."""
        chunk = chunk or self.io_chunk
        readinto = getattr(src, "readinto", None)
        with self.open_write(key) as w:
            if readinto is None:
                while True:
                    buf = src.read(chunk)
                    if not buf:
                        break
                    w.write(buf)
            else:
                ring = [bytearray(chunk) for _ in range(HASH_AHEAD + 2)]
                busy: list[Future[None] | None] = [None] * len(ring)
                i = 0
                while True:
                    if (f := busy[i]) is not None:
                        f.result()  # the hashing thread is done with this buffer
                    view = memoryview(ring[i])
                    n = readinto(view)
                    if not n:
                        break
                    busy[i] = w.write_borrowed(view[:n])
                    i = (i + 1) % len(ring)
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


def read_exact(src: Readable, n: int) -> bytes:
    """``n`` bytes from a stream that may return fewer per read; fewer only at its end."""
    parts: list[bytes] = []
    while n > 0:
        b = src.read(n)
        if not b:
            break
        parts.append(b)
        n -= len(b)
    return b"".join(parts)


class InnerStream:
    """A reader over another stream (``_raw``): closing it, or leaving its ``with``, closes that one."""

    _raw: Readable

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        close = getattr(self._raw, "close", None)
        if close:
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VerifyingReader(InnerStream):
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
