"""The tray icon's menu on a real X11 system tray, with the backend pystray picks by itself when PyGObject
is installed (AppIndicator, which falls back to a GTK status icon where the tray is an XEmbed one such as
trayer): a right click opens the menu, its lines are read off the screen (Tesseract), a click on "Mute"
mutes the listener, and the screenshot is kept in bench/results/tray-screenshots."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.listen.rig import ROOT
from tests.servers.base import unavailable
from tests.servers.xvfb import Xvfb

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "bench" / "results" / "tray-screenshots"

SHOW = """
import asyncio, json, sys
import pystray
from app.engine.local import LocalEngine
from app.listen.service import DesktopListener
from app.listen.tray import Tray
from app.services import build_services
from app.settings import ListenSettings

async def main():
    engine = LocalEngine(build_services(), speech_output="off", preload=False, alarms=False)
    listener = DesktopListener(engine, ListenSettings(sounds=False), print)
    await listener.prepare(load=False)
    tray = Tray(listener, sys.argv[1], "ctrl_r")
    stop = tray.start()
    print(json.dumps({"backend": pystray.Icon.__module__, "docked": stop is not None}), flush=True)
    muted = listener.muted
    for _ in range(600):
        await asyncio.sleep(0.1)
        if listener.muted != muted:
            muted = listener.muted
            print(json.dumps({"muted": muted}), flush=True)
    if stop:
        stop()

asyncio.run(main())
import os
os._exit(0)
"""


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[dict[str, Any]]:
    out: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("{"):
                out.put(json.loads(line))

    threading.Thread(target=read, daemon=True).start()
    return out


def _screen(display: str, path: Path) -> None:
    from PIL import Image
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        raw = d.screen().root.get_image(0, 0, 1024, 768, X.ZPixmap, 0xFFFFFFFF)
    finally:
        d.close()
    Image.frombytes("RGB", (1024, 768), raw.data, "raw", "BGRX").save(path)


def _words(path: Path, lang: str) -> dict[str, tuple[int, int]]:
    """Each word Tesseract reads on the screenshot below the tray (the menu: what is not the black root
    window, drawn twice as large for Tesseract), with the centre of its box on the screen."""
    from PIL import Image

    screen = Image.open(path).convert("RGB")
    below = screen.crop((0, 40, screen.width, screen.height))
    box = below.point(lambda v: 255 if v > 16 else 0).getbbox()
    assert box is not None, "nothing drawn below the tray"
    left, top = box[0], box[1] + 40
    menu = screen.crop((left, top, box[2], box[3] + 40))
    big = path.with_name(path.stem + "_menu.png")
    menu.resize((menu.width * 2, menu.height * 2), Image.Resampling.LANCZOS).save(big)
    tsv = subprocess.run(["tesseract", str(big), "stdout", "-l", "deu+eng" if lang == "de" else "eng", "--psm", "6",
                          "tsv"], capture_output=True, text=True, timeout=120, check=True).stdout
    words: dict[str, tuple[int, int]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) == 12 and cols[11].strip():
            x, y, w, h = (int(c) for c in cols[6:10])
            words.setdefault(cols[11].strip().strip(".,:"), (left + (x + w // 2) // 2, top + (y + h // 2) // 2))
    return words


@pytest.mark.parametrize(("lang", "mute", "others"), [("en", "Mute", ["Quit", "meeting"]),
                                                        ("de", "Stumm", ["Beenden", "Meeting"])])
def test_the_tray_menu_opens_on_screen_and_its_mute_mutes(tmp_path: Path, lang: str, mute: str,
                                                          others: list[str]) -> None:
    for tool, package in (("Xvfb", "xvfb"), ("trayer", "trayer"), ("xdotool", "xdotool"),
                          ("tesseract", "tesseract-ocr")):
        if shutil.which(tool) is None:
            unavailable(f"{tool} missing: install the Debian package {package} (scripts/apt-packages.txt)")
    try:
        import gi  # noqa: F401
    except ImportError:
        unavailable("PyGObject missing: scripts/setup.sh --dev installs it (the tray menu's GTK backends)")
    x = Xvfb().start()
    env = {**os.environ, "DISPLAY": x.display, "PYTHONPATH": str(ROOT), "PA_HOME": str(tmp_path / "home"),
           "PA_LANGUAGE": lang}
    env.pop("PYSTRAY_BACKEND", None)
    env.pop("WAYLAND_DISPLAY", None)
    tray = subprocess.Popen(["trayer", "--edge", "top", "--align", "left", "--widthtype", "pixel", "--width", "120",
                             "--height", "40", "--transparent", "false"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    child: subprocess.Popen[str] | None = None
    try:
        time.sleep(1.5)  # trayer takes the _NET_SYSTEM_TRAY selection
        child = subprocess.Popen(["dbus-run-session", "--", sys.executable, "-c", SHOW, lang], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = _lines(child)
        started = lines.get(timeout=90)
        assert started["docked"], started
        assert started["backend"].endswith("_appindicator"), started  # the first choice, with a menu
        time.sleep(2.0)  # the icon docks in the tray
        subprocess.run(["xdotool", "mousemove", "20", "20", "click", "3"], env=env, check=True, timeout=10)
        time.sleep(1.5)
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"tray_menu_{lang}.png"
        _screen(x.display, shot)
        words = _words(shot, lang)
        assert mute in words, sorted(words)
        for w in others:
            assert any(w.lower() in seen.lower() for seen in words), (w, sorted(words))
        cx, cy = words[mute]
        subprocess.run(["xdotool", "mousemove", str(cx), str(cy), "click", "1"], env=env, check=True, timeout=10)
        assert lines.get(timeout=10) == {"muted": True}
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        tray.terminate()
        tray.wait(10)
        x.stop()
