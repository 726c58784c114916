"""Timers that ring and reminders that speak: the alarm clock of the running app.

:func:`due_alarms` turns what has come due in the memory (timers run out, reminders reached) into
:class:`Alarm` values, each delivered once (the memory marks them), also those that came due while the
app was closed (``late``); each is claimed in the database, so with several processes on one database
exactly one delivers it. :class:`AlarmClock` asks for them every second on a thread of its own and
hands each to a callback (the engine shows and speaks it); other ``sources`` (a domain's notices, such
as the finance budget warnings: agents/finance/notices.py) are asked at the same time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from agents.local.phrases import fmt_duration
from agents.memory import Memory, ReminderOut, TimerOut

log = logging.getLogger(__name__)
LATE_AFTER = timedelta(minutes=1)


class Alarm(BaseModel):
    kind: Literal["timer", "reminder", "budget", "social"]
    id: int
    due_at: datetime
    text: str  # what the assistant says
    late: bool = False  # came due while the app was not running
    owner: int | None = None  # whose it is where one clock serves many (the home server's user id)


def timer_text(t: TimerOut, now: datetime) -> str:
    """What is said and shown when a timer rings ("Your timer for tea of 3 minutes is done.")."""
    text = "Your timer"
    if t.label:
        text += f" for {t.label}"
    if t.created_at:
        text += f" of {fmt_duration(t.ends_at - t.created_at, 'en')}"
    late = now - t.ends_at > LATE_AFTER
    return text + (f" ran out at {t.ends_at.astimezone(now.tzinfo):%H:%M}." if late else " is done.")


def reminder_text(r: ReminderOut, now: datetime) -> str:
    """What is said and shown when a reminder comes due ("Reminder: call Anna")."""
    late = now - r.due_at > LATE_AFTER
    return f"Reminder: {r.text}" + (f" (due at {r.due_at.astimezone(now.tzinfo):%H:%M})" if late else "")


def due_alarms(memory: Memory, now: datetime) -> list[Alarm]:
    """Everything due at ``now`` that has not been delivered, oldest first; each is delivered once."""
    out: list[Alarm] = []
    for t in memory.due_timers(now):
        out.append(Alarm(kind="timer", id=t.id, due_at=t.ends_at, text=timer_text(t, now),
                         late=now - t.ends_at > LATE_AFTER))
    for r in memory.due_reminders(now):
        out.append(Alarm(kind="reminder", id=r.id, due_at=r.due_at, text=reminder_text(r, now),
                         late=now - r.due_at > LATE_AFTER))
    return sorted(out, key=lambda a: a.due_at)


class AlarmClock:
    """Polls the memory every ``interval`` seconds on a daemon thread; ``on_alarm`` gets each alarm.
    Without a memory only the ``sources`` are asked (the home server's sweep over its users' memories)."""

    def __init__(self, memory: Memory | None, now: Callable[[], datetime], on_alarm: Callable[[Alarm], None],
                 interval: float = 1.0, sources: Sequence[Callable[[datetime], list[Alarm]]] = ()) -> None:
        self.memory, self.now, self.on_alarm, self.interval = memory, now, on_alarm, interval
        self.sources = list(sources)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alarm-clock", daemon=True)
            self._thread.start()

    def tick(self) -> list[Alarm]:
        """One look at the memory; delivers and returns what was due."""
        now = self.now()
        alarms = due_alarms(self.memory, now) if self.memory is not None else []
        for source in self.sources:
            try:
                alarms += source(now)
            except Exception as exc:  # a source that fails now is asked again next time
                log.warning("alarm source: %s", exc)
        for a in alarms:
            try:
                self.on_alarm(a)
            except Exception:  # one failing delivery must not stop the clock
                log.exception("delivering %s %d failed", a.kind, a.id)
        return alarms

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # a database hiccup: try again next second
                log.warning("alarm clock: %s", exc)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
