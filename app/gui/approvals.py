"""Approvals: a card per waiting action showing exactly what will happen, with Approve / Deny.
The same card opens as a dialog when the assistant asks; "yes"/"no" by voice works as well."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from app.engine import ApprovalView
from app.gui.formats import clock_time
from app.gui.strings import t
from app.gui.widgets import bind, button, field_row, heading

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp


def action_words(action: str) -> str:
    """An action's internal name in plain words: "calendar.create_event" -> "Calendar: create event"."""
    area, _, verb = action.rpartition(".")
    words = verb.replace("_", " ").strip()
    return f"{area.replace('_', ' ').capitalize()}: {words}" if area else words.capitalize()


def approval_card_body(a: ApprovalView) -> ft.Column:
    rows: list[ft.Control] = [ft.Semantics(content=ft.Text(a.summary, size=15, weight=ft.FontWeight.W_500),
                                           identifier="approval-summary")]
    rows += [field_row(k, action_words(v) if k == "Action" else v) for k, v in a.details.items()]
    rows.append(ft.Text(t("approvals.expires", time=clock_time(a.expires_at)), size=11, italic=True))
    return ft.Column(rows, spacing=4, tight=True)


class ApprovalsScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        self.list = ft.Column(spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)
        self.outcome = ft.Text("", italic=True)
        self._dialog: ft.AlertDialog | None = None
        self._shown: tuple[int, ...] | None = None

    def build(self) -> ft.Control:
        return ft.Column([heading(t("approvals.title")), ft.Text(t("approvals.intro")),
                          self.outcome, self.list], expand=True)

    def actions(self, a: ApprovalView, suffix: str = "") -> list[ft.Control]:
        return [button(t("approvals.approve"), bind(self._decide, a.id, True), f"approve-{a.id}{suffix}",
                       ft.Icons.CHECK, filled=True),
                button(t("approvals.deny"), bind(self._decide, a.id, False), f"deny-{a.id}{suffix}", ft.Icons.CLOSE)]

    def refresh(self) -> None:
        m = self.app.model
        self.outcome.value = m.last_outcome
        shown = tuple(a.id for a in m.approvals)
        if shown != self._shown:  # built again only when the list changed (not on every event)
            self._shown = shown
            self._fill(m.approvals)
        if self._dialog is not None and all(a.id != self._dialog.data for a in m.approvals):
            self.close_dialog()

    def _fill(self, approvals: list[ApprovalView]) -> None:
        if not approvals:
            self.list.controls = [ft.Text(t("approvals.none"))]
        else:
            self.list.controls = [
                ft.Card(content=ft.Container(padding=12, content=ft.Column(
                    [approval_card_body(a), ft.Row(self.actions(a), wrap=True)], spacing=8)))
                for a in approvals]

    def open_dialog(self, a: ApprovalView) -> None:
        self.close_dialog()
        dlg = ft.AlertDialog(modal=False, title=t("approvals.dialog_title"), content=approval_card_body(a),
                             actions=[*self.actions(a, "-dialog"),
                                      button(t("approvals.later"), self._later, f"later-{a.id}-dialog", ft.Icons.SCHEDULE)],
                             data=a.id, on_dismiss=self._dismissed)
        self._dialog = dlg
        self.app.page.show_dialog(dlg)

    async def _later(self, e: object) -> None:
        self.close_dialog()
        self.app.refresh()

    def _dismissed(self, e: object) -> None:
        """Closed without an answer: the action keeps waiting on the approvals screen."""
        self._dialog = None

    def close_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog = None
            self.app.page.pop_dialog()

    async def _decide(self, approval_id: int, approve: bool) -> None:
        self.close_dialog()
        await self.app.decide(approval_id, approve)


