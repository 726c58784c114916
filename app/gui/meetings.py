"""The meeting screen: timer, level meter, live transcript, pause/stop, summary and action items;
past meetings with search, playback from a hit and export."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import flet as ft

from app.engine import EngineError, ExportFormat, MeetingHit
from app.gui.formats import date_time
from app.gui.meeting_view import MeetingDetail
from app.gui.panels import DomainPanel
from app.gui.state import fmt_clock, transcript_lines
from app.gui.strings import t
from app.gui.widgets import bind, button, heading, icon_button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp


EXPORT_CHOICES: list[ExportFormat] = ["md", "srt", "vtt", "json"]  # labelled "meetings.export_<format>"
STATE_WORDS = {"idle": "meetings.state_idle", "recording": "meetings.state_recording",
               "paused": "meetings.state_paused", "processing": "meetings.state_processing",
               "done": "meetings.state_done"}


class MeetingsScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        self.unavailable = ft.Text("", color=ft.Colors.ERROR, visible=False)
        self.title = ft.TextField(label=t("meetings.meeting_title"), hint_text=t("meetings.optional"), expand=True)
        self.timer = ft.Text("00:00", size=32, weight=ft.FontWeight.BOLD)
        self.state = ft.Text(t("meetings.state_idle"))
        self.level = ft.ProgressBar(value=0, width=220, bar_height=10)
        self.transcript = ft.ListView(height=220, spacing=4, auto_scroll=True)
        self.summary = ft.Column(spacing=4)
        self.query = ft.TextField(label=t("meetings.search_past"), expand=True, on_submit=self._search)
        self.results = ft.Column(spacing=6, key=ft.ScrollKey("meeting-results"))  # type: ignore[call-arg]
        self.past = ft.Column(spacing=4)
        self.detail = MeetingDetail(app, self._close_detail, self._export)
        # an online call in another tab (Meet, Teams, Jitsi in the browser): its sound as a second channel
        self.call_audio = ft.Checkbox(label=t("meetings.call_tab"), value=False, visible=False)
        self.start_btn = button(t("meetings.start"), self._start, "meeting-start", ft.Icons.FIBER_MANUAL_RECORD, filled=True)
        self.pause_btn = button(t("meetings.pause"), self._pause, "meeting-pause", ft.Icons.PAUSE)
        self.resume_btn = button(t("meetings.resume"), self._resume, "meeting-resume", ft.Icons.PLAY_ARROW)
        self.stop_btn = button(t("meetings.stop"), self._stop, "meeting-stop", ft.Icons.STOP)
        self._shown: object = None
        self._past_shown: object = None

    def build(self) -> ft.Control:
        meter = ft.Row([ft.Text(t("meetings.input_level")),
                        ft.Semantics(content=self.level, label=t("meetings.input_level"))])
        self.body = ft.Column([
            heading(t("meetings.title")), self.unavailable,
            ft.Row([tagged(self.title, "meeting-title")]),
            ft.Row([ft.Semantics(content=self.timer, identifier="meeting-timer", label=t("meetings.elapsed")),
                    ft.Semantics(content=self.state, identifier="meeting-state", live_region=True)],
                   wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            meter,
            tagged(self.call_audio, "meeting-call-audio"),
            ft.Row([self.start_btn, self.pause_btn, self.resume_btn, self.stop_btn], wrap=True),
            ft.Text(t("meetings.live"), weight=ft.FontWeight.BOLD),
            ft.Container(content=self.transcript, border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
                         border_radius=8, padding=6),
            self.summary,
            ft.Divider(),
            heading(t("meetings.past")),
            ft.Row([tagged(self.query, "meeting-query"), icon_button(ft.Icons.SEARCH, t("meetings.search"), self._search,
                                                                      "meeting-search")]),
            self.results,
            self.past,
            self.detail.body,
        ], scroll=ft.ScrollMode.AUTO, expand=True)
        return self.body

    def refresh(self) -> None:
        m = self.app.model.meeting
        info = self.app.model.info
        feature = info.feature("meetings") if info else None
        available = bool(feature and feature.available)
        self.unavailable.visible = not available
        self.unavailable.value = t("meetings.unavailable", detail=feature.detail) if feature and not available else ""
        self.timer.value = fmt_clock(m.elapsed_s)
        self.state.value = t(STATE_WORDS[m.state])
        if m.state == "recording" and m.waiting_for_audio:
            self.state.value = t("meetings.waiting_mic")
        self.level.value = m.level
        rec = m.state in ("recording", "paused")
        self.call_audio.visible = available and self.app.can_record_tab()
        self.call_audio.disabled = rec
        for b, on in ((self.start_btn, not rec), (self.pause_btn, m.state == "recording"),
                      (self.resume_btn, m.state == "paused"), (self.stop_btn, rec)):
            inner = b.content
            if isinstance(inner, ft.FilledButton | ft.OutlinedButton):
                inner.disabled = not (available and on)
        # built again only when the text changed (the timer and the level change many times a second
        # while recording; new controls each time replaced the DOM around the text fields)
        shown = (transcript_lines(m.segments), m.summary, tuple(m.action_items))
        if shown == self._shown:
            return
        self._shown = shown
        self.transcript.controls = [ft.Semantics(content=ft.Text(line), identifier="meeting-line")
                                    for line in shown[0]]
        parts: list[ft.Control] = []
        if m.summary:
            parts += [ft.Text(t("meetings.summary"), weight=ft.FontWeight.BOLD), ft.Text(m.summary, selectable=True)]
        if m.action_items:
            parts += [ft.Text(t("meetings.action_items"), weight=ft.FontWeight.BOLD),
                      *[ft.Text("• " + a, selectable=True) for a in m.action_items]]
        self.summary.controls = parts

    async def _guard(self, coro: Any) -> None:
        try:
            await coro
        except EngineError as exc:
            self.app.toast(str(exc))

    async def _start(self, e: Any) -> None:
        call = bool(self.call_audio.visible and self.call_audio.value)
        # with a call, the browser asks which tab to share right away, while the press still counts as the
        # user's (browsers allow that only for a few seconds); what it sends meanwhile waits for the meeting
        capture = asyncio.ensure_future(self.app.start_capture(call=True)) if call else None
        self.app.start_progress("meeting_start", t("meetings.starting"))
        try:
            await self.app.engine.meeting_start(self.title.value or "", call_audio=call)
        except EngineError as exc:
            if capture is not None:
                await capture
                await self.app.stop_capture()
            self.app.toast(str(exc))
            return
        finally:
            self.app.end_progress("meeting_start")
        await (capture if capture is not None else self.app.start_capture())

    async def _pause(self, e: Any) -> None:
        await self._guard(self.app.engine.meeting_pause())

    async def _resume(self, e: Any) -> None:
        await self._guard(self.app.engine.meeting_resume())

    async def _stop(self, e: Any) -> None:
        await self.app.stop_capture()
        self.app.start_progress("meeting_stop", t("meetings.finishing"))
        try:
            view = await self.app.engine.meeting_stop()
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        finally:
            self.app.end_progress("meeting_stop")
        self.app.model.meeting = view
        self.app.refresh()
        await self.load_past()

    async def load_past(self) -> None:
        try:
            past = await self.app.engine.meetings(self.query.value or "")
        except EngineError as exc:
            self.past.controls = [ft.Text(str(exc))]
            return
        shown = [(m.id, m.title, m.started_at, m.duration_s) for m in past]
        if shown == self._past_shown:  # the same list: keep its controls (the screen opened again)
            return
        self._past_shown = shown
        self.past.controls = [
            ft.Row([ft.Text(f"{m.title} — {date_time(m.started_at)} ({fmt_clock(m.duration_s)})", expand=True),
                    icon_button(ft.Icons.OPEN_IN_NEW, t("meetings.open", title=m.title), bind(self._open, m.id),
                                f"open-{m.id}"),
                    icon_button(ft.Icons.DOWNLOAD, t("meetings.export_named", title=m.title), bind(self._export, m.id),
                                f"export-{m.id}")])
            for m in past] or [ft.Text(t("meetings.none"))]
        self.app.refresh()

    async def _open(self, meeting_id: str) -> None:
        """The meeting's own view in place of the list (which comes back with the back arrow)."""
        await self.detail.open(meeting_id)
        if self.detail.body.visible:
            self.past.visible = self.results.visible = False
            self.app.refresh()

    async def _close_detail(self) -> None:
        self.past.visible = self.results.visible = True
        await self.load_past()

    async def _search(self, e: Any) -> None:
        try:
            hits = await self.app.engine.meeting_search(self.query.value or "")
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        self.results.controls = [self._hit(h) for h in hits] or [ft.Text(t("meetings.no_matches"))]
        self.results.update()
        # on a phone the results start below the fold: bring them into view
        await self.body.scroll_to(scroll_key="meeting-results", duration=200)

    def _hit(self, h: MeetingHit) -> ft.Control:
        return ft.Row([
            ft.Column([ft.Text(t("meetings.hit_at", title=h.title, when=date_time(h.at), offset=fmt_clock(h.start_s)),
                               weight=ft.FontWeight.BOLD),
                       ft.Semantics(content=ft.Text(h.text), identifier="meeting-hit")], expand=True, spacing=2),
            icon_button(ft.Icons.PLAY_ARROW, t("meetings.play_here"), bind(self._play, h), f"play-{h.meeting_id}"),
            icon_button(ft.Icons.DOWNLOAD, t("meetings.export"), bind(self._export, h.meeting_id), f"export-{h.meeting_id}"),
        ])

    async def _play(self, h: MeetingHit) -> None:
        try:
            clip = await self.app.engine.meeting_audio(h.meeting_id, h.start_s, 30.0)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        await self.app.play_clip(clip, None)

    async def _export(self, meeting_id: str) -> None:
        """Ask which format, then hand the file to the browser (a download, also on a phone)."""
        buttons: list[ft.Control] = [
            button(t(f"meetings.export_{fmt}"), bind(self._download, meeting_id, fmt), f"export-{fmt}")
            for fmt in EXPORT_CHOICES]
        dlg = ft.AlertDialog(modal=False, title=t("meetings.export_title"),
                             content=ft.Column(buttons, tight=True, spacing=6),
                             actions=[button(t("meetings.cancel"), self._close_dialog, "export-cancel")])
        self.app.page.show_dialog(dlg)

    async def _close_dialog(self, e: Any) -> None:
        self.app.page.pop_dialog()

    async def _download(self, meeting_id: str, fmt: ExportFormat) -> None:
        self.app.page.pop_dialog()
        self.app.start_progress("export", t("meetings.exporting"))
        try:
            f = await self.app.engine.meeting_export(meeting_id, fmt)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        finally:
            self.app.end_progress("export")
        self.app.toast(await self.app.download(f.filename, f.content))


async def _show(screen: MeetingsScreen) -> None:
    await screen.load_past()


PANEL = DomainPanel(label="nav.meetings", icon=ft.Icons.GROUPS, screen=MeetingsScreen, on_show=_show)
