"""The tray icon (menu-bar icon on macOS) of the background listener, with pystray: its picture and title
say the state (idle, listening, thinking, speaking, muted, recording a meeting: the microphone is on
exactly while it shows listening or recording); its menu: the state, Mute, Start/Stop meeting
recording, Open the app, Quit.

The menu is built by :meth:`Tray.menu` from plain pystray ``Menu``/``MenuItem`` objects, so it works
(and is tested) without a display. Which backend shows it: Windows and macOS their own; Linux the
AppIndicator/StatusNotifier backend when PyGObject and the indicator library are installed and the
desktop has a tray host, else GTK, else plain X11 (an icon without a menu: clicking it mutes)."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.listen.strings import TRAY, key_label

if TYPE_CHECKING:
    from PIL.Image import Image

    from app.listen.service import DesktopListener, ListenState

log = logging.getLogger(__name__)
COLOURS: dict[str, tuple[int, int, int]] = {
    "idle": (120, 120, 120), "listening": (220, 40, 40), "thinking": (230, 160, 20),
    "speaking": (40, 120, 220), "muted": (60, 60, 60), "recording": (200, 0, 120), "hands_free": (230, 90, 30),
}


def icon_image(state: ListenState, size: int = 64) -> Image:
    """A round icon in the state's colour; a microphone (open) while the microphone is on, a bar when muted."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((2, 2, size - 3, size - 3), fill=COLOURS[state])
    w = size // 64 or 1
    d.rounded_rectangle((size * 0.4, size * 0.2, size * 0.6, size * 0.58), radius=size // 10, fill="white")
    d.arc((size * 0.3, size * 0.35, size * 0.7, size * 0.68), 0, 180, fill="white", width=4 * w)
    d.line((size / 2, size * 0.68, size / 2, size * 0.8), fill="white", width=4 * w)
    if state == "muted":
        d.line((size * 0.25, size * 0.25, size * 0.75, size * 0.78), fill="white", width=6 * w)
    return img


def x11_tray_host() -> bool:
    """Whether an X11 system tray (a ``_NET_SYSTEM_TRAY_S<screen>`` selection owner) runs: without one
    pystray's plain X11 backend logs a traceback per state change and never stops."""
    from Xlib import X, display

    d = display.Display()
    try:
        owner = d.get_selection_owner(d.intern_atom(f"_NET_SYSTEM_TRAY_S{d.get_default_screen()}"))
        return getattr(owner, "id", owner) not in (0, X.NONE)
    finally:
        d.close()


def open_app() -> None:
    """The full app's window, as its own process."""
    subprocess.Popen([sys.executable, "-m", "app.cli.main"], start_new_session=True)


class Tray:
    def __init__(self, listener: DesktopListener, language: str, key: str,
                 launch: Callable[[], None] = open_app) -> None:
        self.listener = listener
        self.language = language
        self.key = key
        self.launch = launch
        self.icon: Any = None
        listener.state_listeners.append(self._show)

    def text(self, name: str, /, **values: object) -> str:
        return TRAY.text(name, self.language, **values)

    def title(self) -> str:
        state = self.listener.state
        return self.text("title", state=self.text(f"state.{state}", key=key_label(self.key, self.language)))

    def menu(self) -> Any:
        import pystray

        item, listener = pystray.MenuItem, self.listener
        return pystray.Menu(
            item(lambda _i: self.title(), None, enabled=False),
            pystray.Menu.SEPARATOR,
            item(self.text("mute"), lambda: listener.set_muted(not listener.muted),
                 checked=lambda _i: listener.muted, default=True),
            item(lambda _i: self.text("meeting.stop" if listener.recording else "meeting.start"),
                 lambda: listener.toggle_meeting()),
            item(self.text("open"), lambda: self.launch()),
            pystray.Menu.SEPARATOR,
            item(self.text("quit"), lambda: listener.quit()),
        )

    def _show(self, state: ListenState) -> None:
        icon = self.icon
        if icon is None:
            return
        icon.icon = icon_image(state)
        icon.title = self.title()
        try:
            icon.update_menu()
        except Exception as exc:  # a backend without a menu
            log.debug("tray menu: %s", exc)

    def start(self) -> Callable[[], None] | None:
        """Show the icon (its own thread); None with a log line when this desktop has no tray."""
        try:
            import pystray

            if pystray.Icon.__module__.endswith("_xorg") and not x11_tray_host():
                log.warning("no tray icon: this desktop has no system tray (the key works without it)")
                return None
            self.icon = pystray.Icon("personal-agent", icon_image(self.listener.state), self.title(), self.menu())
            if pystray.Icon.__module__.endswith(("_gtk", "_appindicator")):
                # GTK's backends need a GLib main loop: their own, in a thread (the listener's is asyncio)
                threading.Thread(target=self.icon.run, name="tray", daemon=True).start()
            else:
                self.icon.run_detached()
        except Exception as exc:  # no display, no tray host, a backend that failed to load
            log.warning("no tray icon: %s", exc)
            self.icon = None
            return None
        return self.stop

    def stop(self) -> None:
        icon, self.icon = self.icon, None
        if icon is not None:
            icon.stop()
