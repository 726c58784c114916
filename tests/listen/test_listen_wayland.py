"""`personal-agent listen` in a Wayland session: the push-to-talk key comes from the desktop portal's global
shortcuts (tests/listen/test_portal_keys.py: a portal written here on a private session bus, as xdg-desktop-
portal documents it), not from pynput. The listener runs as its own process on the private jackd
(``rig.py``); the portal's Activated/Deactivated are the key going down and up; a recorded request played
into the listener's microphone is transcribed and answered."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from app.listen.portal_keys import SHORTCUT_ID
from tests.listen.rig import JACK_RATE, JackRig, ListenProcess
from tests.listen.test_listen_desktop import ROOT, _wait, desktop  # noqa: F401
from tests.listen.test_portal_keys import Portal
from tests.servers.xvfb import Xvfb
from tests.speech_input.conftest import wer
from tests.speech_input.test_microphone_jack import _read_48k

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_on_wayland_the_portals_shortcut_is_the_key(desktop: tuple[Xvfb, JackRig], session_bus: str,  # noqa: F811
                                                     models_dir: Path, shared_audio: Path, tmp_path: Path) -> None:
    _x, rig = desktop
    portal = Portal(session_bus)
    env = {**os.environ, **rig.env(), "PYTHONPATH": str(ROOT), "PA_HOME": str(tmp_path / "home"),
           "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_STT__LANGUAGE": "en",
           "PA_AUDIO__INPUT_DEVICE": "system", "PA_AUDIO__OUTPUT_DEVICE": "system",
           "WAYLAND_DISPLAY": "wayland-pa-test", "XDG_SESSION_TYPE": "wayland",
           "DBUS_SESSION_BUS_ADDRESS": session_bus}
    env.pop("DISPLAY", None)  # no X server: pynput could not see a key here
    listen = ListenProcess(env, rig)
    try:
        ready = _wait(lambda: listen.event("ready") or listen.proc.poll() is not None, 240, "the listener to be ready")
        assert listen.event("ready"), listen.why()
        assert "global shortcuts" in ready["text"], ready
        assert portal.bound == [(SHORTCUT_ID, {"description": "Personal assistant: hold to talk",
                                               "preferred_trigger": "Control_R"})]

        request = _read_48k(shared_audio / "timit_ldc93s1.wav")
        n = len(listen.events)
        portal.key("Activated")
        _wait(lambda: listen.event("state", n, state="listening"), 30, "the microphone to open", listen.why)
        _wait(lambda: rig.client.get_all_connections(rig.mouth), 30, "the microphone's port", listen.why)
        time.sleep(0.3)
        rig.play(np.concatenate([request, np.zeros(JACK_RATE // 4, np.float32)]))
        assert rig.played.wait(30), "the request was not played"
        portal.key("Deactivated")
        final = _wait(lambda: listen.event("final", n), 60, "the transcript", listen.why)
        assert wer("She had your dark suit in greasy wash water all year.", final["text"]) <= 0.5, final
        done = _wait(lambda: listen.event("reply_done", n), 60, "the reply", listen.why)
        assert done["reply"]["text"], done
    finally:
        code = listen.stop()
    assert code == 0, listen.why()
    assert _wait(lambda: portal.closed, 10, "the portal session to close")
