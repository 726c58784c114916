"""Offline spool: when the NAS or the cloud is unreachable, writes land on local disk and are
replayed in order when it is back. Nothing is lost; ``personal-agent storage status`` shows what
is pending.

Layout of a spool folder (one per remote backend)::

    queue/<seq>.json   one entry per pending put/delete (written atomically, fsynced)
    data/<seq>.bin     the bytes of a pending put
    replay.lock        held (flock) by whoever replays, so two processes never replay at once

A streaming write (the recorder's) tees every chunk to the remote writer and to a spool file. If
the remote fails mid-stream, the write goes on into the spool alone and the object is queued on
close; if the remote takes it, the spool copy is dropped. While anything is pending, new writes go
to the queue behind it, so replay keeps the order in which the app wrote."""

from __future__ import annotations

import builtins
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from storage.base import Backend, BlobWriter, ReadStream
from storage.errors import ConflictError, IntegrityError, NotFoundError, StorageError, UnreachableError
from storage.keys import normalize_key, normalize_prefix
from storage.local import _fsync_dir
from storage.models import ObjectInfo, WriteResult

log = logging.getLogger(__name__)


class SpoolEntry(BaseModel):
    seq: str
    op: Literal["put", "delete"]
    key: str
    size: int = Field(0, ge=0)
    sha256: str = ""
    created: datetime
    attempts: int = 0
    last_error: str | None = None


class SpoolSummary(BaseModel):
    location: str
    pending: int
    bytes: int
    oldest: datetime | None
    last_error: str | None
    entries: list[SpoolEntry]


_counter = 0
_counter_lock = threading.Lock()


def _next_seq() -> str:
    global _counter
    with _counter_lock:
        _counter += 1
        return f"{time.time_ns():020d}-{os.getpid():07d}-{_counter:06d}"


class Spool:
    """The queue on disk. Safe across threads and processes (atomic files, flock for replay)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.queue_dir = self.root / "queue"
        self.data_dir = self.root / "data"
        for d in (self.queue_dir, self.data_dir):
            d.mkdir(parents=True, exist_ok=True)

    def data_path(self, seq: str) -> Path:
        return self.data_dir / f"{seq}.bin"

    def new_data_file(self) -> tuple[str, Path]:
        seq = _next_seq()
        return seq, self.data_path(seq)

    def _write_entry(self, entry: SpoolEntry) -> None:
        final = self.queue_dir / f"{entry.seq}.json"
        tmp = final.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(entry.model_dump_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(self.queue_dir)

    def enqueue(self, entry: SpoolEntry) -> SpoolEntry:
        self._write_entry(entry)
        return entry

    def update(self, entry: SpoolEntry) -> None:
        if (self.queue_dir / f"{entry.seq}.json").exists():
            self._write_entry(entry)

    def pending(self) -> builtins.list[SpoolEntry]:
        out: builtins.list[SpoolEntry] = []
        for p in sorted(self.queue_dir.glob("*.json")):
            try:
                out.append(SpoolEntry.model_validate_json(p.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:  # never drop an entry silently
                log.error("unreadable spool entry %s: %s", p, exc)
        return out

    def remove(self, entry: SpoolEntry) -> None:
        (self.queue_dir / f"{entry.seq}.json").unlink(missing_ok=True)
        self.data_path(entry.seq).unlink(missing_ok=True)

    def orphans(self) -> builtins.list[Path]:
        """Data files without a queue entry (a crash while spooling): kept, reported, never replayed."""
        known = {p.stem for p in self.queue_dir.glob("*.json")}
        return [p for p in self.data_dir.glob("*.bin") if p.stem not in known]

    def latest_for(self, key: str) -> SpoolEntry | None:
        hits = [e for e in self.pending() if e.key == key]
        return hits[-1] if hits else None

    def summary(self) -> SpoolSummary:
        entries = self.pending()
        return SpoolSummary(
            location=str(self.root),
            pending=len(entries),
            bytes=sum(e.size for e in entries),
            oldest=entries[0].created if entries else None,
            last_error=next((e.last_error for e in entries if e.last_error), None),
            entries=entries,
        )

    @contextmanager
    def replay_lock(self, wait: bool) -> Iterator[bool]:
        with open(self.root / "replay.lock", "a+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class SpoolingWriter(BlobWriter):
    """Tees to the remote (while it works and nothing is queued) and to a local spool file."""

    def __init__(self, owner: SpooledBackend, key: str) -> None:
        super().__init__(key)
        self._o = owner
        self._seq, self._path = owner.spool.new_data_file()
        self._fh = open(self._path, "xb")  # noqa: SIM115  (closed in commit/abort)
        self._remote: BlobWriter | None = None
        if not owner.spool.pending():
            try:
                self._remote = owner.remote.open_write(key)
            except ConflictError:
                self._abort()
                raise
            except StorageError as exc:  # unreachable, login refused, ...: the spool keeps the data
                log.warning("%s: %s; spooling %s", owner.remote.location, exc, key)

    def _write(self, data: memoryview) -> None:
        self._fh.write(data)
        if self._remote is not None:
            try:
                self._remote.write(data)
            except StorageError as exc:
                log.warning("%s failed mid-write, spooling %s: %s", self._o.remote.location, self.key, exc)
                self._drop_remote()

    def _drop_remote(self) -> None:
        if self._remote is not None:
            try:
                self._remote.abort()
            except Exception as exc:
                log.debug("abort remote writer: %s", exc)
            self._remote = None

    def _commit(self) -> WriteResult:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        _fsync_dir(self._path.parent)
        sha = self.sha256
        if self._remote is not None:
            try:
                res = self._remote.close()
                if res.sha256 == sha and res.size == self.size:
                    self._path.unlink(missing_ok=True)
                    return WriteResult(key=self.key, size=self.size, sha256=sha)
                log.error("remote stored a different checksum for %s; spooling", self.key)
            except StorageError as exc:
                log.warning("%s failed on commit, spooling %s: %s", self._o.remote.location, self.key, exc)
            self._remote = None
        entry = SpoolEntry(seq=self._seq, op="put", key=self.key, size=self.size, sha256=sha,
                           created=datetime.now(UTC))
        self._o.spool.enqueue(entry)
        self._o.replay(wait=False)
        still = (self._o.spool.queue_dir / f"{entry.seq}.json").exists()
        return WriteResult(key=self.key, size=self.size, sha256=sha, spooled=still)

    def _abort(self) -> None:
        self._drop_remote()
        try:
            self._fh.close()
        finally:
            self._path.unlink(missing_ok=True)


class SpooledBackend(Backend):
    """A remote backend (SMB, S3) behind an offline spool."""

    def __init__(self, remote: Backend, spool: Spool) -> None:
        self.remote = remote
        self.spool = spool
        self.kind = remote.kind
        self._bg: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def location(self) -> str:
        return self.remote.location

    # -- replay -------------------------------------------------------------------------------------
    def replay(self, wait: bool = True) -> int:
        """Send pending entries in order; stop at the first failure (order is kept). Returns how many
        were sent. ``wait=False`` returns at once if another thread/process is replaying."""
        sent = 0
        with self.spool.replay_lock(wait) as got:
            if not got:
                return 0
            for entry in self.spool.pending():
                try:
                    self._send(entry)
                except StorageError as exc:
                    entry.attempts += 1
                    entry.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    self.spool.update(entry)
                    log.info("replay of %s stopped: %s", entry.key, exc)
                    break
                self.spool.remove(entry)
                sent += 1
        return sent

    def _send(self, entry: SpoolEntry) -> None:
        if entry.op == "delete":
            with suppress(NotFoundError):
                self.remote.delete(entry.key)
            return
        path = self.spool.data_path(entry.seq)
        with open(path, "rb") as fh:
            res = self.remote.write_from(entry.key, fh)
        if res.sha256 != entry.sha256 or res.size != entry.size:
            raise IntegrityError(f"{entry.key}: spool file does not match its recorded checksum")
        if self.remote.stat(entry.key, checksum=False).size != entry.size:
            raise IntegrityError(f"{entry.key}: remote size differs after replay")

    def start_background_replay(self, interval_s: float = 30.0) -> None:
        """Retry pending entries in a daemon thread: once at once (entries may wait from the last
        session), then every ``interval_s``, until ``close()``. The running app starts this
        (``storage.backends.start_spool_replay``); replay holds the spool's lock, so a CLI
        ``storage replay`` at the same time is harmless."""
        if self._bg is not None:
            return
        self._stop.clear()

        def loop() -> None:
            delay = 0.0
            while not self._stop.wait(delay):
                delay = interval_s
                if self.spool.pending():
                    try:
                        self.replay(wait=False)
                    except Exception as exc:  # keep the thread alive
                        log.warning("background replay: %s", exc)

        self._bg = threading.Thread(target=loop, name="storage-spool-replay", daemon=True)
        self._bg.start()

    def summary(self) -> SpoolSummary:
        return self.spool.summary()

    # -- interface ----------------------------------------------------------------------------------
    def open_write(self, key: str) -> SpoolingWriter:
        return SpoolingWriter(self, normalize_key(key))

    def open_read(self, key: str) -> ReadStream:
        key = normalize_key(key)
        entry = self.spool.latest_for(key)
        if entry is not None:
            if entry.op == "delete":
                raise NotFoundError(f"{key}: deleted (pending in the spool)")
            return open(self.spool.data_path(entry.seq), "rb")
        return self.remote.open_read(key)

    def stat(self, key: str, checksum: bool = True) -> ObjectInfo:
        key = normalize_key(key)
        entry = self.spool.latest_for(key)
        if entry is not None:
            if entry.op == "delete":
                raise NotFoundError(f"{key}: deleted (pending in the spool)")
            return ObjectInfo(key=key, size=entry.size, modified=entry.created,
                              sha256=entry.sha256 if checksum else None)
        return self.remote.stat(key, checksum)

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        entry = self.spool.latest_for(key)
        if entry is not None and entry.op == "delete":
            raise NotFoundError(f"{key}: already deleted (pending in the spool)")
        if entry is None and not self.spool.pending():
            try:
                self.remote.delete(key)
                return
            except UnreachableError as exc:
                log.warning("%s unreachable, spooling delete of %s: %s", self.remote.location, key, exc)
        self.spool.enqueue(SpoolEntry(seq=_next_seq(), op="delete", key=key, created=datetime.now(UTC)))
        self.replay(wait=False)

    def list(self, prefix: str = "") -> builtins.list[str]:
        prefix = normalize_prefix(prefix)
        keys = set(self.remote.list(prefix))
        for e in self.spool.pending():
            if e.key.startswith(prefix):
                if e.op == "put":
                    keys.add(e.key)
                else:
                    keys.discard(e.key)
        return sorted(keys)

    def close(self) -> None:
        self._stop.set()
        if self._bg is not None:
            self._bg.join(timeout=5)
            self._bg = None
        self.remote.close()
