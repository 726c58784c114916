"""Login rate limiting: at most N failures per (name, client address) in a sliding window; then
429 until the oldest failure leaves the window. In memory: one server process (see DEPLOYMENT.md)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed attempts; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class FailureLimiter:
    def __init__(self, attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _limits(self, name: str, client: str) -> list[tuple[tuple[str, str], int]]:
        """(key, limit): one name from one address; one name from anywhere (distributed guessing);
        one address trying many names (spraying)."""
        n = name.lower()
        return [((n, client), self.attempts), ((n, "*"), self.attempts * 4), (("*", client), self.attempts * 10)]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def reserve(self, name: str, client: str) -> None:
        """Check the limits and count this attempt as failed in one step (before the password is
        checked), so a burst of concurrent attempts cannot pass the check together; ``succeeded``
        takes it back. RateLimited if any of the limits is reached."""
        now = self.clock()
        with self._lock:
            keys = self._limits(name, client)
            for key, limit in keys:
                q = self._recent(key, now)
                if len(q) >= limit:
                    raise RateLimited(max(1, int(q[0] + self.window_s - now) + 1))
            for key, _limit in keys:
                self._recent(key, now).append(now)

    def check(self, name: str, client: str) -> None:
        """Raise RateLimited if any of the limits is reached."""
        now = self.clock()
        with self._lock:
            for key, limit in self._limits(name, client):
                q = self._recent(key, now)
                if len(q) >= limit:
                    raise RateLimited(max(1, int(q[0] + self.window_s - now) + 1))

    def failed(self, name: str, client: str) -> None:
        now = self.clock()
        with self._lock:
            for key, _limit in self._limits(name, client):
                self._recent(key, now).append(now)

    def release(self, name: str, client: str) -> None:
        """Take back a reservation whose password was never checked."""
        now = self.clock()
        with self._lock:
            for key, _limit in self._limits(name, client):
                q = self._recent(key, now)
                if q:
                    q.pop()

    def succeeded(self, name: str, client: str) -> None:
        """The attempt reserved for (name, client) worked: it is no failure anywhere, and the
        failures of this name from this address are forgotten."""
        self.release(name, client)
        with self._lock:
            self._failures.pop((name.lower(), client), None)
