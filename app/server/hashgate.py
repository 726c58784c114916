"""At most a few password hashes at once: one argon2id verification takes 64 MiB and a core for
~0.1 s, so a login flood must queue here instead of running one per request thread. Waiting happens
on the event loop (no thread is held); past ``queue`` waiting attempts the answer is 503 at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi.concurrency import run_in_threadpool

T = TypeVar("T")


class HashGateBusy(Exception):
    """Too many sign-ins are waiting already."""


class HashGate:
    def __init__(self, slots: int = 2, queue: int = 64) -> None:
        self.slots = slots
        self.queue = queue
        self._pending = 0
        self._sem: asyncio.Semaphore | None = None

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` (which hashes) in a worker thread once a slot is free."""
        if self._pending >= self.slots + self.queue:
            raise HashGateBusy("the server is busy with sign-ins; try again in a few seconds")
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.slots)
        self._pending += 1
        try:
            async with self._sem:
                return await run_in_threadpool(fn, *args)
        finally:
            self._pending -= 1
