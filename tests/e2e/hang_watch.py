"""A browser page that stops answering fails its test in minutes, saying so, instead of hanging it.

A Playwright query such as ``locator.count()`` has no time-out: when the page's renderer stops
answering, the call waits for ever (CI, stop 35: ``nav``'s ``tab.count()`` on the phone-sized Finance
page waited until pytest-timeout's 900 s, with the app's server idle). While a browser of these tests is
open, every Playwright call is timed; one that has not returned after ``HUNG_AFTER_S`` (longer than any
time-out these tests give a single call, 120 s) ends the browser, which makes the call raise, and the
test fails with :class:`BrowserHung`, naming the call and how busy the browser's processes were.
pytest-rerunfailures runs such a test once more (``--only-rerun BrowserHung``, pyproject.toml): only a
hung browser, never a failed assertion, gets a second run, and the report shows the rerun."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HUNG_AFTER_S = 240.0
CHECK_EVERY_S = 5.0


class BrowserHung(RuntimeError):
    """The browser did not answer one call within HUNG_AFTER_S and was ended."""


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def browser_processes() -> list[int]:
    """This process's descendants that are Chromium (Playwright's driver starts them)."""
    kids, found, todo = _children(), [], [os.getpid()]
    while todo:
        for pid in kids.get(todo.pop(), []):
            todo.append(pid)
            try:
                if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                    found.append(pid)
            except OSError:
                continue
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _kind(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()  # Chromium rewrites its title
    except OSError:
        return "gone"
    for arg in args:
        if arg.startswith(b"--type="):
            return arg[7:].decode(errors="replace")
    return "browser"


def busy(pids: list[int], seconds: float = 1.0) -> str:
    """How much CPU each browser process used over ``seconds``: "renderer 100 %, gpu-process 0 %, …"."""
    hz = os.sysconf("SC_CLK_TCK")
    before = {pid: _cpu_ticks(pid) for pid in pids}
    time.sleep(seconds)
    return ", ".join(f"{_kind(pid)} {100 * (_cpu_ticks(pid) - before[pid]) / hz / seconds:.0f} %" for pid in pids)


class _Calls:
    """The Playwright calls in flight, per thread: when the outermost one started and what it was."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: dict[int, tuple[float, str, int]] = {}  # thread -> (started, call, depth)
        self.ended: dict[int, str] = {}  # thread -> why its browser was ended during its call

    def enter(self, name: str) -> None:
        me = threading.get_ident()
        with self.lock:
            started, call, depth = self.open.get(me, (time.monotonic(), name, 0))
            self.open[me] = (started, call, depth + 1)

    def leave(self) -> str | None:
        me = threading.get_ident()
        with self.lock:
            started, call, depth = self.open[me]
            if depth > 1:
                self.open[me] = (started, call, depth - 1)
                return None
            del self.open[me]
            return self.ended.pop(me, None)

    def overdue(self, limit: float) -> list[tuple[int, str, float]]:
        now = time.monotonic()
        with self.lock:
            return [(t, call, now - started) for t, (started, call, _) in self.open.items()
                    if now - started > limit and t not in self.ended]


_calls = _Calls()
_users = 0  # browsers open under watch
_users_lock = threading.Lock()
_uninstall: Callable[[], None] | None = None


def _install() -> Callable[[], None]:
    from playwright._impl import _sync_base

    original = _sync_base.SyncBase._sync

    def timed(self: Any, awaitable: Any) -> Any:
        __tracebackhide__ = True
        frame = getattr(awaitable, "cr_code", None)
        _calls.enter(f"{type(self).__name__}.{getattr(frame, 'co_name', '?')}")
        try:
            result = original(self, awaitable)
        except BaseException as e:
            why = _calls.leave()
            if why:
                raise BrowserHung(why) from e
            raise
        why = _calls.leave()
        if why:
            raise BrowserHung(why)
        return result

    _sync_base.SyncBase._sync = timed  # type: ignore[method-assign]

    def uninstall() -> None:
        _sync_base.SyncBase._sync = original  # type: ignore[method-assign]

    return uninstall


@contextmanager
def watched(limit: float = HUNG_AFTER_S) -> Iterator[None]:
    """Time every Playwright call while this is open; end the browsers when one is overdue."""
    global _users, _uninstall
    with _users_lock:
        _users += 1
        if _uninstall is None:
            _uninstall = _install()
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(CHECK_EVERY_S):
            for thread, call, waited in _calls.overdue(limit):
                pids = browser_processes()
                why = (f"the browser did not answer {call} for {waited:.0f} s and was ended; "
                       f"CPU of its processes over 1 s: {busy(pids) or 'none left'}")
                with _calls.lock:
                    _calls.ended[thread] = why
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        continue

    watcher = threading.Thread(target=watch, name="browser-hang-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        with _users_lock:
            _users -= 1
            if _users == 0 and _uninstall is not None:
                _uninstall()
                _uninstall = None
