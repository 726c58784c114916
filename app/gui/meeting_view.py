"""One past meeting, opened from the list: summary, decisions, action items, the speakers (each can be
given a name, everywhere in the meeting), and the transcript, playable from any line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from app.engine import EngineError, MeetingSegment, MeetingView
from app.gui.formats import date_time
from app.gui.state import fmt_clock
from app.gui.strings import t
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
        when = date_time(m.started_at) if m.started_at else ""
        self.names = {s: ft.TextField(value=s, label=t("meetings.name_of", speaker=s), dense=True, expand=True) for s in m.speakers}
        rows: list[ft.Control] = [
            ft.Row([icon_button(ft.Icons.ARROW_BACK, t("meetings.back"), self._back_click, "meeting-back"),
                    ft.Semantics(content=heading(m.title or t("meetings.title")), identifier="meeting-detail-title"),
                    icon_button(ft.Icons.DOWNLOAD, t("meetings.export"), bind(self._export, m.id), f"export-{m.id}")],
                   wrap=True),
            ft.Text(f"{when} · {fmt_clock(m.elapsed_s)}", size=12),
        ]
        if m.summary:
            rows += [ft.Text(t("meetings.summary"), weight=ft.FontWeight.BOLD),
                     ft.Semantics(content=ft.Text(m.summary), identifier="meeting-detail-summary")]
        for title, items, ident in ((t("meetings.decisions"), m.decisions, "meeting-decision"),
                                    (t("meetings.action_items"), m.action_items, "meeting-action")):
            if items:
                rows.append(ft.Text(title, weight=ft.FontWeight.BOLD))
                rows += [ft.Semantics(content=ft.Text(f"• {x}"), identifier=ident) for x in items]
        if m.speakers:
            rows.append(ft.Text(t("meetings.speakers"), weight=ft.FontWeight.BOLD))
            for i, (label, field) in enumerate(self.names.items()):
                rows.append(ft.Row([tagged(field, f"speaker-name-{i}"),
                                    button(t("meetings.rename"), bind(self._rename, label), f"speaker-rename-{i}")]))
        rows.append(ft.Text(t("meetings.transcript"), weight=ft.FontWeight.BOLD))
        rows += [ft.Row([icon_button(ft.Icons.PLAY_ARROW, t("meetings.play_from", offset=fmt_clock(s.start_s)),
                                     bind(self._play, s.start_s), f"play-line-{n}"),
                         ft.Semantics(content=ft.Text(line_text(s), expand=True), identifier="meeting-detail-line")],
                        vertical_alignment=ft.CrossAxisAlignment.START)
                 for n, s in enumerate(m.segments)] or [ft.Text(t("meetings.no_transcript"))]
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
            self.app.toast(t("meetings.type_name"))
            return
        try:
            self.view = await self.app.engine.rename_speaker(self.view.id, label, new)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        self._build()
        self.app.toast(t("meetings.renamed", old=label, new=new))
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
