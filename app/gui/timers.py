"""The timers panel of the Talk screen: each running timer and the day's reminders with a countdown,
Cancel and +5 min; a prominent alert (Stop, Snooze 5 min) with a chime when one rings.

The countdowns change once a second without building anything again: the rows are built only when the
list changed (a timer started, rang, went), and each second only their texts are set (new controls
every second replaced the DOM beside the message field while the user typed; docs/ARCHITECTURE.md).
The list comes from the engine's ``TimersPort`` when the screen opens, after every reply, when a
countdown reaches zero and every few seconds (a timer set on another device; a remote engine has no
push), and its ``TimerChanged`` events update it in between.

No browser notification: Flet 1.0.5 offers no notification API and no way to run the page's
JavaScript, so the alert and the chime are what a user gets."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import flet as ft

from app.engine import EngineError, TimersPort, TimerView
from app.gui.state import fmt_clock, is_phone
from app.gui.strings import t
from app.gui.widgets import bind, button, icon_button

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

log = logging.getLogger(__name__)
RELOAD_S = 5.0  # ask the engine again this often (a timer set elsewhere)
SNOOZE_MIN = 5


def remaining(view: TimerView, now: datetime) -> str:
    """The countdown as shown: mm:ss (h:mm:ss from an hour), "now" once it rings."""
    if view.ringing:
        return t("timers.now")
    return fmt_clock((view.ends_at - now).total_seconds() + 0.999)  # 2.4 s left shows 00:03 (ceil)


def title(view: TimerView) -> str:
    if view.kind == "reminder":
        return view.label
    return t("timers.timer_named", label=view.label) if view.label else t("timers.timer")


def alert_title(view: TimerView) -> str:
    return view.text or (t("timers.reminder", label=view.label) if view.kind == "reminder" else t("timers.done"))


class TimersPanel:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        self.phone = False
        self.alert_text = ft.Text("", size=22, weight=ft.FontWeight.BOLD, color=ft.Colors.BLACK)
        self.alert_buttons = ft.Row(wrap=True, spacing=8)
        box = ft.Container(
            padding=12, border_radius=10, bgcolor=ft.Colors.AMBER_300,
            border=ft.Border.all(3, ft.Colors.DEEP_ORANGE_600),
            content=ft.Column([
                ft.Row([ft.Icon(ft.Icons.ALARM, size=36, color=ft.Colors.DEEP_ORANGE_800),
                        ft.Semantics(content=self.alert_text, identifier="timer-alert-text", live_region=True,
                                     expand=True)], vertical_alignment=ft.CrossAxisAlignment.CENTER),
                self.alert_buttons], spacing=8))
        # shown and hidden as a whole (a Semantics whose content is hidden is an error on the page)
        self.alert = ft.Semantics(content=box, identifier="timer-alert", visible=False)
        self.rows = ft.Column(spacing=2)
        self.strip = ft.Row(spacing=6, run_spacing=4, wrap=True)  # the phone: chips, as many lines as needed
        self.list = ft.Container(visible=False, padding=ft.Padding.symmetric(horizontal=8, vertical=4),
                                 border_radius=8, bgcolor=ft.Colors.with_opacity(0.06, ft.Colors.ORANGE))
        self._countdowns: dict[str, ft.Text] = {}
        self._shown: object = None
        self._chimed: set[str] = set()
        self._task_started = False

    @property
    def port(self) -> TimersPort | None:
        return self.app.engine if isinstance(self.app.engine, TimersPort) else None

    def build(self) -> ft.Control:
        # its own semantics node: rows and the alert come and go above the message field
        return ft.Semantics(container=True, identifier="timers-panel",
                            content=ft.Column([self.alert, self.list],
                                              spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH))

    def show_for_width(self, width: float | None) -> None:
        if self.phone != is_phone(width):
            self.phone = is_phone(width)
            self._shown = None

    # ------------------------------------------------------------------------------ view

    def refresh(self) -> None:
        """Build the rows and the alert again only when the list changed; set the countdowns."""
        timers = self.app.model.timers
        shown = (self.phone, tuple((t.id, t.ringing, t.label, t.text, t.ends_at) for t in timers))
        if shown != self._shown:
            self._shown = shown
            self._build(timers)
        self.tick(datetime.now().astimezone())
        new = {t.id + t.ends_at.isoformat() for t in self.app.model.ringing} - self._chimed
        if new:
            self._chimed |= new
            self.app.page.run_task(self.app.play_chime)

    def _build(self, timers: list[TimerView]) -> None:
        ringing = [t for t in timers if t.ringing]
        first = ringing[0] if ringing else None
        self.alert.visible = first is not None
        if first is not None:
            more = t("timers.more_ringing", count=len(ringing) - 1) if len(ringing) > 1 else ""
            self.alert_text.value = alert_title(first) + more
            self.alert_buttons.controls = [
                button(t("timers.stop"), bind(self.cancel, first.id), "timer-alert-stop", ft.Icons.ALARM_OFF, filled=True),
                button(t("timers.snooze", minutes=SNOOZE_MIN), bind(self.snooze, first.id), "timer-alert-snooze",
                       ft.Icons.SNOOZE)]
        running = [t for t in timers if not t.ringing]
        self._countdowns = {t.id: ft.Text("", size=16 if self.phone else 18, weight=ft.FontWeight.BOLD,
                                          font_family="monospace") for t in running}
        items = [self._item(t) for t in running]
        self.list.visible = bool(items)
        if self.phone:
            self.strip.controls = items
            self.list.content = self.strip
        else:
            self.rows.controls = [ft.Text(t("timers.heading"), size=12, weight=ft.FontWeight.BOLD), *items]
            self.list.content = self.rows

    def _item(self, timer: TimerView) -> ft.Control:
        icon = ft.Icon(ft.Icons.TIMER if timer.kind == "timer" else ft.Icons.NOTIFICATIONS, size=18)
        countdown = ft.Semantics(content=self._countdowns[timer.id], identifier=f"timer-countdown-{timer.id}")
        cancel = icon_button(ft.Icons.CLOSE, t("timers.cancel", title=title(timer)), bind(self.cancel, timer.id), f"timer-cancel-{timer.id}")
        snooze = icon_button(ft.Icons.MORE_TIME, t("timers.more_minutes", minutes=SNOOZE_MIN, title=title(timer)),
                             bind(self.snooze, timer.id), f"timer-snooze-{timer.id}")
        name = ft.Semantics(content=ft.Text(title(timer), size=13 if self.phone else 14, max_lines=1,
                                            overflow=ft.TextOverflow.ELLIPSIS,
                                            width=90 if self.phone else None, expand=not self.phone),
                            identifier=f"timer-label-{timer.id}", expand=not self.phone)
        row = ft.Row([icon, name, countdown, snooze, cancel], spacing=2 if self.phone else 6,
                     vertical_alignment=ft.CrossAxisAlignment.CENTER, tight=self.phone)
        if self.phone:
            return ft.Container(content=row, padding=ft.Padding.only(left=6), border_radius=16,
                                bgcolor=ft.Colors.with_opacity(0.10, ft.Colors.ORANGE))
        return row

    def rebuild(self) -> None:
        """Build the rows and the alert again at the next refresh (the language changed)."""
        self._shown = None

    def tick(self, now: datetime) -> bool:
        """Set each countdown; True when one reached zero (the engine says whether it rings)."""
        due = False
        for timer in self.app.model.timers:
            text = self._countdowns.get(timer.id)
            if text is None:
                continue
            value = remaining(timer, now)
            if text.value != value:
                text.value = value
            due = due or timer.ends_at <= now
        return due

    # ------------------------------------------------------------------------------ engine

    async def reload(self) -> None:
        port = self.port
        if port is None:
            return
        try:
            views = await port.timers()
        except EngineError as exc:  # e.g. an older server without the timers routes
            log.info("timers: %s", exc)
            return
        if views != self.app.model.timers:  # nothing changed: nothing to send to the page
            self.app.model.set_timers(views)
            self.app.refresh()

    def start(self) -> None:
        """The one clock of this window's panel (once per page)."""
        if self.port is not None and not self._task_started:
            self._task_started = True
            self.app.page.run_task(self._run)

    async def _run(self) -> None:
        await self.reload()
        last, failed = time.monotonic(), 0
        while True:
            await asyncio.sleep(1.0 - (time.time() % 1.0))  # on the second, like a clock
            session = getattr(self.app.page, "session", None)
            if session is not None and session.connection is None:  # the tab is closed or offline
                expires = session.expires_at
                if expires is not None and expires <= datetime.now(UTC):
                    return  # the session is over: so is this clock
                continue
            due = self.tick(datetime.now().astimezone())
            try:
                if due or time.monotonic() - last >= RELOAD_S:
                    last = time.monotonic()
                    await self.reload()
                elif self._countdowns:
                    self.app.page.update()
                failed = 0
            except Exception as exc:
                session = getattr(self.app.page, "session", None)
                failed += 1
                if session is None or session.connection is None or failed > 30:  # the page closed: the clock stops
                    log.debug("timers panel stopped: %s", exc)
                    return
                log.info("timers panel: %r (tried again in a second)", exc)  # one failed reload is not the end

    async def cancel(self, timer_id: str) -> None:
        port = self.port
        if port is None:
            return
        try:
            await port.cancel_timer(timer_id)
        except EngineError as exc:
            self.app.toast(str(exc))
        await self.reload()

    async def snooze(self, timer_id: str) -> None:
        port = self.port
        if port is None:
            return
        try:
            await port.snooze_timer(timer_id, SNOOZE_MIN)
        except EngineError as exc:
            self.app.toast(str(exc))
        await self.reload()
