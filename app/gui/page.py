"""The app's Flet entry: one AssistantApp per browser tab / window, all talking to one engine.

Which engine: the local one (speech, agents, meetings in this process) unless a factory is given,
e.g. a RemoteEngine for a phone. The UI code does not know which it has."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import flet as ft

from app.engine import Engine
from app.services import Services

log = logging.getLogger(__name__)
EngineFactory = Callable[[], Engine]


def build_page(sv: Services, engine_factory: EngineFactory | None = None) -> Callable[[ft.Page], Awaitable[None]]:
    engine: Engine | None = None

    def get_engine() -> Engine:
        nonlocal engine
        if engine is None:
            if engine_factory is not None:
                engine = engine_factory()
            else:
                from app.engine.local import LocalEngine

                engine = LocalEngine(sv)
        return engine

    async def main(page: ft.Page) -> None:
        from app.gui.fonts import use_served_font
        from app.gui.shell import AssistantApp
        from app.gui.strings import t

        page.title = t("app.title")
        use_served_font(page)  # Japanese, Chinese, Korean text drawn offline in a browser
        app = AssistantApp(page, get_engine(), sv.paths.data_dir / "exports")
        await app.start()

    return main
