"""Timers you can see, without a browser: the local engine's TimersPort on a real database (list, cancel,
snooze, bad ids, started/rang/snoozed/stopped events from the real alarm clock), the UI model (a ringing
timer's notice lives in the alert and goes when it is stopped) and the panel's view logic (countdowns set
in place each second, rows built again only when the list changed)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.engine import EngineError, Notice, TimerChanged, TimersPort, TimerView
from app.gui.state import UiModel

pytestmark = pytest.mark.unit


def _view(i: int, seconds: float, ringing: bool = False, now: datetime | None = None) -> TimerView:
    now = now or datetime.now(UTC)
    return TimerView(id=f"timer-{i}", kind="timer", ends_at=now + timedelta(seconds=seconds), ringing=ringing,
                     text=f"Your timer of {i} seconds is done.")


def test_local_engine_lists_snoozes_cancels_and_rings_its_timers() -> None:
    from app.engine.local import LocalEngine
    from app.services import build_services

    engine = LocalEngine(build_services(), speech_output="off", preload=False)
    assert isinstance(engine, TimersPort)
    events: list[TimerChanged] = []
    stops: list[str] = []

    async def main() -> None:
        engine.subscribe(lambda e: events.append(e) if isinstance(e, TimerChanged) else None)  # starts the clock
        await engine.ask("set a timer for 2 seconds")
        await engine.ask("set a timer for 20 minutes called pasta")
        views = await engine.timers()
        assert [(v.kind, v.ringing) for v in views] == [("timer", False), ("timer", False)]
        assert views[1].label == "pasta"
        for bad in ("timer-999999", "alarm-1", "", "timer-1; drop"):
            with pytest.raises(EngineError):
                await engine.cancel_timer(bad)
        with pytest.raises(EngineError):
            await engine.snooze_timer(views[1].id, 0)
        deadline = time.monotonic() + 30
        while not any(e.change == "rang" for e in events) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        [ringing] = [v for v in await engine.timers() if v.ringing]
        assert ringing.id == views[0].id and ringing.text == "Your timer of 2 seconds is done."
        await engine.snooze_timer(ringing.id)
        snoozed = next(v for v in await engine.timers() if v.id == ringing.id)
        assert not snoozed.ringing and 290 < (snoozed.ends_at - datetime.now(UTC)).total_seconds() <= 300
        await engine.cancel_timer(views[1].id)
        with pytest.raises(EngineError):
            await engine.cancel_timer(views[1].id)  # no longer running
        assert [v.id for v in await engine.timers()] == [ringing.id]
        await engine.ask("set a timer for 1 second")  # Stop on one that rings: it is gone, not cancelled
        deadline = time.monotonic() + 30
        while not (rung := [v for v in await engine.timers() if v.ringing]) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await engine.cancel_timer(rung[0].id)
        assert [v.id for v in await engine.timers()] == [ringing.id]
        stops.append(rung[0].id)
        await engine.close()

    asyncio.run(main())
    changes = [(e.change, e.timer.id) for e in events]
    first, second = changes[0][1], changes[1][1]
    assert changes[:2] == [("started", first), ("started", second)]
    assert ("rang", first) in changes and ("snoozed", first) in changes and ("cancelled", second) in changes
    assert changes.count(("rang", first)) == 1  # the alert comes once
    assert changes[-1] == ("stopped", stops[0]) and ("rang", stops[0]) in changes


def test_a_ringing_timers_notice_is_the_alerts_and_goes_when_stopped() -> None:
    m = UiModel()
    m.set_timers([_view(1, 60), _view(2, -1, ringing=True)])
    assert [t.id for t in m.ringing] == ["timer-2"]
    m.apply(Notice(message="Your timer of 2 seconds is done."))  # the engine's notice of the same ring
    m.apply(Notice(message="Budget groceries: 90 % used"))
    assert [n.message for n in m.notices] == ["Budget groceries: 90 % used"]
    m.apply(TimerChanged(change="stopped", timer=_view(2, -1)))
    assert [t.id for t in m.timers] == ["timer-1"] and not m.ringing
    m.apply(TimerChanged(change="rang", timer=_view(1, 0, ringing=True)))
    assert [t.id for t in m.ringing] == ["timer-1"]
    m.apply(Notice(message="Your timer of 1 seconds is done."))
    m.apply(TimerChanged(change="snoozed", timer=_view(1, 300)))
    assert not m.ringing and [n.message for n in m.notices] == ["Budget groceries: 90 % used"]
    m.dismiss_notices()
    assert m.notices == []


def _hidden_in_semantics(c: Any) -> list[str]:
    """Semantics nodes whose content is hidden: Flet draws a red error box in their place."""
    import flet as ft

    out: list[str] = []
    if isinstance(c, ft.Semantics) and c.visible is not False and (c.content is None or c.content.visible is False):
        out.append(str(c.identifier))
    for attr in ("content", "controls"):
        v = getattr(c, attr, None)
        for child in v if isinstance(v, list) else [v] if v is not None else []:
            out += _hidden_in_semantics(child)
    return out


class _Page:
    def __init__(self) -> None:
        self.tasks: list[Any] = []

    def run_task(self, fn: Any, *args: Any) -> None:
        self.tasks.append(fn)

    def update(self) -> None:
        pass


class _App:
    def __init__(self) -> None:
        self.model = UiModel()
        self.page = _Page()
        self.engine = object()

    async def play_chime(self) -> None:
        pass


def test_the_panel_sets_countdowns_in_place_and_chimes_once_per_ring() -> None:
    from app.gui.timers import TimersPanel, remaining

    app = _App()
    panel = TimersPanel(app)  # type: ignore[arg-type]
    root = panel.build()
    panel.refresh()
    assert _hidden_in_semantics(root) == []  # nothing to show: no error box either (a hidden alert did draw one)
    now = datetime.now(UTC)
    app.model.set_timers([_view(1, 125.2, now=now), _view(2, 3600 * 2, now=now)])
    panel.refresh()
    text = panel._countdowns["timer-1"]
    rows = list(panel.rows.controls)
    assert text.value in ("02:06", "02:05") and panel._countdowns["timer-2"].value in ("2:00:00", "1:59:59")
    assert panel.tick(now + timedelta(seconds=10)) is False
    assert text.value == "01:56" and panel._countdowns["timer-1"] is text  # the same control, a new value
    panel.refresh()
    assert list(panel.rows.controls) == rows  # nothing built again while only the time moved
    assert panel.tick(now + timedelta(seconds=126)) is True  # run out: the engine is asked whether it rings
    assert not panel.alert.visible and app.page.tasks == []
    app.model.set_timers([_view(1, -1, ringing=True, now=now), _view(2, 3600 * 2, now=now)])
    panel.refresh()
    assert panel.alert.visible and panel.alert_text.value == "Your timer of 1 seconds is done."
    assert _hidden_in_semantics(root) == []
    assert app.page.tasks == [app.play_chime]
    panel.refresh()
    assert app.page.tasks == [app.play_chime]  # one chime per ring
    assert remaining(app.model.timers[0], now) == "now"
    panel.show_for_width(390)  # the phone: a compact strip of the same entries
    panel.refresh()
    assert panel.list.content is panel.strip and len(panel.strip.controls) == 1
