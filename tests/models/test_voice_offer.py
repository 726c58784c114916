"""The fallback notice offers the voice: the engine's notice carries the voice to install and a German
button text; the conversation shows that button beside the notice, and it opens Settings -> Voices &
models at that voice's Install button."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft
import pytest

from app.engine import Notice
from app.gui.conversation import ConversationScreen
from app.gui.state import UiModel
from tests.gui.controls import by_id

pytestmark = pytest.mark.unit


class _App:
    def __init__(self) -> None:
        self.model = UiModel()
        self.spoken_turns: dict[str, Any] = {}
        self.opened: list[str] = []

    async def open_setting(self, key: str) -> None:
        self.opened.append(key)


def test_the_notice_offers_the_german_voice_and_opens_it_in_settings() -> None:
    app = _App()
    screen = ConversationScreen(app)  # type: ignore[arg-type]
    app.model.apply(Notice(message="Für deutsche Antworten ist noch keine deutsche Stimme installiert.",
                           action="install_model", model_id="de_DE-thorsten-medium",
                           action_label="Deutsche Stimme installieren"))
    screen.refresh()
    offer = by_id(screen.turns, "notice-action")
    assert offer is not None and isinstance(offer.content, ft.OutlinedButton)
    assert offer.content.content == "Deutsche Stimme installieren"
    handler = offer.content.on_click
    assert handler is not None
    asyncio.run(handler(None))  # type: ignore[arg-type,func-returns-value]
    assert app.opened == ["model:de_DE-thorsten-medium"]


def test_the_offered_voices_are_in_the_catalogue() -> None:
    from app.engine.local.voice import FALLBACK_OFFER
    from audio.catalogue import load_catalogue

    cat = load_catalogue()
    for lang, (model_id, _label) in FALLBACK_OFFER.items():
        assert cat.get(model_id).speaks(lang) and cat.get(model_id).kind == "voice"


def test_a_plain_notice_has_no_offer() -> None:
    app = _App()
    screen = ConversationScreen(app)  # type: ignore[arg-type]
    app.model.apply(Notice(message="Meeting: saved"))
    screen.refresh()
    assert by_id(screen.turns, "notice") is not None and by_id(screen.turns, "notice-action") is None
