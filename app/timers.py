"""Timers and reminders as the timers panel shows them, for the local engine and the home server alike:
one list read from a user's memory (what rings now first, then running timers and the reminders of the
next day, soonest first) and what the panel's buttons do: cancel (or stop one that rings) and snooze."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from agents.alarms import reminder_text, timer_text
from agents.memory import Memory, ReminderOut, TimerOut
from app.engine import TIMER_ID_PATTERN, TimerView
from storage.bilingual import Bilingual

SNOOZE_MINUTES = 5
MAX_SNOOZE_MINUTES = 120
REMINDERS_AHEAD = timedelta(days=1)  # reminders further off are listed by "what are my reminders", not here


class TimerError(Bilingual, ValueError):
    """No such timer or reminder (``status`` 404), or it is no longer running (409). One line for the user."""

    def __init__(self, message: str, status: int = 404, *, de: str | None = None) -> None:
        super().__init__(message, de=de)
        self.status = status


def _timer_view(t: TimerOut, now: datetime) -> TimerView:
    ringing = t.ends_at <= now and not t.cancelled and not t.acknowledged
    return TimerView(id=f"timer-{t.id}", kind="timer", label=t.label, ends_at=t.ends_at, started_at=t.created_at,
                     ringing=ringing, text=timer_text(t, now))


def _reminder_view(r: ReminderOut, now: datetime) -> TimerView:
    return TimerView(id=f"reminder-{r.id}", kind="reminder", label=r.text, ends_at=r.due_at,
                     ringing=r.due_at <= now and not r.acknowledged, text=reminder_text(r, now))


def board(memory: Memory, now: datetime) -> list[TimerView]:
    """What the panel shows at ``now``: ringing ones (oldest first), then the rest, soonest first."""
    ringing = [_timer_view(t, now) for t in memory.ringing_timers(now)]
    ringing += [_reminder_view(r, now) for r in memory.ringing_reminders(now)]
    running = [_timer_view(t, now) for t in memory.active_timers(now)]
    running += [_reminder_view(r, now) for r in memory.reminders() if now < r.due_at <= now + REMINDERS_AHEAD]
    return sorted(ringing, key=lambda v: v.ends_at) + sorted(running, key=lambda v: v.ends_at)


def _parse(timer_id: str) -> tuple[Literal["timer", "reminder"], int]:
    if not re.match(TIMER_ID_PATTERN, timer_id or ""):
        raise TimerError(f"no timer or reminder {timer_id!r}", de=f"kein Timer und keine Erinnerung {timer_id!r}")
    kind, _, num = timer_id.partition("-")
    return ("timer" if kind == "timer" else "reminder"), int(num)


def _find(memory: Memory, timer_id: str, now: datetime) -> TimerView:
    kind, num = _parse(timer_id)
    if kind == "timer":
        t = memory.timer(num)
        if t is None:
            raise TimerError(f"no timer {timer_id!r}", de=f"kein Timer {timer_id!r}")
        if t.cancelled or t.acknowledged:
            raise TimerError("That timer is no longer running.", 409, de="Dieser Timer läuft nicht mehr.")
        return _timer_view(t, now)
    r = memory.reminder(num)
    if r is None:
        raise TimerError(f"no reminder {timer_id!r}", de=f"keine Erinnerung {timer_id!r}")
    if r.acknowledged or (r.done and r.due_at > now):
        raise TimerError("That reminder is no longer pending.", 409, de="Diese Erinnerung steht nicht mehr an.")
    return _reminder_view(r, now)


def cancel(memory: Memory, timer_id: str, now: datetime) -> tuple[Literal["cancelled", "stopped"], TimerView]:
    """Cancel a running timer or reminder, or stop (acknowledge) one that rings; which one it was, and it."""
    view = _find(memory, timer_id, now)
    kind, num = _parse(timer_id)
    if kind == "timer":
        memory.update_timer(num, cancelled=not view.ringing or None, acknowledged=True)
    else:
        memory.update_reminder(num, acknowledged=True)
    return ("stopped" if view.ringing else "cancelled"), view.model_copy(update={"ringing": False})


def snooze(memory: Memory, timer_id: str, now: datetime, minutes: int = SNOOZE_MINUTES) -> TimerView:
    """Ring again ``minutes`` later: from now for one that rings, from its end for one still running."""
    if not 1 <= minutes <= MAX_SNOOZE_MINUTES:
        raise TimerError(f"snooze for 1 to {MAX_SNOOZE_MINUTES} minutes", 422,
                         de=f"schlummern geht für 1 bis {MAX_SNOOZE_MINUTES} Minuten")
    view = _find(memory, timer_id, now)
    until = (now if view.ringing else view.ends_at) + timedelta(minutes=minutes)
    kind, num = _parse(timer_id)
    if kind == "timer":
        t = memory.update_timer(num, ends_at=until)
        assert t is not None
        return _timer_view(t, now)
    r = memory.update_reminder(num, due_at=until)
    assert r is not None
    return _reminder_view(r, now)
