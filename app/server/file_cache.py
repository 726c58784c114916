"""Folders of files the server can make again (spoken replies, recordings rendered to one WAV): a file
not used for ``max_age`` is deleted, so they do not fill the disk over months. Using a file (serving it)
marks it used; the folder is swept at most every ``every`` (on a save), so a sweep costs nothing per
request."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)
DAY_S = 24 * 3600.0


class FileCache:
    def __init__(self, root: Path, max_age_s: float = DAY_S, every_s: float = 600.0) -> None:
        self.root = root
        self.max_age_s = max_age_s
        self.every_s = every_s
        self._last_sweep = 0.0
        self._lock = threading.Lock()

    @staticmethod
    def used(path: Path) -> None:
        """Mark a file as just used (its age counts from now)."""
        with contextlib.suppress(OSError):
            os.utime(path)

    def sweep(self, now: float | None = None) -> int:
        """Delete files (finished or left half-written) not used for ``max_age_s``; how many went."""
        now = time.time() if now is None else now
        gone = 0
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return 0
        for e in entries:
            try:
                if e.is_file() and now - e.stat().st_mtime > self.max_age_s:
                    os.unlink(e.path)
                    gone += 1
            except OSError as exc:  # vanished meanwhile, or not ours to delete: leave it
                log.debug("cache sweep %s: %s", e.path, exc)
        if gone:
            log.info("removed %d unused file(s) from %s", gone, self.root)
        return gone

    def maybe_sweep(self) -> None:
        """Sweep if the last sweep is older than ``every_s`` (call it where files are made)."""
        with self._lock:
            if time.monotonic() - self._last_sweep < self.every_s and self._last_sweep:
                return
            self._last_sweep = time.monotonic()
        self.sweep()
