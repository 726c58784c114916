"""One background listener per user: it holds a lock file in the app's cache folder while it runs, so a
second ``personal-agent listen`` (which would open the microphone twice) is refused with one line."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from filelock import FileLock, Timeout


class AlreadyRunning(Exception):
    """Another listener of this user runs; the message says which process."""


class SingleInstance:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.lock_file = folder / "listen.lock"
        self.pid_file = folder / "listen.pid"
        self._lock = FileLock(self.lock_file)

    def acquire(self) -> SingleInstance:
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            pid = self.running_pid()
            who = f" (process {pid})" if pid else ""
            raise AlreadyRunning(f"the listener is already running{who}: only one can use the microphone") from None
        self.pid_file.write_text(str(os.getpid()))
        return self

    def running_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._lock.is_locked:
            self.pid_file.unlink(missing_ok=True)
            self._lock.release()


def running_listener(folder: Path) -> int | None:
    """Whether this user's listener runs (another process holds its lock): its process id (0 when it is
    not known), or None. The lock is taken for an instant only when it is free."""
    if not folder.is_dir():
        return None
    lock = FileLock(folder / "listen.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return SingleInstance(folder).running_pid() or 0
    lock.release()
    return None


def channel_path(folder: Path) -> Path:
    """Where this user's listener takes requests (its control channel, a Unix socket): in the user's
    runtime folder (``XDG_RUNTIME_DIR``, the user's own) when there is one, else beside the lock; named
    after the app's folder, so two set-ups of one user do not meet. A path too long for a socket goes to
    an owner-only folder in the temp folder."""
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    path = Path(runtime) / f"personal-agent-listen-{digest}.sock" if runtime and Path(runtime).is_dir() \
        else folder / "listen.sock"
    if len(os.fsencode(path)) < 100:
        return path
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"personal-agent-{uid}" / f"listen-{digest}.sock"
