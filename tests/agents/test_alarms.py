"""Timers ring and reminders speak, each exactly once, also when they came due while the app was closed;
the alarm clock's thread delivers them within about a second. Real SQLite database, migrated."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents.alarms import Alarm, AlarmClock, due_alarms
from agents.memory import Memory
from storage.db.engine import Database

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def memory(tmp_path: Path) -> Memory:
    db = Database(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    db.migrate()
    return Memory(db)


def test_timer_rings_once_when_it_runs_out(memory: Memory) -> None:
    memory.add_timer(timedelta(minutes=5), NOW, "pasta")
    assert due_alarms(memory, NOW + timedelta(minutes=4, seconds=59)) == []
    [a] = due_alarms(memory, NOW + timedelta(minutes=5, seconds=1))
    assert a.kind == "timer" and not a.late
    assert a.text == "Your timer for pasta of 5 minutes is done."
    assert due_alarms(memory, NOW + timedelta(minutes=6)) == []  # rung: not again
    assert memory.active_timers(NOW + timedelta(minutes=6)) == []


def test_cancelled_timer_never_rings(memory: Memory) -> None:
    memory.add_timer(timedelta(seconds=30), NOW)
    assert memory.cancel_timers(NOW + timedelta(seconds=10)) == 1
    assert due_alarms(memory, NOW + timedelta(minutes=1)) == []


def test_reminders_and_timers_missed_while_closed_come_late_in_order(memory: Memory, tmp_path: Path) -> None:
    memory.add_reminder(NOW + timedelta(minutes=30), "call the dentist")
    memory.add_timer(timedelta(minutes=10), NOW)
    # the app was closed for an hour; a new process (new engine, same file) looks
    db2 = Database(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    alarms = due_alarms(Memory(db2), NOW + timedelta(hours=1))
    assert [a.kind for a in alarms] == ["timer", "reminder"]
    assert all(a.late for a in alarms)
    assert alarms[1].text == "Reminder: call the dentist (due at 09:30)"
    assert "ran out at 09:10" in alarms[0].text
    assert due_alarms(memory, NOW + timedelta(hours=2)) == []


def test_alarm_clock_thread_delivers_within_a_second(memory: Memory) -> None:
    got: list[Alarm] = []
    start = datetime.now(UTC)
    memory.add_timer(timedelta(seconds=1), start, "tea")
    clock = AlarmClock(memory, lambda: datetime.now(UTC), got.append, interval=0.1)
    clock.start()
    try:
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        clock.stop()
    assert [a.kind for a in got] == ["timer"]
    assert (datetime.now(UTC) - start).total_seconds() < 3


def test_a_failing_delivery_does_not_stop_the_clock(memory: Memory) -> None:
    calls: list[int] = []

    def flaky(a: Alarm) -> None:
        calls.append(a.id)
        if len(calls) == 1:
            raise RuntimeError("speaker unplugged")

    memory.add_reminder(NOW, "one")
    memory.add_reminder(NOW + timedelta(seconds=1), "two")
    clock = AlarmClock(memory, lambda: NOW + timedelta(seconds=5), flaky)
    assert len(clock.tick()) == 2 and len(calls) == 2
