"""Limits on sign-in and pairing attempts that slow a guesser down without locking out whoever knows
the password (docs/DEPLOYMENT.md, "Rate limits"). In memory: one server process.

Sign-in, with N = ``server.login_attempts`` (5) and the longest wait ``server.login_window_s`` (300 s):

- one name from one address: N failures are free; after that each attempt must wait 1 s, 2 s, 4 s ...
  (doubling, at most the longest wait) after the last failure. A success from there forgets them.
- one name from any address (distributed guessing): 4 N free, then the same waits, for every address
  except those the name has signed in from before ("known"), so the user's own devices stay in.
- one address trying any names (spraying): 10 N free, then the same waits, again except known pairs.

Pairing: N failures free per address, then the waits; once 4 N codes failed from anywhere, an address
that failed once already waits from its first failure (an address that never failed gets its try).

An attempt is counted as failed *before* the password or code is checked (``reserve``), so a burst of
concurrent attempts cannot pass the check together; ``succeeded`` and ``release`` take it back.
Counters are forgotten after a day without failures; the table is bounded.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from storage.bilingual import Bilingual

FORGET_S = 86400.0  # a counter with no failure for a day is dropped
KNOWN_S = 30 * 86400.0  # a name stays known at an address for 30 days after its last sign-in there
MAX_KEYS = 100_000
Key = tuple[str, str]


class RateLimited(Bilingual):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed attempts; try again in {retry_after_s} s",
                         de=f"zu viele fehlgeschlagene Versuche; in {retry_after_s} s noch einmal versuchen")
        self.retry_after_s = retry_after_s


@dataclass
class _Counter:
    failures: int
    last: float


class FailureLimiter:
    def __init__(self, attempts: int, max_delay_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_KEYS) -> None:
        self.attempts = attempts
        self.max_delay_s = max_delay_s
        self.clock = clock
        self.max_keys = max_keys
        self._counters: dict[Key, _Counter] = {}
        self._known: dict[Key, float] = {}
        self._lock = threading.Lock()
        self._pruned = 0.0

    # ------------------------------------------------------------------ policy
    def _keys(self, name: str, client: str, now: float) -> list[tuple[Key, int, bool]]:
        """(key, free failures, whether its wait applies to this attempt)."""
        n = name.lower()
        known = now - self._known.get((n, client), -math.inf) <= KNOWN_S
        return [((n, client), self.attempts, True), ((n, "*"), self.attempts * 4, not known),
                (("*", client), self.attempts * 10, not known)]

    def delay(self, failures: int, free: int) -> float:
        """How long after the last of ``failures`` failures the next attempt must wait."""
        if failures < free:
            return 0.0
        return float(min(self.max_delay_s, 2.0 ** min(failures - free, 62)))

    # ------------------------------------------------------------------ counting
    def _failures(self, key: Key, now: float) -> int:
        c = self._counters.get(key)
        if c is None:
            return 0
        if now - c.last > FORGET_S:
            del self._counters[key]
            return 0
        return c.failures

    def _wait(self, key: Key, free: int, now: float) -> float:
        failures = self._failures(key, now)
        return 0.0 if failures == 0 else max(0.0, self._counters[key].last + self.delay(failures, free) - now)

    def is_known(self, name: str, client: str) -> bool:
        """Whether ``name`` signed in from ``client`` in the last KNOWN_S seconds."""
        with self._lock:
            return self.clock() - self._known.get((name.lower(), client), -math.inf) <= KNOWN_S

    def reserve(self, name: str, client: str) -> None:
        """Count this attempt as failed unless it has to wait; RateLimited (with the wait) if it has."""
        now = self.clock()
        with self._lock:
            self._prune(now)
            keys = self._keys(name, client, now)
            wait = max(self._wait(key, free, now) for key, free, applies in keys if applies)
            if wait > 0:
                raise RateLimited(max(1, math.ceil(wait)))
            for key, _free, _applies in keys:
                c = self._counters.setdefault(key, _Counter(0, now))
                c.failures += 1
                c.last = now

    def release(self, name: str, client: str) -> None:
        """Take back a reservation whose password was never checked."""
        now = self.clock()
        with self._lock:
            for key, _free, _applies in self._keys(name, client, now):
                c = self._counters.get(key)
                if c is not None:
                    c.failures = max(0, c.failures - 1)

    def succeeded(self, name: str, client: str) -> None:
        """The reserved attempt worked: it is no failure anywhere, this name's failures from this
        address are forgotten, and the address is known for the name from now on."""
        self.release(name, client)
        now = self.clock()
        with self._lock:
            own = self._keys(name, client, now)[0][0]
            self._counters.pop(own, None)
            self._known[own] = now

    def _prune(self, now: float) -> None:
        if now - self._pruned < 60 and len(self._counters) < self.max_keys:
            return
        self._pruned = now
        for key in [k for k, c in self._counters.items() if now - c.last > FORGET_S or c.failures == 0]:
            del self._counters[key]
        for key in [k for k, t in self._known.items() if now - t > KNOWN_S]:
            del self._known[key]
        if len(self._counters) >= self.max_keys:  # a flood of new names or addresses: keep the newest half
            for key in sorted(self._counters, key=lambda k: self._counters[k].last)[: len(self._counters) // 2]:
                del self._counters[key]
        if len(self._known) >= self.max_keys:
            for key in sorted(self._known, key=self._known.__getitem__)[: len(self._known) // 2]:
                del self._known[key]


class PairingLimiter(FailureLimiter):
    """Pairing codes: per address, and under pressure (many failures from anywhere) per address from
    its first failure; ``name`` is ignored."""

    def _keys(self, name: str, client: str, now: float) -> list[tuple[Key, int, bool]]:
        own = ("pairing", client)
        return [(own, self.attempts, True), (("pairing", "*"), self.attempts * 4, self._failures(own, now) > 0)]
