"""The app's Flet entry: one AssistantApp per browser tab / window, all talking to one engine.

Which engine: the local one (speech, agents, meetings in this process) unless a factory is given,
e.g. a RemoteEngine for a phone. The UI code does not know which it has."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import flet as ft

from app.engine import Engine
from app.services import Services

if TYPE_CHECKING:
    from app.engine.local import LocalEngine

log = logging.getLogger(__name__)
EngineFactory = Callable[[], Engine]


def local_engine(sv: Services) -> LocalEngine:
    """The in-process engine of the desktop app (its UI is served on this computer only). While a
    background listener runs (`personal-agent listen`, the one owner of the devices), its push-to-talk
    and meeting recordings happen on the listener's microphone and speaker through the listener's
    control channel, and the listener's events come to this engine's screens (app/listen/link.py)."""
    from app.engine.local import LocalEngine
    from app.listen.link import ListenerLink

    engine = LocalEngine(sv)
    engine.voice.device_owner = ListenerLink(sv.paths.cache_dir, engine.core.bus.emit, lambda: sv.settings.language)
    return engine


def build_page(sv: Services, engine_factory: EngineFactory | None = None) -> Callable[[ft.Page], Awaitable[None]]:
    engine: Engine | None = None

    def get_engine() -> Engine:
        nonlocal engine
        if engine is None:
            engine = engine_factory() if engine_factory is not None else local_engine(sv)
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
