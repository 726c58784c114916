"""Timers and reminders over the home server: the per-user list, cancel/stop and snooze routes (4xx on
bad or foreign ids, never a 5xx), and RemoteEngine's TimersPort with its TimerChanged events."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.engine import EngineError, TimerChanged, TimersPort
from app.engine.remote import RemoteEngine
from tests.server.live import PASSWORD, LiveServer

pytestmark = pytest.mark.integration


def test_timer_routes_per_user_and_bad_ids(live_server: LiveServer) -> None:
    c = live_server.new_client("timers")
    assert c.post("/api/v1/turns/text", json={"text": "set a timer for 10 minutes"}).status_code == 200
    [t] = c.get("/api/v1/timers").json()
    assert t["kind"] == "timer" and not t["ringing"] and t["id"].startswith("timer-")
    other = live_server.new_client("other")
    assert other.get("/api/v1/timers").json() == []  # not yours
    assert other.post(f"/api/v1/timers/{t['id']}/cancel").status_code == 404
    for bad in ("timer-x", "alarm-1", "timer-1234567890", "timer--1"):
        r = c.post(f"/api/v1/timers/{bad}/cancel")
        assert r.status_code == 422, (bad, r.status_code)
    assert c.post("/api/v1/timers/timer-999999/snooze").status_code == 404
    assert c.post(f"/api/v1/timers/{t['id']}/snooze", params={"minutes": 0}).status_code == 422
    assert c.post(f"/api/v1/timers/{t['id']}/snooze", params={"minutes": 500}).status_code == 422
    snoozed = c.post(f"/api/v1/timers/{t['id']}/snooze").json()  # +5 min on a running one: from its end
    assert snoozed["ends_at"] > t["ends_at"] and not snoozed["ringing"]
    assert c.post(f"/api/v1/timers/{t['id']}/cancel").status_code == 204
    assert c.get("/api/v1/timers").json() == []
    assert c.post(f"/api/v1/timers/{t['id']}/cancel").status_code == 409  # already cancelled


def test_remote_engine_timers_ring_snooze_and_stop(live_server: LiveServer) -> None:
    name = live_server.add_user("ring")

    async def run() -> list[TimerChanged]:
        eng = await RemoteEngine.sign_in(live_server.url, name, PASSWORD, speech_output="off")
        assert isinstance(eng, TimersPort)
        events: list[TimerChanged] = []
        eng.subscribe(lambda e: events.append(e) if isinstance(e, TimerChanged) else None)
        await eng.ask("set a timer for 2 seconds")
        await eng.ask("set a timer for 30 minutes")
        views = await eng.timers()
        assert [v.ringing for v in views] == [False, False]
        deadline = time.monotonic() + 30
        while not any(v.ringing for v in await eng.timers()) and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        ringing = [v for v in await eng.timers() if v.ringing]
        assert len(ringing) == 1 and ringing[0].text == "Your timer of 2 seconds is done."
        snoozed = await eng.snooze_timer(ringing[0].id)
        assert not snoozed.ringing and snoozed.ends_at.timestamp() - time.time() > 250
        await eng.cancel_timer(snoozed.id)
        with pytest.raises(EngineError):
            await eng.cancel_timer(snoozed.id)  # already cancelled (409): one line
        with pytest.raises(EngineError):
            await eng.cancel_timer("../approvals/1")  # not an id: refused before any request
        rest = await eng.timers()
        assert len(rest) == 1 and not rest[0].ringing
        await eng.close()
        return events

    events = asyncio.run(run())
    assert [e.change for e in events] == ["started", "started", "rang", "snoozed", "cancelled"]
