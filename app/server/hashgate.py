"""At most a few password hashes at once: one argon2id verification takes 64 MiB and a core for
~0.1 s, so a login flood must queue here instead of running one per request thread. Waiting happens
on the event loop (no thread is held); past ``queue`` waiting attempts the answer is 429 at once.

Sign-ins of a name from an address it signed in from before ("known", app/server/ratelimit.py) have a
lane of their own (one slot, its own short queue): a flood of guesses fills the main queue, and the
user who knows the password still gets in within a hash or two (bench/server.py --flood)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi.concurrency import run_in_threadpool

from storage.bilingual import Bilingual

T = TypeVar("T")


class HashGateBusy(Bilingual):
    """Too many sign-ins are waiting already."""


class HashGate:
    def __init__(self, slots: int = 2, queue: int = 64, known_slots: int = 1, known_queue: int = 16) -> None:
        self._lanes = {False: _Lane(slots, queue), True: _Lane(known_slots, known_queue)}

    async def run(self, fn: Callable[..., T], *args: object, known: bool = False) -> T:
        """Run ``fn(*args)`` (which hashes) in a worker thread once a slot of its lane is free
        (``known``: the lane of names signing in from an address they used before)."""
        return await self._lanes[known].run(fn, *args)


class _Lane:
    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots
        self.queue = queue
        self._pending = 0
        self._sem: asyncio.Semaphore | None = None

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        if self._pending >= self.slots + self.queue:
            raise HashGateBusy("the server is busy with sign-ins; try again in a few seconds",
                               de="der Server ist mit Anmeldungen beschäftigt; in ein paar Sekunden noch einmal versuchen")
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.slots)
        self._pending += 1
        try:
            async with self._sem:
                return await run_in_threadpool(fn, *args)
        finally:
            self._pending -= 1
