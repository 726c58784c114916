"""The conversation screen: turns, the push-to-talk button, states, hands-free, typing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from app.gui.formats import decimal
from app.gui.state import PushToTalk, Turn, is_phone
from app.gui.strings import t
from app.gui.tan_card import TanCard
from app.gui.widgets import bind, button, icon_button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

log = logging.getLogger(__name__)
STATE_COLORS = {"idle": ft.Colors.BLUE_GREY_400, "listening": ft.Colors.RED_400, "thinking": ft.Colors.AMBER_600,
                "speaking": ft.Colors.GREEN_500}


def ptt_hint(phone: bool, key: str) -> str:
    """The hint under the talk button; a phone has no key to hold."""
    if phone:
        return t("talk.ptt_hint")
    return f"{t('talk.ptt_hint')} {t('talk.ptt_key_hint', key=t('talk.key_space') if key == ' ' else key)}"


class ConversationScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        self.ptt = PushToTalk()
        self._last_pointer = 0.0
        self.status = ft.Text(t("state.idle"), size=16, weight=ft.FontWeight.BOLD)
        self.status_dot = ft.Container(width=14, height=14, border_radius=7, bgcolor=STATE_COLORS["idle"])
        self.hands_free = ft.Switch(label=t("talk.hands_free"), value=False, on_change=self._on_hands_free)
        self.wake_hint = ft.Text("", size=12, italic=True)
        self.progress_label = ft.Text("", size=12)
        self.progress = ft.Column([ft.ProgressBar(), self.progress_label], visible=False, spacing=2)
        self.onboarding = ft.Container(visible=False)
        # newest at the bottom (auto_scroll). Flet's auto_scroll stops following for good once the offset goes
        # down without the user scrolling, so a send also scrolls to the end (_show_newest). A reversed list
        # (its offset 0 the end) kept the end in view by itself but hid the cards under the newest turn from
        # the screen reader's tree in the e2e tests (the TAN card, the miss's "set up a model" button): #18
        self.turns = ft.ListView(expand=True, spacing=10, auto_scroll=True)
        self.mic_icon = ft.Icon(ft.Icons.MIC, size=44, color=ft.Colors.WHITE)
        self.ptt_face = ft.Container(content=self.mic_icon, width=96, height=96, border_radius=48,
                                     bgcolor=ft.Colors.BLUE_600, alignment=ft.Alignment.CENTER)
        self.ptt_hint = ft.Text(t("talk.ptt_hint"), size=12, text_align=ft.TextAlign.CENTER)
        # Enter sends and Shift+Enter starts a new line; the field keeps the keyboard focus after Enter (a
        # single-line field lost it on submit: the keys typed right after Enter went nowhere, #18), and the
        # page empties it at once (app/gui/web/clear_guard.js), so those keys start the next message
        self.input = ft.TextField(label=t("talk.message"), hint_text=t("talk.message_hint"), expand=True,
                                  on_submit=self._on_submit, on_focus=self._focus, on_blur=self._blur,
                                  on_change=self._on_change, shift_enter=True, max_lines=4)
        self._typing = False
        # what the field held as of the last change event handled: Flet applies the browser's value patches
        # the moment they arrive but runs handlers later, in arrival order, so on a loaded server
        # ``input.value`` may already hold the next message's first keys when Send's handler runs
        self._typed: str | None = None
        self._shown_turns: object = None
        self._expanded: set[str] = set()  # misses whose "What I can do" is open
        self._tan: TanCard | None = None  # the bank's TAN challenge, under the newest reply while it waits
        self._columns: dict[str, ft.Column] = {}  # turn id -> its column (kept: see _turn_view)
        self._parts: dict[tuple[str, str], tuple[tuple[object, ...], ft.Control]] = {}

    # ------------------------------------------------------------------------------ layout

    def build(self) -> ft.Control:
        ptt = ft.GestureDetector(
            content=self.ptt_face,
            on_long_press_down=self._pointer_down,
            on_long_press_up=self._pointer_up,
            on_long_press_cancel=self._pointer_up,
            on_tap=self._tap,
            mouse_cursor=ft.MouseCursor.CLICK,
        )
        ptt_sem = ft.Semantics(content=ptt, identifier="ptt", label=t("talk.push_to_talk"), button=True,
                               on_tap=self._tap)
        send = icon_button(ft.Icons.SEND, t("talk.send"), self._on_submit, "send")
        header = ft.Row([ft.Row([self.status_dot, ft.Semantics(content=self.status, identifier="status",
                                                               live_region=True)], width=160),
                         tagged(self.hands_free, "hands-free")], vertical_alignment=ft.CrossAxisAlignment.CENTER, wrap=True)
        # what changes above the turns (progress, onboarding) is its own semantics node: when it gained
        # or lost a child, Flutter web rebuilt the semantics of the whole column and the message field
        # lost the keyboard focus in the middle of typing
        top = ft.Semantics(container=True, content=ft.Column([header, self.wake_hint, self.progress, self.onboarding],
                                                             horizontal_alignment=ft.CrossAxisAlignment.STRETCH))
        return ft.Column([
            top,
            self.app.timers_panel.build(),  # timers and reminders: countdowns, and the alert when one rings
            ft.Container(content=self.turns, expand=True),
            ft.Column([ptt_sem, self.ptt_hint], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=4),
            ft.Row([tagged(self.input, "message"), send]),
        ], expand=True, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def refresh(self) -> None:
        m = self.app.model
        state = m.shown_state
        self.status.value = m.status_text
        self.status_dot.bgcolor = STATE_COLORS[state]
        self.ptt_face.bgcolor = ft.Colors.RED_600 if state == "listening" else ft.Colors.BLUE_600
        self.mic_icon.icon = ft.Icons.MIC if state != "listening" else ft.Icons.GRAPHIC_EQ
        self.hands_free.value = m.hands_free
        wake = m.info.wake_phrase if m.info else t("talk.default_wake")
        self.hands_free.label = t("talk.hands_free_wake", wake=wake)
        self.wake_hint.value = t("talk.listening_for", wake=wake) if m.hands_free else ""
        if m.progress:
            self.progress.visible = True
            self.progress_label.value = "; ".join(p.label for p in m.progress.values())
        else:
            self.progress.visible = False
        # the turns are built again only when what they show changed: new controls on every event (a
        # state change, a progress step) replaced the list's DOM while the user typed below it
        llm = bool(m.info and m.info.feature("llm").available)
        shown = (tuple((t.id, t.user, t.interim, t.addressed, t.reply, t.spoken, t.done, t.source,
                        self.app.spoken_turns.get(t.id), t.id in self._expanded, t.tan is not None)
                       for t in m.turns[-50:]),
                 m.notices[-1] if m.notices else None, llm)
        if shown == self._shown_turns:
            return
        self._shown_turns = shown
        shown_turns = m.turns[-50:]
        rows = [self._turn_view(t, llm) for t in shown_turns]
        keep = {t.id for t in shown_turns}
        self._parts = {k: v for k, v in self._parts.items() if k[0] in keep}
        self._columns = {k: v for k, v in self._columns.items() if k in keep}
        rows += self._show_tan(m.turns[-1] if m.turns else None)
        if m.show_overheard and m.overheard and m.hands_free:
            rows.append(ft.Semantics(
                content=ft.Text(t("talk.not_for_me", text=m.overheard), size=11, italic=True, max_lines=1,
                                overflow=ft.TextOverflow.ELLIPSIS, opacity=0.5), identifier="overheard"))
        if m.notices:  # the newest notice until it is dismissed (a timer's is in the timers panel's alert)
            last = m.notices[-1]
            rows.append(ft.Row([
                ft.Semantics(content=ft.Text(last.message, italic=True, size=12,
                                             color=ft.Colors.ERROR if last.level == "error" else None),
                             identifier="notice", expand=True),
                *([button(last.action_label, bind(self._open_model, last.model_id), "notice-action",
                          ft.Icons.DOWNLOAD)] if last.action == "install_model" else []),
                icon_button(ft.Icons.CLOSE, t("talk.dismiss"), self._dismiss_notices, "notice-dismiss")],
                vertical_alignment=ft.CrossAxisAlignment.CENTER))
        self.turns.controls = rows

    def _turn_view(self, turn: Turn, llm: bool) -> ft.Control:
        """A turn's column, kept across refreshes, whose parts (what you said, the reply with its buttons,
        "Spoken") are built again only when what that part shows changed: a reply's "Spoken" line arriving
        (or a reload under load) had replaced the reply's buttons while they were being clicked, and the
        click went nowhere."""
        rows: list[ft.Control] = []
        if turn.user:
            rows.append(self._part(turn.id, "you", (turn.user, turn.interim), lambda: self._you_view(turn)))
        if turn.reply or turn.done:
            rows.append(self._part(turn.id, "assistant", (turn.shown_reply, turn.spoken, turn.reply, turn.miss, turn.more,
                                                       turn.id in self._expanded, llm), lambda: self._reply_view(turn)))
        if turn.id in self.app.spoken_turns:
            secs = self.app.spoken_turns[turn.id]
            rows.append(self._part(turn.id, "spoken", (secs,), lambda: ft.Semantics(
                content=ft.Text(t("talk.spoken", seconds=decimal(secs)), size=11, italic=True), identifier="spoken")))
        column = self._columns.setdefault(turn.id, ft.Column(spacing=4))
        column.controls = rows
        return column

    def _part(self, turn_id: str, name: str, shows: tuple[object, ...], build: Callable[[], ft.Control]) -> ft.Control:
        held = self._parts.get((turn_id, name))
        if held is not None and held[0] == shows:
            return held[1]
        control = build()
        self._parts[(turn_id, name)] = (shows, control)
        return control

    def _you_view(self, turn: Turn) -> ft.Control:
        who = t("talk.you_speaking") if turn.interim else t("talk.you")
        return ft.Container(
            content=ft.Column([ft.Text(who, size=11, weight=ft.FontWeight.BOLD),
                               ft.Semantics(content=ft.Text(turn.user, italic=turn.interim),
                                            identifier="you-interim" if turn.interim else "you-text")], spacing=2),
            padding=8, border_radius=8, bgcolor=ft.Colors.with_opacity(0.08, ft.Colors.BLUE))

    def _reply_view(self, turn: Turn) -> ft.Control:
        actions = ft.Row([
            icon_button(ft.Icons.REPLAY, t("talk.speak_again"), bind(self._speak_again, turn.spoken or turn.reply),
                        f"speak-again-{turn.id}"),
            icon_button(ft.Icons.STOP, t("talk.stop_speaking"), self._stop_speaking, f"stop-speaking-{turn.id}"),
        ], spacing=0)
        body: list[ft.Control] = [ft.Text(t("talk.assistant"), size=11, weight=ft.FontWeight.BOLD),
                                  ft.Semantics(content=ft.Text(turn.shown_reply or "…"), identifier="assistant-text")]
        if turn.miss:
            body += self._miss_help(turn)
        return ft.Container(content=ft.Column([*body, actions], spacing=2),
                            padding=8, border_radius=8, bgcolor=ft.Colors.with_opacity(0.08, ft.Colors.GREEN))

    def _show_tan(self, last: Turn | None) -> list[ft.Control]:
        """The TAN card stays under the newest turn while that turn waits for a TAN; any later turn (the
        TAN sent, the transfer cancelled) takes it away. The card to show under the turns, if any."""
        challenge = last.tan if last is not None else None
        if self._tan is not None and (challenge is None or challenge is not self._tan.challenge):
            self._tan.stop()
            self._tan = None
        if challenge is None:
            return []
        if self._tan is None:
            self._tan = TanCard(self.app, challenge)
        card = self._tan.build()
        self._tan.start()
        return [card]

    def _miss_help(self, turn: Turn) -> list[ft.Control]:
        """Under a miss: a "What I can do" chip (what works offline, on demand) and, when no language
        model is set up, a button to that setting."""
        info = self.app.model.info
        links: list[ft.Control] = []
        if turn.more:
            links.append(button(t("talk.what_i_can_do"), bind(self._toggle_more, turn.id), f"what-i-can-do-{turn.id}",
                                ft.Icons.HELP_OUTLINE))
        if not (info and info.feature("llm").available):
            links.append(button(t("talk.setup_llm"), self._open_llm_settings, f"setup-llm-{turn.id}",
                                ft.Icons.SETTINGS))
        out: list[ft.Control] = [ft.Row(links, wrap=True, spacing=6)]
        if turn.id in self._expanded:
            out.append(ft.Semantics(content=ft.Text(turn.more, size=13), identifier="what-i-can-do-text"))
        return out

    async def _toggle_more(self, turn_id: str) -> None:
        self._expanded ^= {turn_id}
        self.app.refresh()

    async def _open_llm_settings(self, e: Any) -> None:
        await self.app.open_setting("llm_provider")

    async def _open_model(self, model_id: str) -> None:
        await self.app.open_setting(f"model:{model_id}")

    def show_for_width(self, width: float | None) -> None:
        self.ptt_hint.value = ptt_hint(is_phone(width), self.app.ptt_key_name)

    def set_onboarding(self, show: bool) -> None:
        if not show:
            self.onboarding.visible = False
            return
        self.onboarding.content = ft.Card(content=ft.Container(padding=12, content=ft.Column([
            ft.Text(t("talk.welcome"), size=18, weight=ft.FontWeight.BOLD),
            ft.Text(t("talk.welcome_offline")),
            ft.Text(t("talk.welcome_optional")),
            ft.Row([button(t("talk.got_it"), self._onboarded, "onboarding-done", filled=True),
                    button(t("talk.open_settings"), lambda e: self.app.go("settings"), "onboarding-settings")], wrap=True),
        ])))
        self.onboarding.visible = True

    # ------------------------------------------------------------------------------ events

    async def _onboarded(self, e: Any) -> None:
        await self.app.mark_onboarded()

    def _focus(self, e: Any) -> None:
        self._typing = True

    def _blur(self, e: Any) -> None:
        self._typing = False

    def _on_change(self, e: Any) -> None:
        if isinstance(e.data, str):
            self._typed = e.data

    def _sent_text(self, e: Any) -> str:
        """The text as the browser had it when Send or Enter was pressed: the change events that came before
        the press have been handled before it (arrival order); an event that carries the text says it."""
        if isinstance(e.data, str):
            return e.data
        return self._typed if self._typed is not None else (self.input.value or "")

    async def _on_submit(self, e: Any) -> None:
        typed = self._sent_text(e)
        text = typed.strip()
        if self._typed == typed:
            self._typed = ""  # sent: the next change event brings the next message
        if not text:
            self.app.toast(t("talk.type_first"))
            return
        await asyncio.sleep(0)  # what the browser reported since the click or Enter comes in first
        if (self.input.value or "").strip() == text:  # not when the user has typed the next message already
            self.input.value = ""
            self.input.update()
        self.app.page.run_task(self._show_newest)  # the user had scrolled up: what is sent now comes into view
        await self.app.ask(text)

    async def _show_newest(self) -> None:
        try:
            await self.turns.scroll_to(offset=-1)  # the end: the newest turn
        except Exception as exc:  # the page closed meanwhile
            log.debug("scroll to the newest turn: %s", exc)

    async def _dismiss_notices(self, e: Any) -> None:
        self.app.model.dismiss_notices()
        self.app.refresh()

    async def _speak_again(self, text: str) -> None:
        await self.app.speak(text)

    async def _stop_speaking(self, e: Any) -> None:
        await self.app.stop_speaking()

    async def _on_hands_free(self, e: Any) -> None:
        await self.app.set_hands_free(bool(self.hands_free.value))

    async def _pointer_down(self, e: Any) -> None:
        self._last_pointer = time.monotonic()
        await self._act(self.ptt.press(time.monotonic()))

    async def _pointer_up(self, e: Any) -> None:
        self._last_pointer = time.monotonic()
        await self._act(self.ptt.release(time.monotonic()))

    async def _tap(self, e: Any) -> None:
        """Activation without a pointer (screen reader, semantics tap): toggle."""
        if time.monotonic() - self._last_pointer < 1.0:
            return
        now = time.monotonic()
        action = self.ptt.press(now)
        self.ptt.release(now)
        await self._act(action)

    async def key_down(self, key: str) -> None:
        if self._typing or key != self.app.ptt_key_name:
            return
        await self._act(self.ptt.press(time.monotonic()))

    async def key_up(self, key: str) -> None:
        if self._typing or key != self.app.ptt_key_name:
            return
        await self._act(self.ptt.release(time.monotonic()))

    async def _act(self, action: str | None) -> None:
        if action == "start":
            await self.app.start_listening()
        elif action == "stop":
            await self.app.stop_listening()
