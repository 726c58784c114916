"""The sealed-blob format: AES-256-GCM in 64 KiB segments, streamed in bounded memory.

Layout (all of it authenticated)::

    header   MAGIC (6 bytes "PAENC\\x00") | version (1 byte) | key id length (1 byte) | key id (ASCII)
             | nonce prefix (7 random bytes, new for every object)
    segments ciphertext of up to SEGMENT plaintext bytes + 16-byte tag, one after the other

Segment ``i`` is sealed with the nonce ``prefix | i (4 bytes, big-endian) | last (1 byte: 1 for the
final segment, else 0)`` and the whole header as associated data. A segment moved, dropped, repeated,
or the object cut after a segment fails authentication: the last segment says it is the last, and a
counter mismatch changes the nonce. An empty object is one empty final segment. This is the STREAM
construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015) with a per-object random prefix; one data key
seals at most 2^32 segments per object (256 TiB) and, with 56-bit random prefixes, far more objects
than a household writes before a rotation.

Objects that do not start with MAGIC are plaintext from before encryption was turned on:
``is_sealed`` tells them apart and readers pass them through unchanged."""

from __future__ import annotations

import struct
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.base import InnerStream, Readable, read_exact
from storage.errors import IntegrityError

MAGIC = b"PAENC\x00"
VERSION = 1
SEGMENT = 64 << 10  # plaintext bytes per segment
TAG = 16
PREFIX = 7
MAX_KEY_ID = 64


class KeyUnavailableError(IntegrityError):
    """The object names a data key this installation does not hold (or the key is wrong)."""


def header(key_id: str, prefix: bytes) -> bytes:
    kid = key_id.encode("ascii")
    if not 0 < len(kid) <= MAX_KEY_ID or len(prefix) != PREFIX:
        raise ValueError("bad key id or nonce prefix")
    return MAGIC + bytes([VERSION, len(kid)]) + kid + prefix


def is_sealed(first_bytes: bytes) -> bool:
    return first_bytes.startswith(MAGIC)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 1 << 32:
        raise ValueError("object too large for one data key (2^32 segments)")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class Sealer:
    """Turns plaintext pushed in any pieces into sealed segments; ``finish`` seals the last one."""

    def __init__(self, key_id: str, key: bytes, prefix: bytes) -> None:
        self._aead = AESGCM(key)
        self._prefix = prefix
        self.header = header(key_id, prefix)
        self._buf = bytearray()
        self._index = 0

    def push(self, data: bytes | bytearray | memoryview) -> bytearray:
        """The sealed segments that are complete now, back to back in one new buffer (empty if none);
        the final segment is held back until ``finish``. The buffer is the caller's: nothing here
        touches it again."""
        mv = memoryview(data).cast("B")
        pos = 0
        head: bytearray | None = None
        if self._buf:  # top up the segment begun by the last push
            pos = min(SEGMENT - len(self._buf), mv.nbytes)
            self._buf += mv[:pos]
            if len(self._buf) < SEGMENT or pos == mv.nbytes:
                return bytearray()  # a full segment is sealed only once more data follows: the last one is known
            head, self._buf = self._buf, bytearray()
        # a full segment is sealed only once more data follows it, so the final segment is always known
        n = (mv.nbytes - pos - 1) // SEGMENT if mv.nbytes - pos > SEGMENT else 0
        out = bytearray((n + (head is not None)) * (SEGMENT + TAG))
        view = memoryview(out)
        at = 0
        if head is not None:
            self._seal_into(head, view[: SEGMENT + TAG])
            at = SEGMENT + TAG
        for _ in range(n):  # whole segments straight from the caller's buffer into the output
            self._seal_into(mv[pos : pos + SEGMENT], view[at : at + SEGMENT + TAG])
            pos += SEGMENT
            at += SEGMENT + TAG
        self._buf += mv[pos:]
        return out

    def _seal_into(self, plain: bytes | bytearray | memoryview, dst: memoryview) -> None:
        self._aead.encrypt_into(_nonce(self._prefix, self._index, False), plain, self.header, dst)
        self._index += 1

    def finish(self) -> bytes:
        seg = self._seal(self._buf, last=True)
        self._buf = bytearray()
        return seg

    def _seal(self, plain: bytes | bytearray | memoryview, last: bool) -> bytes:
        seg = self._aead.encrypt(_nonce(self._prefix, self._index, last), plain, self.header)
        self._index += 1
        return seg


def read_header(src: Readable, first: bytes) -> tuple[str, bytes, bytes]:
    """Parse the header whose first bytes (at least ``len(MAGIC) + 2``) were already read:
    (key id, nonce prefix, header bytes)."""
    need = len(MAGIC) + 2
    first = first + read_exact(src, need - len(first)) if len(first) < need else first
    version, kid_len = first[len(MAGIC)], first[len(MAGIC) + 1]
    if version != VERSION:
        raise IntegrityError(f"sealed object of an unknown format version {version}")
    rest_len = kid_len + PREFIX
    rest = first[need:]
    rest = rest + read_exact(src, rest_len - len(rest))
    if len(rest) < rest_len:
        raise IntegrityError("sealed object cut short in its header")
    try:
        key_id = rest[:kid_len].decode("ascii")
    except UnicodeDecodeError:
        raise IntegrityError("sealed object with a damaged header") from None
    hdr = first[:need] + rest[:rest_len]
    return key_id, rest[kid_len:rest_len], hdr


class OpeningReader(InnerStream):
    """A read stream over a sealed object: yields the plaintext, segment by segment, and raises
    IntegrityError if any segment was changed, reordered or the object was cut."""

    def __init__(self, raw: Readable, first: bytes, key_for: Callable[[str], bytes], name: str) -> None:
        self._raw = raw
        self._name = name
        key_id, self._prefix, self._header = read_header(raw, first)
        self._aead = AESGCM(key_for(key_id))
        self._index = 0
        self._pending = read_exact(raw, SEGMENT + TAG)
        self._out = b""
        self._pos = 0
        self._eof = False

    def _next(self) -> None:
        if len(self._pending) < TAG:
            raise IntegrityError(f"{self._name}: sealed object cut short")
        following = read_exact(self._raw, SEGMENT + TAG)
        last = not following
        try:
            self._out = self._aead.decrypt(_nonce(self._prefix, self._index, last), self._pending, self._header)
        except InvalidTag:
            raise IntegrityError(f"{self._name}: sealed object damaged, cut or reordered") from None
        self._pos = 0
        self._index += 1
        self._pending = following
        self._eof = last

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            size = 1 << 62
        parts: list[bytes] = []
        want = size
        while want > 0:
            if self._pos >= len(self._out):
                if self._eof:
                    break
                self._next()
            chunk = self._out[self._pos : self._pos + want] if self._pos or want < len(self._out) else self._out
            self._pos += len(chunk)
            want -= len(chunk)
            parts.append(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)
