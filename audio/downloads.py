"""One file over HTTP(S) into a ``.part`` file: resumed with a Range request after a dropped
connection (in this run or a later one), checked by size and by the published SHA-256 or MD5 (Piper's
voice list publishes MD5 only), cancellable, with progress.

Nothing here starts by itself: the model manager calls :func:`fetch` when the user asked for a model."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from storage.bilingual import Bilingual

CHUNK = 1 << 16
Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)


class DownloadError(Bilingual):
    """The file could not be fetched; the message says why (one line)."""


class DownloadCancelled(DownloadError):
    """The user stopped the download; the ``.part`` file stays for a later resume."""


class ChecksumError(DownloadError):
    """The file arrived but is not the published one; it was deleted."""


class DiskFullError(DownloadError):
    """No space left for the file; the partial file was deleted."""


def _hashes(path: Path, *names: str) -> list[str]:
    hs = [hashlib.new(n, usedforsecurity=False) if n == "md5" else hashlib.new(n) for n in names]
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            for h in hs:
                h.update(block)
    return [h.hexdigest() for h in hs]


def digests_of(path: Path) -> tuple[str, str]:
    """(SHA-256, MD5) of the file, read once."""
    sha, md5 = _hashes(path, "sha256", "md5")
    return sha, md5


def sha256_of(path: Path) -> str:
    return _hashes(path, "sha256")[0]


def _total(resp: httpx.Response, have: int) -> int | None:
    if resp.status_code == 206:
        rng = resp.headers.get("content-range", "")  # bytes a-b/total
        tail = rng.rsplit("/", 1)[-1]
        return int(tail) if tail.isdigit() else None
    length = resp.headers.get("content-length")
    return int(length) if length and length.isdigit() else None


def _one_pass(
    client: httpx.Client, url: str, part: Path, progress: Progress | None, cancel: threading.Event | None
) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with client.stream("GET", url, headers=headers) as resp:
        if resp.status_code == 416 and have:  # nothing left to send: the file is complete
            return
        if resp.status_code not in (200, 206):
            raise DownloadError(f"the model host answered {resp.status_code} for {url}",
                                de=f"der Modellserver antwortete {resp.status_code} für {url}")
        mode = "ab" if resp.status_code == 206 else "wb"  # 200: the server ignored Range, start over
        done = have if mode == "ab" else 0
        total = _total(resp, have)
        with part.open(mode) as out:
            for block in resp.iter_bytes(CHUNK):
                if cancel is not None and cancel.is_set():
                    raise DownloadCancelled("download cancelled")
                out.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
            out.flush()
            os.fsync(out.fileno())


def fetch(
    url: str,
    part: Path,
    *,
    sha256: str | None,
    md5: str | None = None,
    size: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    retries: int = 3,
    timeout_s: float = 30.0,
) -> str:
    """Download ``url`` into ``part`` (appending to what is there) and return the file's SHA-256.

    A dropped connection is resumed up to ``retries`` times; a size, SHA-256 or MD5 mismatch deletes the
    file (ChecksumError); a full disk deletes it (DiskFullError); a cancel keeps it (DownloadCancelled)."""
    part.parent.mkdir(parents=True, exist_ok=True)
    attempts = 0
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=True, trust_env=False) as client:
            while True:
                try:
                    _one_pass(client, url, part, progress, cancel)
                    break
                except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
                    attempts += 1
                    if attempts > retries:
                        why = exc or type(exc).__name__
                        raise DownloadError(f"the download of {url} failed: {why}",
                                            de=f"der Download von {url} ist fehlgeschlagen: {why}") from None
                    if cancel is not None and cancel.is_set():
                        raise DownloadCancelled("download cancelled") from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            part.unlink(missing_ok=True)
            raise DiskFullError(f"no space left on the disk for {part.name.removesuffix('.part')}") from None
        raise
    got = part.stat().st_size
    name = part.name.removesuffix(".part")
    if size is not None and got != size:
        part.unlink(missing_ok=True)
        raise ChecksumError(f"{name} has {got} bytes, expected {size}: deleted")
    digest, md5_digest = digests_of(part)
    if sha256 is not None and digest != sha256:
        part.unlink(missing_ok=True)
        raise ChecksumError(f"{name} does not match its published SHA-256: deleted")
    if md5 is not None and md5_digest != md5:
        part.unlink(missing_ok=True)
        raise ChecksumError(f"{name} does not match its published MD5: deleted")
    return digest
