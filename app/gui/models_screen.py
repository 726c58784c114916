"""Settings -> Voices & models: the catalogue with size, languages and expected speed; install (with a
progress bar and a cancel button), remove. Only where the models live (the local engine, ``ModelsPort``);
a phone talking to the home server is told so."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import flet as ft

from app.engine import EngineError, EngineEvent, ModelsPort, ModelView, ProgressEvent
from app.gui.formats import decimal
from app.gui.strings import t
from app.gui.widgets import bind, button, heading

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp


class ModelsScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        self.rows = ft.Column(spacing=4)
        self.message = ft.Text("")
        self.bars: dict[str, ft.ProgressBar] = {}
        self.labels: dict[str, ft.Text] = {}
        self.installs: dict[str, ft.Semantics] = {}  # id -> its Install button (not installed ones)
        self._subscribed = False
        self._shown: list[ModelView] | None = None

    @property
    def port(self) -> ModelsPort | None:
        engine = self.app.engine
        return engine if isinstance(engine, ModelsPort) else None

    def build(self) -> ft.Control:
        return ft.Column([
            heading(t("models.title")),
            ft.Text(t("models.intro")),
            self.rows,
            ft.Semantics(content=self.message, identifier="models-message", live_region=True),
        ], spacing=8)

    async def load(self) -> None:
        port = self.port
        if port is None:
            self.rows.controls = [ft.Text(t("models.elsewhere"))]
            return
        if not self._subscribed:
            self._subscribed = True
            self.app.engine.subscribe(self.on_event)
        try:
            self.fill(await port.models())
        except EngineError as exc:
            self.message.value = str(exc)

    def fill(self, models: list[ModelView]) -> None:
        # built again only when the list changed: new rows each time Settings opened reached the browser
        # while the user typed in a field above them, and kept its page busy when the field was clicked
        if models == self._shown:
            return
        self._shown = models
        self.bars, self.labels, self.installs = {}, {}, {}
        rows: list[ft.Control] = []
        for m in models:
            how = "models.measured" if m.speed.startswith("measured") else "models.estimated"
            info = t("models.info", kind=t(f"models.kind_{m.kind}"), languages="/".join(m.languages),
                     size=decimal(m.size_mb, 0), speed=t(how, rtf=decimal(m.rtf, 2)))
            action: ft.Control
            if m.installed:
                action = (ft.Text(t("models.builtin")) if m.builtin else
                          button(t("models.remove"), bind(self._remove, m.id), f"model-remove-{m.id}", ft.Icons.DELETE))
            else:
                self.installs[m.id] = button(t("models.install"), bind(self._install, m.id), f"model-install-{m.id}",
                                             ft.Icons.DOWNLOAD)
                action = ft.Row([
                    self.installs[m.id],
                    button(t("models.cancel"), bind(self._cancel, m.id), f"model-cancel-{m.id}", ft.Icons.CLOSE),
                ])
            bar = ft.ProgressBar(value=0, width=220, visible=False)
            label = ft.Text(t("models.installed") if m.installed else "", size=12)
            self.bars[m.id], self.labels[m.id] = bar, label
            rows.append(ft.Semantics(identifier=f"model-{m.id}", content=ft.Row([
                ft.Column([ft.Text(m.id, weight=ft.FontWeight.BOLD), ft.Text(info, size=12), label, bar],
                          spacing=2, expand=True),
                action,
            ])))
        self.rows.controls = rows

    async def focus(self, model_id: str) -> None:
        """The keyboard focus on the entry's Install button (a notice's offer opened Settings here)."""
        await self.load()
        self.app.refresh()  # the rows on the page before the focus moves there
        install = self.installs.get(model_id)
        if install is not None and isinstance(install.content, ft.OutlinedButton):
            with contextlib.suppress(RuntimeError):  # not on a page (yet): Settings still shows the entry
                await install.content.focus()

    def on_event(self, e: EngineEvent) -> None:
        if not isinstance(e, ProgressEvent) or not e.task.startswith("model:"):
            return
        model_id = e.task.removeprefix("model:")
        bar, label = self.bars.get(model_id), self.labels.get(model_id)
        if bar is None or label is None:
            return
        bar.visible = not e.done
        bar.value = e.fraction
        label.value = e.label
        self.app.refresh()

    def _say(self, text: str) -> None:
        self.message.value = text
        self.app.refresh()

    async def _install(self, model_id: str) -> None:
        port = self.port
        if port is None:
            return
        self._say(t("models.installing", model=model_id))
        try:
            await port.install_model(model_id)
        except EngineError as exc:
            self._say(str(exc))
            return
        self.fill(await port.models())
        self._say(t("models.installed_one", model=model_id))

    async def _cancel(self, model_id: str) -> None:
        if self.port is not None:
            await self.port.cancel_model_install(model_id)

    async def _remove(self, model_id: str) -> None:
        port = self.port
        if port is None:
            return
        try:
            await port.remove_model(model_id)
        except EngineError as exc:
            self._say(str(exc))
            return
        self.fill(await port.models())
        self._say(t("models.removed_one", model=model_id))

    def shown(self) -> dict[str, Any]:
        """What each row shows (for tests): id -> (installed label, progress value, bar visible)."""
        return {k: (self.labels[k].value, self.bars[k].value, self.bars[k].visible) for k in self.bars}
