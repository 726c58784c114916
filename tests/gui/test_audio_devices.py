"""Whose microphone and speaker the Settings screen offers (issue 18, item 10): a browser or a phone uses
its own, so the server's device list is not shown there; a desktop window on the local engine lists this
machine's devices."""

from __future__ import annotations

import pytest

from app.gui.settings_screen import audio_devices_note


def test_a_desktop_window_on_the_local_engine_lists_this_machines_devices() -> None:
    assert audio_devices_note(web=False, mobile=False, local_engine=True) is None


@pytest.mark.parametrize(("web", "mobile", "local_engine", "whose"), [
    (True, False, True, "this browser's"),  # the web UI of this machine's app
    (True, False, False, "this browser's"),  # `remote ui`: the home server's devices even less
    (True, True, False, "this phone's"),  # a phone's browser
    (False, True, False, "this phone's"),  # the phone app
    (False, False, False, "this computer's"),  # a desktop window on a home server
])
def test_a_browser_or_phone_says_it_uses_its_own_devices(web: bool, mobile: bool, local_engine: bool,
                                                          whose: str) -> None:
    note = audio_devices_note(web=web, mobile=mobile, local_engine=local_engine)
    assert note is not None and whose in note and "server" not in note
