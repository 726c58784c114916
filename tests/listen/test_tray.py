"""The tray icon's menu through pystray's own API (no display needed: the menu is plain pystray objects):
its title says the state, Mute mutes (the key then does nothing) and shows as checked, the meeting item
starts a recording (or says in one line why it cannot), Open the app launches it, Quit stops the
listener; the icon's picture per state; German texts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from app.listen.service import DesktopListener
from app.listen.tray import COLOURS, Tray, icon_image
from app.settings import ListenSettings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PYSTRAY_BACKEND", "dummy")  # pystray picks a backend on import: none here
    yield


@pytest.fixture
def listener() -> DesktopListener:
    from app.engine.local import LocalEngine
    from app.services import build_services

    engine = LocalEngine(build_services(), speech_output="off", preload=False, alarms=False)
    return DesktopListener(engine, ListenSettings(sounds=False), lambda line: lines.append(line))


lines: list[str] = []


def _items(tray: Tray) -> dict[str, Any]:
    import pystray

    return {item.text: item for item in tray.menu().items if item is not pystray.Menu.SEPARATOR}


def test_menu_actions(listener: DesktopListener) -> None:
    launched: list[bool] = []
    tray = Tray(listener, "en", "ctrl_r", launch=lambda: launched.append(True))

    async def main() -> None:
        await listener.prepare(load=False)
        items = _items(tray)
        assert "Personal assistant: ready (hold Right Ctrl to talk)" in items
        assert not items["Personal assistant: ready (hold Right Ctrl to talk)"].enabled  # a label, not a button

        mute = items["Mute"]
        assert not mute.checked
        await asyncio.to_thread(mute, None)
        assert listener.muted and listener.state == "muted" and mute.checked
        assert "Personal assistant: muted: the key does nothing" in _items(tray)
        listener.key_down()  # muted: the key does nothing
        await asyncio.sleep(0.1)
        assert listener.engine_state == "idle"
        await asyncio.to_thread(_items(tray)["Mute"], None)
        assert not listener.muted and listener.state == "idle"

        lines.clear()
        await asyncio.to_thread(_items(tray)["Start meeting recording"], None)
        for _ in range(1200):  # the meeting starts on the listener's loop (30 s and more at load 12+)
            if listener.recording or lines:
                break
            await asyncio.sleep(0.05)
        if listener.recording:  # a machine with a microphone
            assert listener.state == "recording" and "Stop meeting recording" in _items(tray)
            await asyncio.to_thread(_items(tray)["Stop meeting recording"], None)
        else:  # no microphone here: one line says why, and nothing claims to record
            assert len(lines) == 1 and lines[0].startswith("meeting: "), lines
            assert listener.state == "idle"

        await asyncio.to_thread(_items(tray)["Open the app"], None)
        assert launched == [True]
        await asyncio.to_thread(_items(tray)["Quit"], None)
        await asyncio.wait_for(listener.wait(), 30)  # Quit ends the listener

    asyncio.run(main())


def test_state_pictures_and_german() -> None:
    pictures = {state: icon_image(state).getpixel((32, 6)) for state in COLOURS}  # type: ignore[arg-type]
    assert len(set(pictures.values())) == len(COLOURS), pictures  # each state its own colour

    class Still:
        state, muted, recording, state_listeners = "listening", False, False, []  # type: ignore[var-annotated]

    tray = Tray(Still(), "de", "ctrl_r")  # type: ignore[arg-type]
    texts = list(_items(tray))
    assert texts == ["Persönlicher Assistent: hört zu: das Mikrofon ist an", "Stumm", "Meeting-Aufnahme starten",
                     "App öffnen", "Beenden"]


def test_catalogue_complete() -> None:
    from app.listen.strings import TRAY

    assert TRAY.problems() == []
