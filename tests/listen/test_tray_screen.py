"""The tray icon on a real X11 system tray: Xvfb with trayer (a freedesktop system tray), the listener's
Tray started by a child process under a session bus (pystray picks its backend once per process: with
PyGObject installed the AppIndicator one, which docks as a GTK status icon in trayer), its picture captured
from the screen in three states. The menu on the screen: test_tray_menu_screen.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.listen.tray import COLOURS
from tests.listen.rig import ROOT
from tests.servers.base import unavailable
from tests.servers.xvfb import Xvfb

pytestmark = pytest.mark.e2e

SHOW = """
import asyncio, json, sys
from Xlib import X, display
from PIL import Image
from app.engine.local import LocalEngine
from app.listen.service import DesktopListener
from app.listen.tray import Tray
from app.services import build_services
from app.settings import ListenSettings

async def main():
    engine = LocalEngine(build_services(), speech_output="off", preload=False, alarms=False)
    listener = DesktopListener(engine, ListenSettings(sounds=False), print)
    await listener.prepare(load=False)
    tray = Tray(listener, "en", "ctrl_r")
    stop = tray.start()
    shots = {}
    for state in ("idle", "listening", "muted"):
        if state == "listening":
            listener.engine_state = "listening"; listener._state_changed()
        if state == "muted":
            listener.engine_state = "idle"; listener.set_muted(True)
        await asyncio.sleep(1.5)
        d = display.Display()
        raw = d.screen().root.get_image(0, 0, 320, 40, X.ZPixmap, 0xFFFFFFFF)
        d.close()
        img = Image.frombytes("RGB", (320, 40), raw.data, "raw", "BGRX")
        img.save(sys.argv[1] + f"/tray_{state}.png")
        shots[state] = sorted({c for _, c in img.getcolors(320 * 40)})
    print(json.dumps({"docked": stop is not None, "colours": shots}), flush=True)
    if stop:
        stop()

asyncio.run(main())
import os
os._exit(0)  # pystray's X11 thread outlives stop() (the listener leaves the same way)
"""


def test_tray_icon_on_screen(tmp_path: Path) -> None:
    for tool, package in (("Xvfb", "xvfb"), ("trayer", "trayer")):
        if shutil.which(tool) is None:
            unavailable(f"{tool} missing: install the Debian package {package} (scripts/apt-packages.txt)")
    x = Xvfb().start()
    env = {**os.environ, "DISPLAY": x.display, "PYTHONPATH": str(ROOT), "PA_HOME": str(tmp_path / "home")}
    env.pop("PYSTRAY_BACKEND", None)
    env.pop("WAYLAND_DISPLAY", None)
    tray = subprocess.Popen(["trayer", "--edge", "top", "--align", "left", "--widthtype", "pixel", "--width", "120",
                             "--height", "40", "--transparent", "false"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)  # trayer takes the _NET_SYSTEM_TRAY selection
        p = subprocess.run(["dbus-run-session", "--", sys.executable, "-c", SHOW, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120)
    finally:
        tray.terminate()
        tray.wait(10)
        x.stop()
    result = json.loads([ln for ln in p.stdout.splitlines() if ln.startswith("{")][-1])
    assert result["docked"], p.stderr[-1500:]
    for state in ("idle", "listening", "muted"):  # the state's colour is on the screen, in the tray
        colours = {tuple(c) for c in result["colours"][state]}
        assert COLOURS[state] in colours, (state, sorted(colours)[:20])
    assert COLOURS["listening"] not in {tuple(c) for c in result["colours"]["idle"]}
