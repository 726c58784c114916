"""One past meeting, opened from the list: summary, decisions, action items, the speakers (each can be
given a name, everywhere in the meeting), and the transcript, playable from any line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from app.engine import EngineError, MeetingSegment, MeetingView
from app.gui.state import fmt_clock
from app.gui.widgets import bind, button, heading, icon_button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp


def line_text(s: MeetingSegment) -> str:
    return f"[{fmt_clock(s.start_s)}] {s.speaker + ': ' if s.speaker else ''}{s.text}"


class MeetingDetail:
    """Built once per opened meeting (and after a rename): never while someone types in it."""

    def __init__(self, app: AssistantApp, back: Callable[[], Awaitable[None]],
                 export: Callable[[str], Awaitable[None]]) -> None:
        self.app = app
        self._back = back
        self._export = export
        self.view: MeetingView | None = None
        self.names: dict[str, ft.TextField] = {}
        self.body = ft.Column(spacing=8, visible=False)

    async def open(self, meeting_id: str) -> None:
        try:
            self.view = await self.app.engine.meeting(meeting_id)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        self._build()

    def _build(self) -> None:
        m = self.view
        assert m is not None and m.id is not None
        when = f"{m.started_at.astimezone():%Y-%m-%d %H:%M}" if m.started_at else ""
        self.names = {s: ft.TextField(value=s, label=f"Name of {s}", dense=True, expand=True) for s in m.speakers}
        rows: list[ft.Control] = [
            ft.Row([icon_button(ft.Icons.ARROW_BACK, "Back to the list", self._back_click, "meeting-back"),
                    ft.Semantics(content=heading(m.title or "Meeting"), identifier="meeting-detail-title"),
                    icon_button(ft.Icons.DOWNLOAD, "Export", bind(self._export, m.id), f"export-{m.id}")],
                   wrap=True),
            ft.Text(f"{when} · {fmt_clock(m.elapsed_s)}", size=12),
        ]
        if m.summary:
            rows += [ft.Text("Summary", weight=ft.FontWeight.BOLD),
                     ft.Semantics(content=ft.Text(m.summary), identifier="meeting-detail-summary")]
        for title, items, ident in (("Decisions", m.decisions, "meeting-decision"),
                                    ("Action items", m.action_items, "meeting-action")):
            if items:
                rows.append(ft.Text(title, weight=ft.FontWeight.BOLD))
                rows += [ft.Semantics(content=ft.Text(f"• {x}"), identifier=ident) for x in items]
        if m.speakers:
            rows.append(ft.Text("Speakers", weight=ft.FontWeight.BOLD))
            for i, (label, field) in enumerate(self.names.items()):
                rows.append(ft.Row([tagged(field, f"speaker-name-{i}"),
                                    button("Rename", bind(self._rename, label), f"speaker-rename-{i}")]))
        rows.append(ft.Text("Transcript", weight=ft.FontWeight.BOLD))
        rows += [ft.Row([icon_button(ft.Icons.PLAY_ARROW, f"Play from {fmt_clock(s.start_s)}",
                                     bind(self._play, s.start_s), f"play-line-{n}"),
                         ft.Semantics(content=ft.Text(line_text(s), expand=True), identifier="meeting-detail-line")],
                        vertical_alignment=ft.CrossAxisAlignment.START)
                 for n, s in enumerate(m.segments)] or [ft.Text("No transcript.")]
        self.body.controls = rows
        self.body.visible = True

    async def _back_click(self, e: Any) -> None:
        self.body.visible = False
        await self._back()

    async def _rename(self, label: str) -> None:
        if self.view is None or self.view.id is None:
            return
        new = (self.names[label].value or "").strip()
        if not new or new == label:
            self.app.toast("Type the speaker's name first.")
            return
        try:
            self.view = await self.app.engine.rename_speaker(self.view.id, label, new)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        self._build()
        self.app.toast(f"{label} is now {new}.")
        self.app.refresh()

    async def _play(self, start_s: float) -> None:
        if self.view is None or self.view.id is None:
            return
        try:
            clip = await self.app.engine.meeting_audio(self.view.id, start_s, 30.0)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        await self.app.play_clip(clip, None)
