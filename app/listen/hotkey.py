"""The global push-to-talk key: held in any program, it calls ``on_down`` once and ``on_up`` once.

pynput watches the whole keyboard without taking it: on X11 through the XRecord extension (the key
still reaches the focused window), on Windows and macOS through their system hooks (macOS asks for
the Accessibility / Input Monitoring permission). The key repeats of a held key are folded into one
press. On Wayland pynput sees only keys typed into XWayland windows (docs/listen.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any


class HotkeyError(Exception):
    """The key name is unknown, or no keyboard can be watched here; the message says which."""


def session_kind() -> str:
    """x11, wayland, or the platform (windows, macos) this runs on."""
    import sys

    if sys.platform == "darwin":
        return "macos"
    if sys.platform.startswith("win"):
        return "windows"
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    return "x11"


def _keyboard() -> Any:
    """pynput.keyboard, or HotkeyError when there is no display to watch (it connects on import)."""
    try:
        from pynput import keyboard
    except ImportError as exc:
        raise HotkeyError("no keyboard to watch: the listener needs a desktop session (no display found)") from exc
    return keyboard


def key_name(name: str) -> str:
    """A setting's key name as the key tables here know it: "Scroll Lock" -> scroll_lock, "F13" -> f13."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def parse_key(name: str) -> Any:
    """A pynput key for a setting's key name (ctrl_r, F13, scroll_lock, or one character)."""
    keyboard = _keyboard()
    text = name.strip()
    if len(text) == 1:
        return keyboard.KeyCode.from_char(text.lower())
    key = getattr(keyboard.Key, key_name(text), None)
    if key is None:
        raise HotkeyError(f"unknown push-to-talk key {name!r}: use a key name like ctrl_r, alt_r, f13, "
                          "scroll_lock, pause, or one character")
    return key


class GlobalHotkey:
    """Watches one key everywhere. ``on_down``/``on_up`` run on pynput's thread: keep them short."""

    def __init__(self, key_name: str, on_down: Callable[[], None], on_up: Callable[[], None]) -> None:
        self.key = parse_key(key_name)
        self._on_down = on_down
        self._on_up = on_up
        self._held = False
        self._lock = threading.Lock()
        self._listener: Any = None

    def _matches(self, key: Any) -> bool:
        if key == self.key:
            return True
        char = getattr(key, "char", None)
        return char is not None and char.lower() == getattr(self.key, "char", None)

    def _press(self, key: Any) -> None:
        if not self._matches(key):
            return
        with self._lock:
            if self._held:  # the key repeats while held
                return
            self._held = True
        self._on_down()

    def _release(self, key: Any) -> None:
        if not self._matches(key):
            return
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._on_up()

    def start(self) -> GlobalHotkey:
        keyboard = _keyboard()
        self._listener = keyboard.Listener(on_press=self._press, on_release=self._release)
        self._listener.start()
        self._listener.wait()  # until the keyboard is watched: a press right after start is seen
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
