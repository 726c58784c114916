"""The local engine's timers and reminders (``TimersPort``): the panel's list from the assistant's memory
(``app/timers.py``), cancel and snooze, and ``TimerChanged`` events. :meth:`LocalTimers.watch` compares
the list with the last one it saw (a timer set by a turn -> started, one that ran out -> rang, one gone
without the panel -> cancelled); the alarm clock calls it every second, and every call here does too."""

from __future__ import annotations

import threading
from datetime import datetime

from app import timers as board
from app.engine import EngineError, TimerChanged, TimerView
from app.engine.local.core import EngineCore
from app.engine.timer_events import timer_changes
from storage.bilingual import said


class LocalTimers:
    def __init__(self, core: EngineCore) -> None:
        self.core = core
        self._seen: dict[str, TimerView] = {}
        self._lock = threading.Lock()

    def _now(self) -> datetime:
        return self.core.assistant().clock()

    def watch(self, now: datetime | None = None) -> list[TimerView]:
        """The list now; emits what changed since the last look (call from any thread)."""
        asst = self.core.assistant()
        with self._lock:  # read and compared as one step: the clock's thread and a UI's call both look
            views = board.board(asst.memory, now or asst.clock())
            old, self._seen = self._seen, {v.id: v for v in views}
        for ev in timer_changes(old, views):
            self.core.bus.emit(ev)
        return views

    def _forget(self, timer_id: str) -> None:
        with self._lock:
            self._seen.pop(timer_id, None)

    async def timers(self) -> list[TimerView]:
        return await self.core.thread(self.watch)

    async def cancel_timer(self, timer_id: str) -> None:
        def run() -> None:
            try:
                change, view = board.cancel(self.core.assistant().memory, timer_id, self._now())
            except board.TimerError as exc:
                raise EngineError(said(exc, self.core.lang)) from None
            self._forget(timer_id)
            self.core.bus.emit(TimerChanged(change=change, timer=view))

        await self.core.thread(run)

    async def snooze_timer(self, timer_id: str, minutes: int = board.SNOOZE_MINUTES) -> TimerView:
        def run() -> TimerView:
            try:
                view = board.snooze(self.core.assistant().memory, timer_id, self._now(), minutes)
            except board.TimerError as exc:
                raise EngineError(said(exc, self.core.lang)) from None
            with self._lock:
                self._seen[view.id] = view
            self.core.bus.emit(TimerChanged(change="snoozed", timer=view))
            return view

        return await self.core.thread(run)
