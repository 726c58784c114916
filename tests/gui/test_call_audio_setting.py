"""Settings offers the choice of recording the computer's sound in meetings (online calls, issue 23): off,
automatic, or one of the sources this machine lists; in English and German; the choice is saved to the
existing setting (``audio.meeting_system_audio``) that every live recording takes. A browser or a phone does
not offer it (it is this machine's sound output). A source that is not there is refused in plain words."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.engine import EngineError, SettingsPatch, SettingsView
from app.engine.settings_rules import settings_problems
from app.gui import strings
from app.gui.strings import set_language
from tests.gui.test_gui_language import _Engine, _Page

pytestmark = pytest.mark.unit
MONITOR = "alsa_output.pci-0000_00_1f.3.analog-stereo.monitor"


class _DesktopPage(_Page):
    web = False


class _SettingsEngine(_Engine):
    def __init__(self) -> None:
        self.view = SettingsView(system_audio_sources=[MONITOR])
        self.patches: list[SettingsPatch] = []

    async def settings(self) -> SettingsView:
        return self.view

    async def update_settings(self, patch: SettingsPatch) -> SettingsView:
        self.patches.append(patch)
        if patch.meeting_system_audio is not None:
            self.view = self.view.model_copy(update={"meeting_system_audio": patch.meeting_system_audio})
        return self.view


def _screen(page: _Page, tmp_path: Path) -> tuple[Any, _SettingsEngine]:
    from app.gui.shell import AssistantApp

    engine = _SettingsEngine()
    app = AssistantApp(page, engine, tmp_path)  # type: ignore[arg-type]

    async def settings_changed(view: SettingsView) -> None:
        pass

    app.settings_changed = settings_changed  # type: ignore[method-assign]
    return app, engine


@pytest.mark.parametrize(("lang", "off", "auto", "label"), [
    ("en", "Off (only the microphone)", "Automatic (what the computer plays)", "Computer's sound in meetings"),
    ("de", "Aus (nur das Mikrofon)", "Automatisch (was der Computer abspielt)", "Ton des Computers in Besprechungen"),
])
def test_the_computers_sound_is_chosen_in_settings_and_saved(tmp_path: Path, lang: str, off: str, auto: str,
                                                             label: str) -> None:
    set_language(lang)
    try:
        app, engine = _screen(_DesktopPage(), tmp_path)
        screen = app.settings
        screen._fill(asyncio.run(engine.settings()))  # what load() shows (without the accounts and models)
        d = screen.dropdowns["meeting_system_audio"]
        assert d.label == label and screen._tagged["meeting_system_audio"].visible
        assert [(o.key, o.text) for o in d.options] == [("", off), ("auto", auto), (MONITOR, MONITOR)]
        assert d.value == ""  # off until chosen
        d.value = "auto"
        asyncio.run(screen._save(None))
        assert engine.patches[-1].meeting_system_audio == "auto"
        assert screen.message.value == strings.t("settings.saved") and d.value == "auto"
        d.value = MONITOR
        asyncio.run(screen._save(None))
        assert engine.patches[-1].meeting_system_audio == MONITOR
    finally:
        set_language("en")


def test_a_browser_does_not_offer_this_machines_sound(tmp_path: Path) -> None:
    set_language("en")
    app, engine = _screen(_Page(), tmp_path)  # web = True: the browser's own devices
    screen = app.settings
    screen._fill(asyncio.run(engine.settings()))
    assert not screen._tagged["meeting_system_audio"].visible
    asyncio.run(screen._save(None))
    assert engine.patches[-1].meeting_system_audio is None  # left as it was


@pytest.fixture
def engine() -> Any:
    from app.engine.local import LocalEngine
    from app.services import build_services

    return LocalEngine(build_services(), speech_output="off", preload=False)


def test_the_choice_is_the_setting_every_recording_takes(engine: Any) -> None:
    view = asyncio.run(engine.settings())
    assert view.meeting_system_audio == ""
    view = asyncio.run(engine.update_settings(SettingsPatch(meeting_system_audio="auto")))
    assert view.meeting_system_audio == "auto" and engine.sv.settings.audio.meeting_system_audio == "auto"
    cfg = engine.sv.paths.config_file
    assert 'meeting_system_audio = "auto"' in cfg.read_text()
    before = cfg.read_text()
    bad = SettingsPatch(meeting_system_audio="no-such-output")
    with pytest.raises(EngineError, match="This sound source is not here now") as err:
        asyncio.run(engine.update_settings(bad))
    assert "\n" not in str(err.value) and "meeting_system_audio" not in str(err.value)
    assert cfg.read_text() == before  # nothing half-done
    german = settings_problems(bad, asyncio.run(engine.settings()), "de")
    assert german == {"meeting_system_audio": "Diese Tonquelle gibt es hier gerade nicht. Wähl eine aus der Liste."}
    view = asyncio.run(engine.update_settings(SettingsPatch(meeting_system_audio="")))
    assert view.meeting_system_audio == "" and engine.sv.settings.audio.meeting_system_audio == ""
