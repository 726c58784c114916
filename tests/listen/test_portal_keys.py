"""The push-to-talk key on Wayland through the desktop portal's global shortcuts, on a real session D-Bus (a
private dbus-daemon) with a portal written here with jeepney that speaks the GlobalShortcuts protocol as
xdg-desktop-portal documents it (CreateSession and BindShortcuts answered through request objects and
their Response signals, Activated/Deactivated when the key goes down and up, Session.Close). The desktop's
own portal (KDE, GNOME 48+) is not on this machine."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from app.listen.hotkey import HotkeyError
from app.listen.portal_keys import (
    PORTAL,
    PORTAL_PATH,
    REQUEST,
    SHORTCUT_ID,
    SHORTCUTS,
    PortalHotkey,
    portal_trigger,
)

pytestmark = pytest.mark.integration


class Portal:
    """The desktop's side: owns org.freedesktop.portal.Desktop with the GlobalShortcuts interface."""

    def __init__(self, address: str, answer: int = 0) -> None:
        from jeepney import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.address = address
        self.answer = answer  # 0: bound; 1: the user said no in the desktop's dialog
        self.conn = open_dbus_connection(bus=address)
        self.conn.send_and_get_reply(message_bus.RequestName(PORTAL), timeout=5)
        self.sessions: list[str] = []
        self.bound: list[tuple[str, dict[str, Any]]] = []
        self.closed: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _respond(self, path: str, results: dict[str, Any]) -> None:
        from jeepney import DBusAddress, new_signal

        self.conn.send(new_signal(DBusAddress(path, interface=REQUEST), "Response", "ua{sv}", (self.answer, results)))

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return

        while True:
            try:
                msg = self.conn.receive()
            except Exception:
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            fields = msg.header.fields
            member, sender = fields.get(HeaderFields.member), str(fields.get(HeaderFields.sender, ""))
            request = f"{PORTAL_PATH}/request/{sender.lstrip(':').replace('.', '_')}/"
            if member == "Get" and msg.body[0] == SHORTCUTS:
                self.conn.send(new_method_return(msg, "v", (("u", 1),)))
            elif member == "CreateSession":
                opts = msg.body[0]
                session = f"{PORTAL_PATH}/session/{sender.lstrip(':').replace('.', '_')}/{opts['session_handle_token'][1]}"
                self.sessions.append(session)
                self.conn.send(new_method_return(msg, "o", (request + opts["handle_token"][1],)))
                self._respond(request + opts["handle_token"][1], {"session_handle": ("s", session)})
            elif member == "BindShortcuts":
                session, shortcuts, _parent, opts = msg.body
                self.bound = [(sid, {k: v[1] for k, v in info.items()}) for sid, info in shortcuts]
                self.conn.send(new_method_return(msg, "o", (request + opts["handle_token"][1],)))
                given = [(sid, {"description": info["description"], "trigger_description": ("s", "Press Ctrl+Right")})
                         for sid, info in shortcuts]
                self._respond(request + opts["handle_token"][1], {"shortcuts": ("a(sa{sv})", given)})
            elif member == "Close":
                self.closed.append(str(fields.get(HeaderFields.path)))
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))

    def key(self, member: str, shortcut: str = SHORTCUT_ID) -> None:
        from jeepney import DBusAddress, new_signal
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus=self.address) as conn:
            conn.send(new_signal(DBusAddress(PORTAL_PATH, interface=SHORTCUTS), member, "osta{sv}",
                                 (self.sessions[-1], shortcut, int(time.time() * 1000), {})))


def _until(check: Any, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.02)
    return bool(check())


def test_the_portals_shortcut_is_push_to_talk(session_bus: str) -> None:
    portal = Portal(session_bus)
    presses: list[str] = []
    keys = PortalHotkey("ctrl_r", lambda: presses.append("down"), lambda: presses.append("up"), "Push to talk",
                        bus=session_bus).start()
    try:
        assert portal.bound == [(SHORTCUT_ID, {"description": "Push to talk", "preferred_trigger": "Control_R"})]
        assert keys.bound == "Press Ctrl+Right"  # the desktop's words for the key it bound
        portal.key("Activated")
        portal.key("Activated")  # a second press while held is one press
        portal.key("Deactivated")
        assert _until(lambda: presses == ["down", "up"]), presses
        portal.key("Activated", shortcut="other")  # another program's shortcut
        time.sleep(0.3)
        assert presses == ["down", "up"]
    finally:
        keys.stop()
    assert _until(lambda: portal.closed == portal.sessions[-1:]), portal.closed  # the binding goes with the session


def test_no_portal_and_a_refused_shortcut_are_one_clear_error(session_bus: str) -> None:
    with pytest.raises(HotkeyError, match="no global shortcuts portal"):
        PortalHotkey("f13", lambda: None, lambda: None, bus=session_bus).start()
    Portal(session_bus, answer=1)
    with pytest.raises(HotkeyError, match="you said no"):
        PortalHotkey("f13", lambda: None, lambda: None, bus=session_bus).start()


def test_key_names_become_the_triggers_the_shortcut_spec_names() -> None:
    assert [portal_trigger(k) for k in ("ctrl_r", "F13", "scroll_lock", "a", "alt_l")] == [
        "Control_R", "F13", "Scroll_Lock", "a", "Alt_L"]
    with pytest.raises(HotkeyError, match="unknown push-to-talk key"):
        portal_trigger("hyper_x")
