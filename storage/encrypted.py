"""Encryption at rest for blobs: a backend wrapper that seals what it writes (``storage.sealed``)
and opens what it reads, over any backend (local, SMB, S3, the spool, a dual-write).

Objects stored before encryption was turned on are read as they are (they do not start with the
sealed format's magic); ``seal_existing`` rewrites them sealed, one by one, each through the inner
backend's atomic write (a crash leaves the old plaintext object or the new sealed one, never a torn
one). Sizes and SHA-256 sums the backend reports (``stat``, ``WriteResult``) are of the stored,
sealed bytes, so the spool, the migration and their checks work unchanged on what is really stored."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from concurrent.futures import Future

from storage.base import CHUNK, HASH_AHEAD, Backend, BlobWriter, InnerStream, Readable, ReadStream, read_exact
from storage.blocks import blocks_of
from storage.datakeys import DataKeys
from storage.errors import NotFoundError
from storage.models import ObjectInfo, WriteResult
from storage.sealed import MAGIC, PREFIX, TAG, OpeningReader, Sealer, is_sealed, read_header


class SealingWriter(BlobWriter):
    """Seals each piece as it comes and hands whole segments to the inner writer (memory: one segment)."""

    def __init__(self, inner: BlobWriter, sealer: Sealer) -> None:
        super().__init__(inner.key)
        self._inner = inner
        self._sealer = sealer
        inner.write(sealer.header)

    def _write_hashed(self, data: bytes | bytearray | memoryview, borrowed: bool) -> tuple[int, Future[None] | None]:
        # the inner writer hashes what is stored; the plaintext is not hashed a second time
        if self._done:
            raise ValueError(f"writer for {self.key!r} is already closed")
        mv = memoryview(data).cast("B")
        if mv.nbytes:
            self._write(mv)
            self.size += mv.nbytes
        return mv.nbytes, None

    @property
    def sha256(self) -> str:
        return self._inner.sha256

    def _write(self, data: memoryview) -> None:
        sealed = self._sealer.push(data)
        if sealed:  # a new buffer nobody changes again: lent to the inner writer's hashing thread, no copy
            self._inner.write_borrowed(memoryview(sealed))

    def seal_from(self, src: Readable) -> None:
        """Seal all of ``src``, segment by segment (``storage.blocks``: a file is mapped, another
        stream read ahead on a helper thread), each straight from there into one of a few reused
        output buffers, which the inner writer hashes on its own thread. No allocation or copy per
        segment; memory stays at a few segments."""
        if self.size or self._done:
            raise ValueError(f"writer for {self.key!r}: seal_from must be the only write")
        seg = self._sealer.segment
        first = read_exact(src, seg)
        ahead = blocks_of(src, seg) if len(first) == seg else None
        ring = [bytearray(seg + TAG) for _ in range(HASH_AHEAD + 2)]
        busy: list[Future[None] | None] = [None] * len(ring)
        i = 0
        cur: memoryview | bytes = first
        try:
            while cur:
                nxt = ahead.next() if ahead is not None and len(cur) == seg else b""
                if (f := busy[i]) is not None:
                    f.result()  # the hashing thread is done with this buffer
                out = memoryview(ring[i])[: len(cur) + TAG]
                self._sealer.seal_into(cur, not nxt, out)
                self.size += len(cur)
                if ahead is not None and cur is not first:
                    ahead.release(cur)
                busy[i] = self._inner.write_borrowed(out)
                i = (i + 1) % len(ring)
                cur = nxt
        finally:
            if ahead is not None:
                ahead.close()

    def _commit(self) -> WriteResult:
        if not self._sealer.finished:
            self._inner.write(self._sealer.finish())
        return self._inner.close()

    def _abort(self) -> None:
        self._inner.abort()


class _PlainReader(InnerStream):
    """A plaintext (legacy) object: the bytes already read for the magic check, then the rest."""

    def __init__(self, raw: ReadStream, head: bytes) -> None:
        self._raw = raw
        self._head = head

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            if size is None or size < 0:
                out, self._head = self._head + self._raw.read(), b""
                return out
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._raw.read(size)


class SealedBackend(Backend):
    """``inner`` with every new object sealed with the installation's current data key."""

    def __init__(self, inner: Backend, keys: DataKeys) -> None:
        self.inner = inner
        self.keys = keys
        self.kind = inner.kind
        self.io_chunk = inner.io_chunk

    @property
    def location(self) -> str:
        return self.inner.location

    def sealer(self) -> Sealer:
        """A sealer for one new object: the current data key, a fresh random nonce prefix."""
        return Sealer(self.keys.current, self.keys.key(self.keys.current), secrets.token_bytes(PREFIX))

    def open_write(self, key: str) -> SealingWriter:
        sealer = self.sealer()
        inner = self.inner.open_write(key)
        try:
            return SealingWriter(inner, sealer)
        except BaseException:
            inner.abort()
            raise

    def write_from(self, key: str, src: Readable, chunk: int | None = None) -> WriteResult:
        """Stream a readable into ``key``, sealed (``SealingWriter.seal_from``)."""
        with self.open_write(key) as w:
            w.seal_from(src)
        assert w.result is not None
        return w.result

    def open_read(self, key: str) -> ReadStream:
        raw = self.inner.open_read(key)
        try:
            head = read_exact(raw, len(MAGIC))
            if is_sealed(head):
                return OpeningReader(raw, head, self.keys.key, key)
            return _PlainReader(raw, head)
        except BaseException:
            raw.close()
            raise

    def is_sealed(self, key: str) -> bool:
        with self.inner.open_read(key) as raw:
            return is_sealed(read_exact(raw, len(MAGIC)))

    def sealed_with(self, key: str) -> str | None:
        """The data key id an object is sealed with; None for a plaintext object."""
        with self.inner.open_read(key) as raw:
            head = read_exact(raw, len(MAGIC))
            return read_header(raw, head).key_id if is_sealed(head) else None

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def list(self, prefix: str = "") -> list[str]:
        return self.inner.list(prefix)

    def stat(self, key: str, checksum: bool = True) -> ObjectInfo:
        return self.inner.stat(key, checksum)

    def close(self) -> None:
        self.inner.close()



def reseal(backend: SealedBackend, want: Callable[[str | None], bool],
           progress: Callable[[str, int, int], None] | None = None) -> int:
    """Rewrite every object whose data key id (None = plaintext) ``want`` selects, sealed with the
    current key. Each object is sealed into an anonymous temp file first (only sealed bytes touch it;
    memory stays bounded), then written over the old one through the inner backend's atomic write:
    a crash leaves the old object or the new one. Returns how many objects were rewritten."""
    keys = backend.list("")
    n = 0
    for i, key in enumerate(keys, 1):
        try:
            if want(backend.sealed_with(key)):
                with tempfile.TemporaryFile() as tmp:
                    sealer = backend.sealer()
                    tmp.write(sealer.header)
                    with backend.open_read(key) as r:  # closed before the write: SMB refuses to
                        while buf := r.read(CHUNK):  # replace a file that is open
                            tmp.write(sealer.push(buf))
                    tmp.write(sealer.finish())
                    tmp.seek(0)
                    backend.inner.write_from(key, tmp)
                n += 1
        except NotFoundError:
            pass  # deleted meanwhile
        if progress:
            progress(key, i, len(keys))
    return n
