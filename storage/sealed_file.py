"""A sealed file read from any offset: caches that are served in byte ranges (a spoken reply, a meeting
rendered to one WAV) stay encrypted on disk when encryption at rest is on.

The sealed format (``storage.sealed``) has segments of a fixed plaintext size (1 MiB; 64 KiB in files
of format version 1), so the segment that holds a plaintext offset is known without reading the ones
before it; each is authenticated on its own (its index and whether it is the last are in its nonce),
so a range read still detects a changed, moved or cut file. A range costs at most one segment more
than it covers on each side: decrypting 1 MiB takes ~0.1 ms."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from storage.base import InnerStream
from storage.errors import IntegrityError
from storage.sealed import MAGIC, PREFIX, TAG, Sealer, SegmentOpener, read_header


def write_sealed_file(path: Path, chunks: Iterable[bytes], key_id: str, key: bytes) -> Path:
    """Seal ``chunks`` into ``path``, atomically (a failure leaves no file, and no plaintext ever)."""
    tmp = path.with_name(f".{path.name}.partial")
    sealer = Sealer(key_id, key, secrets.token_bytes(PREFIX))
    try:
        with open(tmp, "wb") as f:
            f.write(sealer.header)
            for chunk in chunks:
                f.write(sealer.push(chunk))
            f.write(sealer.finish())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


class SealedFile(InnerStream):
    """Random access to a sealed file's plaintext: ``size`` and ``read_range``."""

    def __init__(self, path: Path, key_for: Callable[[str], bytes]) -> None:
        self.name = path.name
        self._f = self._raw = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            first = self._f.read(len(MAGIC) + 2)
            if not first.startswith(MAGIC):
                raise IntegrityError(f"{self.name}: not a sealed file")
            hdr = read_header(self._f, first)
            self._opener = SegmentOpener(hdr, key_for(hdr.key_id), self.name)
            self._hdr_len, self._seg = len(hdr.raw), hdr.segment
            body = path.stat().st_size - self._hdr_len
            self._segments = max(1, -(-body // (self._seg + TAG)))
            self.size = body - self._segments * TAG
            if self.size < 0:
                raise IntegrityError(f"{self.name}: sealed file cut short")
        except BaseException:
            self._f.close()
            raise

    def _segment(self, i: int) -> bytes:
        self._f.seek(self._hdr_len + i * (self._seg + TAG))
        return self._opener.open(i, self._f.read(self._seg + TAG), i == self._segments - 1)

    def read_range(self, start: int, end: int) -> Iterator[bytes]:
        """The plaintext bytes ``start`` to ``end`` (inclusive), a segment's worth at a time."""
        if not 0 <= start <= end < self.size:
            raise ValueError(f"range {start}-{end} outside 0-{self.size - 1}")
        seg = self._seg
        for i in range(start // seg, end // seg + 1):
            plain = self._segment(i)
            lo = start - i * seg if i == start // seg else 0
            hi = end - i * seg + 1 if i == end // seg else len(plain)
            yield plain if (lo, hi) == (0, len(plain)) else plain[lo:hi]
