"""The sealed-blob format: AES-256-GCM in segments, streamed in bounded memory.

Layout (all of it authenticated)::

    header   MAGIC (6 bytes "PAENC\\x00") | version (1 byte) | key id length (1 byte) | key id (ASCII)
             | nonce prefix (7 random bytes, new for every object)
    segments ciphertext of up to SEGMENT plaintext bytes + 16-byte tag, one after the other

The version says the segment size: 1 = 64 KiB (written until 2026-12), 2 = 1 MiB (written now). Both
are read; a larger segment costs sixteen times fewer Python calls per megabyte, which is what made
version 1 slow on a fast disk (AES-GCM itself runs at ~10 GB/s).

Segment ``i`` is sealed with the nonce ``prefix | i (4 bytes, big-endian) | last (1 byte: 1 for the
final segment, else 0)`` and the whole header as associated data. A segment moved, dropped, repeated,
or the object cut after a segment fails authentication: the last segment says it is the last, and a
counter mismatch changes the nonce. An empty object is one empty final segment. This is the STREAM
construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015) with a per-object random prefix; one data key
seals at most 2^32 segments per object (4 PiB) and, with 56-bit random prefixes, far more objects
than a household writes before a rotation.

Objects that do not start with MAGIC are plaintext from before encryption was turned on:
``is_sealed`` tells them apart and readers pass them through unchanged."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.base import InnerStream, Readable, read_exact
from storage.blocks import Blocks, blocks_of
from storage.errors import IntegrityError

MAGIC = b"PAENC\x00"
SEGMENTS = {1: 64 << 10, 2: 1 << 20}  # plaintext bytes per segment, by format version
VERSION = 2  # the version written
SEGMENT = SEGMENTS[VERSION]
TAG = 16
PREFIX = 7
MAX_KEY_ID = 64


class KeyUnavailableError(IntegrityError):
    """The object names a data key this installation does not hold (or the key is wrong)."""


@dataclass(frozen=True)
class Header:
    key_id: str
    prefix: bytes  # the object's nonce prefix
    raw: bytes  # the header as stored: the associated data of every segment
    segment: int  # plaintext bytes per segment (by the format version)


def header(key_id: str, prefix: bytes, version: int = VERSION) -> bytes:
    kid = key_id.encode("ascii")
    if not 0 < len(kid) <= MAX_KEY_ID or len(prefix) != PREFIX or version not in SEGMENTS:
        raise ValueError("bad key id, nonce prefix or version")
    return MAGIC + bytes([version, len(kid)]) + kid + prefix


def is_sealed(first_bytes: bytes) -> bool:
    return first_bytes.startswith(MAGIC)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 1 << 32:
        raise ValueError("object too large for one data key (2^32 segments)")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class Sealer:
    """Turns plaintext into sealed segments: pushed in any pieces (``push``, then ``finish`` seals the
    last one), or segment by segment (``seal_into``) by a caller that knows which one is the last.
    ``version`` 1 is for tests of the older format only."""

    def __init__(self, key_id: str, key: bytes, prefix: bytes, version: int = VERSION) -> None:
        self._aead = AESGCM(key)
        self._prefix = prefix
        self.header = header(key_id, prefix, version)
        self.segment = SEGMENTS[version]
        self._buf = bytearray()
        self._index = 0
        self.finished = False

    def push(self, data: bytes | bytearray | memoryview) -> bytearray:
        """The sealed segments that are complete now, back to back in one new buffer (empty if none);
        the final segment is held back until ``finish``. The buffer is the caller's: nothing here
        touches it again."""
        seg = self.segment
        mv = memoryview(data).cast("B")
        pos = 0
        head: bytearray | None = None
        if self._buf:  # top up the segment begun by the last push
            pos = min(seg - len(self._buf), mv.nbytes)
            self._buf += mv[:pos]
            if len(self._buf) < seg or pos == mv.nbytes:
                return bytearray()  # a full segment is sealed only once more data follows: the last one is known
            head, self._buf = self._buf, bytearray()
        # a full segment is sealed only once more data follows it, so the final segment is always known
        n = (mv.nbytes - pos - 1) // seg if mv.nbytes - pos > seg else 0
        out = bytearray((n + (head is not None)) * (seg + TAG))
        view = memoryview(out)
        at = 0
        if head is not None:
            self.seal_into(head, False, view[: seg + TAG])
            at = seg + TAG
        for _ in range(n):  # whole segments straight from the caller's buffer into the output
            self.seal_into(mv[pos : pos + seg], False, view[at : at + seg + TAG])
            pos += seg
            at += seg + TAG
        self._buf += mv[pos:]
        return out

    def seal_into(self, plain: bytes | bytearray | memoryview, last: bool, dst: memoryview) -> None:
        """Seal the next segment (``segment`` bytes unless it is the last) into ``dst`` (its size + TAG)."""
        if self.finished:
            raise ValueError("the sealed object is already complete")
        self._aead.encrypt_into(_nonce(self._prefix, self._index, last), plain, self.header, dst)
        self._index += 1
        self.finished = last

    def finish(self) -> bytes:
        if self.finished:
            raise ValueError("the sealed object is already complete")
        seg = self._aead.encrypt(_nonce(self._prefix, self._index, True), self._buf, self.header)
        self._buf = bytearray()
        self._index += 1
        self.finished = True
        return seg


def read_header(src: Readable, first: bytes) -> Header:
    """Parse the header whose first bytes (at least ``len(MAGIC) + 2``) were already read."""
    need = len(MAGIC) + 2
    first = first + read_exact(src, need - len(first)) if len(first) < need else first
    if len(first) < need:
        raise IntegrityError("sealed object cut short in its header")
    version, kid_len = first[len(MAGIC)], first[len(MAGIC) + 1]
    if version not in SEGMENTS:
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
    return Header(key_id, rest[kid_len:rest_len], first[:need] + rest[:rest_len], SEGMENTS[version])


class SegmentOpener:
    """Opens the segments of one sealed object (by index; the last one says so in its nonce)."""

    def __init__(self, hdr: Header, key: bytes, name: str) -> None:
        self._aead = AESGCM(key)
        self._hdr = hdr
        self._name = name

    def open(self, index: int, sealed: bytes | bytearray | memoryview, last: bool) -> bytes:
        if len(sealed) < TAG:
            raise IntegrityError(f"{self._name}: sealed object cut short")
        try:
            return self._aead.decrypt(_nonce(self._hdr.prefix, index, last), sealed, self._hdr.raw)
        except InvalidTag:
            raise IntegrityError(f"{self._name}: sealed object damaged, cut or reordered") from None


class OpeningReader(InnerStream):
    """A read stream over a sealed object: yields the plaintext, segment by segment, and raises
    IntegrityError if any segment was changed, reordered or the object was cut (before it hands
    out anything of that segment). From the second segment on, segments come from ``storage.blocks``:
    mapped (a local file) or read ahead on a helper thread while this one is decrypted."""

    def __init__(self, raw: Readable, first: bytes, key_for: Callable[[str], bytes], name: str) -> None:
        self._raw = raw
        hdr = read_header(raw, first)
        self._opener = SegmentOpener(hdr, key_for(hdr.key_id), name)
        self._sealed_size = hdr.segment + TAG
        self._index = 0
        self._pending: memoryview | bytes = read_exact(raw, self._sealed_size)
        self._ahead: Blocks | None = None
        self._out = b""
        self._pos = 0
        self._eof = False

    def _following(self) -> memoryview | bytes:
        if len(self._pending) < self._sealed_size:
            return b""  # the segment in hand was a short one: the stream has ended
        if self._ahead is None:
            self._ahead = blocks_of(self._raw, self._sealed_size)
        return self._ahead.next()

    def _next(self) -> None:
        following = self._following()
        last = not following
        try:
            self._out = self._opener.open(self._index, self._pending, last)
        finally:
            if self._ahead is not None and self._index > 0:  # the first segment was read here, not ahead
                self._ahead.release(self._pending)
            self._pending = following
        self._pos = 0
        self._index += 1
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

    def close(self) -> None:
        if self._ahead is not None:
            if self._index > 0 and self._pending:  # the segment in hand came from there: unmapped now
                self._ahead.release(self._pending)
            self._pending = b""
            self._ahead.close()
            self._ahead = None
        super().close()
