"""The bank's TAN challenge under the reply that asks for it: the photoTAN image to scan, or the chipTAN
flicker code played for the TAN generator, the bank's text, and a field to send the TAN (it goes the same
way as "TAN 123456" said aloud)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import flet as ft

from agents.replies import TanChallenge
from app.gui.strings import t
from app.gui.widgets import button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

log = logging.getLogger(__name__)

FRAME_S = 0.05  # 20 frames a second, as python-fints' terminal player: TAN generators read it at this pace


class FlickerCode:
    """Five bars (clock and four data bits) lit frame by frame, over and over, while it is shown."""

    def __init__(self, frames: list[str]) -> None:
        self.frames = frames
        self.bars = [ft.Container(width=28, height=90, bgcolor=ft.Colors.BLACK) for _ in range(5)]
        shown: list[ft.Control] = list(self.bars)
        self.control = ft.Container(
            content=ft.Row(shown, spacing=14, alignment=ft.MainAxisAlignment.CENTER),
            bgcolor=ft.Colors.BLACK, padding=14, border_radius=6, width=260)
        self.playing = False

    def show(self, frame: str) -> None:
        for bar, bit in zip(self.bars, frame, strict=True):
            bar.bgcolor = ft.Colors.WHITE if bit == "1" else ft.Colors.BLACK

    async def play(self) -> None:
        self.playing = True
        await asyncio.sleep(0.2)  # the bars are on the page after the update that showed them
        while self.playing:
            for frame in self.frames:
                if not self.playing:
                    return
                self.show(frame)
                try:
                    self.control.update()
                except (RuntimeError, AssertionError):  # no longer on the page
                    self.playing = False
                    return
                await asyncio.sleep(FRAME_S)

    def stop(self) -> None:
        self.playing = False


class TanCard:
    def __init__(self, app: AssistantApp, challenge: TanChallenge) -> None:
        self.app = app
        self.challenge = challenge
        self.flicker = FlickerCode(challenge.flicker) if challenge.flicker else None
        self.tan = ft.TextField(label=t("tan.field"), width=160, keyboard_type=ft.KeyboardType.NUMBER,
                                on_submit=self._send, on_change=self._changed, max_length=12)
        # what the browser reported in the last change event: handled in arrival order, so it is the text as
        # typed before Send was pressed, even when the value itself has not been patched in yet
        self._typed: str | None = None
        self._control: ft.Control | None = None

    def build(self) -> ft.Control:
        """The card, made once: the conversation shows it again on every change of the turns (the reply's
        "Spoken" line arriving), and a new Send button each time took the press that came in meanwhile
        nowhere (a CI run: the TAN typed, Send pressed as the reply's speech ended, nothing sent)."""
        if self._control is None:
            self._control = self._make()
        return self._control

    def _make(self) -> ft.Control:
        c = self.challenge
        rows: list[ft.Control] = []
        if c.image_b64:
            rows.append(ft.Text(t("tan.scan"), size=13))
            rows.append(tagged(ft.Image(src=f"data:{c.image_type or 'image/png'};base64,{c.image_b64}", width=220,
                                        height=220, semantics_label=t("tan.photo")), "tan-image"))
        elif self.flicker is not None:
            rows.append(ft.Text(t("tan.hold_generator"), size=13))
            rows.append(tagged(self.flicker.control, "tan-flicker", t("tan.flicker")))
        elif c.code:
            rows.append(ft.Text(t("tan.code", code=c.code), size=13, selectable=True))
        if c.text:
            rows.append(ft.Semantics(content=ft.Text(c.text, size=12, italic=True), identifier="tan-text"))
        rows.append(ft.Row([tagged(self.tan, "tan-field"), button(t("tan.send"), self._send, "tan-send", ft.Icons.SEND)],
                           wrap=True))
        return ft.Container(content=ft.Column(rows, spacing=6), padding=8, border_radius=8,
                            border=ft.Border.all(1, ft.Colors.OUTLINE))

    def start(self) -> None:
        if self.flicker is not None and not self.flicker.playing:
            self.app.page.run_task(self.flicker.play)

    def stop(self) -> None:
        if self.flicker is not None:
            self.flicker.stop()

    def _changed(self, e: Any) -> None:
        if isinstance(e.data, str):
            self._typed = e.data

    def _entered(self, e: Any) -> str:
        """The TAN as the browser had it when Send or Enter was pressed (Enter's event carries it)."""
        if isinstance(e.data, str) and e.data:
            return e.data
        return self._typed if self._typed else (self.tan.value or "")

    async def _send(self, e: Any) -> None:
        tan = self._entered(e).strip().replace(" ", "")
        if not tan.isdigit():
            log.info("TAN card: Send pressed with %d characters, not digits", len(tan))
            self.app.toast(t("tan.digits"))
            return
        log.info("TAN card: a TAN of %d digits sent", len(tan))
        self.tan.value = ""
        self._typed = None
        self.stop()
        await self.app.ask(f"TAN {tan}")
