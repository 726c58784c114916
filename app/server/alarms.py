"""The home server's alarm sweep: every ``server.alarm_sweep_s`` seconds each enabled user's reminders
and timers that came due are claimed in that user's database (``Memory.due_reminders``/``due_timers``:
``FOR UPDATE SKIP LOCKED`` and a conditional update) and delivered once: recorded in the audit log as
``alarm.fired``. With several server processes on one PostgreSQL database (replicas behind one proxy)
each alarm is delivered by exactly one of them. Phones still learn of a ringing one from the timers list
they poll (``GET /api/v1/timers``); a push to the phone would hang off this one delivery."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from agents.alarms import Alarm, AlarmClock, due_alarms
from agents.memory import Memory
from app.server.spaces import UserSpaces
from app.server.users import UserStore
from storage.audit import AuditLog
from storage.db.engine import Database

log = logging.getLogger(__name__)
FIRED = "alarm.fired"
# what else comes due in a user's database at each sweep (scheduled social posts: agents/social/scheduled.py)
UserSource = Callable[[Database, datetime], list[Alarm]]


def alarm_target(alarm: Alarm) -> str:
    """How a delivered alarm is named in the audit log: whose, which (never its text)."""
    return f"user {alarm.owner}: {alarm.kind}-{alarm.id}"


class ServerAlarms:
    """One alarm clock for all users of this server process (a daemon thread)."""

    def __init__(self, users: UserStore, spaces: UserSpaces, audit: AuditLog, interval: float,
                 tz: tzinfo | None = None, user_sources: Sequence[UserSource] = ()) -> None:
        self.users, self.spaces, self.audit, self.interval = users, spaces, audit, interval
        self.user_sources = list(user_sources)
        self.tz = tz
        self.holder = f"pid {os.getpid()}"
        self._clock = AlarmClock(None, self.now, self.deliver, interval=interval, sources=[self.due])

    def now(self) -> datetime:
        return datetime.now(self.tz) if self.tz is not None else datetime.now().astimezone()

    def due(self, now: datetime) -> list[Alarm]:
        """What came due for every enabled user, each claimed by this process (others skip it)."""
        out: list[Alarm] = []
        for user in self.users.users():
            if user.disabled:
                continue
            try:
                db = self.spaces.database(user.id)
                found = due_alarms(Memory(db), now)
                for source in self.user_sources:
                    try:
                        found += source(db, now)
                    except Exception as exc:  # a source failing now is asked again at the next sweep
                        log.warning("alarm source of user %d: %s", user.id, exc)
                out += [a.model_copy(update={"owner": user.id}) for a in found]
            except Exception as exc:  # one user's database failing must not stop the others' alarms
                log.warning("alarms of user %d: %s", user.id, exc)
        return out

    def deliver(self, alarm: Alarm) -> None:
        self.audit.record(FIRED, alarm_target(alarm), "ok", detail=f"{'late; ' if alarm.late else ''}"
                          f"due {alarm.due_at.isoformat(timespec='seconds')}; {self.holder}", actor="server")

    def start(self) -> None:
        if self.interval > 0:
            self._clock.start()

    def stop(self) -> None:
        self._clock.stop()


def server_alarms(users: UserStore, spaces: UserSpaces, audit: AuditLog, interval: float,
                  timezone: str | None, user_sources: Sequence[UserSource] = ()) -> ServerAlarms:
    return ServerAlarms(users, spaces, audit, interval, ZoneInfo(timezone) if timezone else None, user_sources)
