"""A sealed file read from any offset: caches that are served in byte ranges (a spoken reply, a meeting
rendered to one WAV) stay encrypted on disk when encryption at rest is on.

The sealed format (``storage.sealed``) has segments of a fixed plaintext size, so the segment that
holds a plaintext offset is known without reading the ones before it; each is authenticated on its
own (its index and whether it is the last are in its nonce), so a range read still detects a changed,
moved or cut file."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.base import InnerStream
from storage.errors import IntegrityError
from storage.sealed import MAGIC, PREFIX, SEGMENT, TAG, Sealer, _nonce, read_header


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
            key_id, self._prefix, self._header = read_header(self._f, first)
            self._aead = AESGCM(key_for(key_id))
            body = path.stat().st_size - len(self._header)
            self._segments = max(1, -(-body // (SEGMENT + TAG)))
            self.size = body - self._segments * TAG
            if self.size < 0:
                raise IntegrityError(f"{self.name}: sealed file cut short")
        except BaseException:
            self._f.close()
            raise

    def _segment(self, i: int) -> bytes:
        self._f.seek(len(self._header) + i * (SEGMENT + TAG))
        sealed = self._f.read(SEGMENT + TAG)
        try:
            return self._aead.decrypt(_nonce(self._prefix, i, i == self._segments - 1), sealed, self._header)
        except InvalidTag:
            raise IntegrityError(f"{self.name}: sealed file damaged, cut or reordered") from None

    def read_range(self, start: int, end: int) -> Iterator[bytes]:
        """The plaintext bytes ``start`` to ``end`` (inclusive), a segment's worth at a time."""
        if not 0 <= start <= end < self.size:
            raise ValueError(f"range {start}-{end} outside 0-{self.size - 1}")
        for i in range(start // SEGMENT, end // SEGMENT + 1):
            plain = self._segment(i)
            lo = start - i * SEGMENT if i == start // SEGMENT else 0
            hi = end - i * SEGMENT + 1 if i == end // SEGMENT else len(plain)
            yield plain[lo:hi]
