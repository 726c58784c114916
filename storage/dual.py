"""Dual-write during a migration: every new write goes to the primary and to the target, reads come
from the primary. The target is normally spooled, so an unreachable target loses nothing."""

from __future__ import annotations

import builtins
import logging

from storage.base import Backend, BlobWriter, ReadStream
from storage.errors import NotFoundError, StorageError
from storage.models import ObjectInfo, WriteResult

log = logging.getLogger(__name__)


class DualWriter(BlobWriter):
    def __init__(self, primary: BlobWriter, secondary: BlobWriter | None) -> None:
        super().__init__(primary.key)
        self._p = primary
        self._s = secondary

    def _write(self, data: memoryview) -> None:
        self._p.write(data)
        if self._s is not None:
            try:
                self._s.write(data)
            except StorageError as exc:  # the migration's copy pass will bring it over
                log.warning("dual-write to the migration target failed for %s: %s", self.key, exc)
                self._s.abort()
                self._s = None

    def _commit(self) -> WriteResult:
        res = self._p.close()
        if self._s is not None:
            try:
                self._s.close()
            except StorageError as exc:
                log.warning("dual-write commit to the migration target failed for %s: %s", self.key, exc)
        return res

    def _abort(self) -> None:
        self._p.abort()
        if self._s is not None:
            self._s.abort()


class DualWriteBackend(Backend):
    def __init__(self, primary: Backend, secondary: Backend) -> None:
        self.primary = primary
        self.secondary = secondary
        self.kind = primary.kind

    @property
    def location(self) -> str:
        return f"{self.primary.location} (+ dual-write to {self.secondary.location})"

    def open_write(self, key: str) -> DualWriter:
        primary = self.primary.open_write(key)
        try:
            secondary: BlobWriter | None = self.secondary.open_write(key)
        except StorageError as exc:
            log.warning("dual-write target refused %s: %s", key, exc)
            secondary = None
        return DualWriter(primary, secondary)

    def open_read(self, key: str) -> ReadStream:
        return self.primary.open_read(key)

    def stat(self, key: str, checksum: bool = True) -> ObjectInfo:
        return self.primary.stat(key, checksum)

    def delete(self, key: str) -> None:
        self.primary.delete(key)
        try:
            self.secondary.delete(key)
        except NotFoundError:
            pass
        except StorageError as exc:
            log.warning("dual-write delete on the migration target failed for %s: %s", key, exc)

    def list(self, prefix: str = "") -> builtins.list[str]:
        return self.primary.list(prefix)

    def close(self) -> None:
        self.primary.close()
        self.secondary.close()
