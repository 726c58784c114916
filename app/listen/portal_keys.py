"""The push-to-talk key on Wayland: the desktop portal's global shortcuts.

Wayland gives no program the keys typed into another's window, so pynput (app/listen/hotkey.py) sees only
XWayland windows there. The portal (``org.freedesktop.portal.GlobalShortcuts`` on the session bus: KDE
Plasma 5.27+, GNOME 48+, Hyprland) lets a program *ask* for a shortcut: the desktop binds it (it may show the
user a dialog to confirm or change the key) and then sends ``Activated`` when it is pressed and
``Deactivated`` when it is released, in any window, which is what push-to-talk needs.

The protocol (xdg-desktop-portal's documentation): ``CreateSession`` and ``BindShortcuts`` each answer with
a request object whose ``Response`` signal carries the result; the request's path is known before the call
(``/org/freedesktop/portal/desktop/request/<sender>/<token>``), so the signal is subscribed to first. Written
here with jeepney (already used for the notifications) rather than a portal library: the one maintained
Python wrapper of the portals needs GLib's D-Bus and a main loop, this is four calls and two signals."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any

from app.listen.hotkey import HotkeyError, key_name

log = logging.getLogger(__name__)

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
SHORTCUT_ID = "push-to-talk"
_REPLY_S = 120.0  # the desktop may show the user a dialog to confirm the key: give them time

# a setting's key name -> the trigger the shortcut spec names it by (modifiers CTRL/ALT/SHIFT/LOGO + an XKB
# keysym); the desktop may bind another (the user's choice), the portal reports the one it bound
_TRIGGERS = {"ctrl_r": "Control_R", "ctrl_l": "Control_L", "alt_r": "Alt_R", "alt_l": "Alt_L", "shift_r": "Shift_R",
             "shift_l": "Shift_L", "cmd_r": "Super_R", "cmd_l": "Super_L", "scroll_lock": "Scroll_Lock",
             "pause": "Pause", "caps_lock": "Caps_Lock", "menu": "Menu", "insert": "Insert"}


def portal_trigger(name: str) -> str:
    """The preferred trigger for a setting's key name (ctrl_r -> Control_R, f13 -> F13, a -> a)."""
    n = key_name(name)
    if len(n) == 1:
        return n
    if n[:1] == "f" and n[1:].isdigit():
        return n.upper()
    if n in _TRIGGERS:
        return _TRIGGERS[n]
    raise HotkeyError(f"unknown push-to-talk key {name!r}: use a key name like ctrl_r, alt_r, f13, scroll_lock, "
                      "pause, or one character")


class PortalHotkey:
    """The push-to-talk key through the portal; ``on_down``/``on_up`` run on its thread: keep them short."""

    def __init__(self, key_name: str, on_down: Callable[[], None], on_up: Callable[[], None],
                 description: str = "Push to talk", bus: str = "SESSION") -> None:
        self.trigger = portal_trigger(key_name)
        self.description = description
        self.bus = bus
        self.bound = ""  # the trigger the desktop bound (its words, e.g. "Press Ctrl+Right")
        self._on_down = on_down
        self._on_up = on_up
        self._held = False
        self._conn: Any = None
        self._session = ""
        self._thread: threading.Thread | None = None

    def _request(self, method: str, signature: str, body: tuple[Any, ...], token: str) -> dict[str, Any]:
        """Call a portal method that answers through a request object; the Response's results."""
        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
        from jeepney.wrappers import unwrap_msg

        sender = self._conn.unique_name.lstrip(":").replace(".", "_")
        path = f"{PORTAL_PATH}/request/{sender}/{token}"
        rule = MatchRule(type="signal", interface=REQUEST, member="Response", path=path)
        self._conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=10)
        with self._conn.filter(rule) as queue:
            call = new_method_call(DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=SHORTCUTS), method,
                                   signature, body)
            unwrap_msg(self._conn.send_and_get_reply(call, timeout=10))
            signal = self._conn.recv_until_filtered(queue, timeout=_REPLY_S)
        code, results = signal.body
        if code != 0:
            raise HotkeyError("the desktop did not give the push-to-talk shortcut"
                              + (" (you said no)" if code == 1 else ""))
        return {k: v[1] for k, v in results.items()}

    def start(self) -> PortalHotkey:
        """Bind the shortcut; HotkeyError when the session has no portal with global shortcuts."""
        from jeepney import DBusAddress, MatchRule, Properties, message_bus
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        try:
            self._conn = open_dbus_connection(bus=self.bus)
        except (OSError, KeyError, ValueError) as exc:
            raise HotkeyError(f"no session bus for the desktop portal: {exc}") from exc
        try:
            version = Properties(DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=SHORTCUTS)).get("version")
            unwrap_msg(self._conn.send_and_get_reply(version, timeout=5))
            token = f"pa{secrets.token_hex(6)}"
            created = self._request("CreateSession", "a{sv}", ({"handle_token": ("s", token),
                                                               "session_handle_token": ("s", token)},), token)
            self._session = str(created["session_handle"])
            token = f"pa{secrets.token_hex(6)}"
            shortcut = (SHORTCUT_ID, {"description": ("s", self.description),
                                      "preferred_trigger": ("s", self.trigger)})
            bound = self._request("BindShortcuts", "oa(sa{sv})sa{sv}",
                                  (self._session, [shortcut], "", {"handle_token": ("s", token)}), token)
            for sid, info in bound.get("shortcuts", []):
                if sid == SHORTCUT_ID:
                    self.bound = str(info.get("trigger_description", ("s", ""))[1])
            keys = MatchRule(type="signal", interface=SHORTCUTS, path=PORTAL_PATH)
            self._conn.send_and_get_reply(message_bus.AddMatch(keys), timeout=10)
        except (DBusErrorResponse, TimeoutError, OSError, KeyError) as exc:
            self.stop()
            raise HotkeyError(f"the desktop has no global shortcuts portal: {exc}") from exc
        except HotkeyError:
            self.stop()
            raise
        self._thread = threading.Thread(target=self._watch, name="portal-keys", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        from jeepney import HeaderFields, MessageType

        while (conn := self._conn) is not None:
            try:
                msg = conn.receive()
            except Exception:  # the connection closed (stop) or the bus went away
                return
            fields = msg.header.fields
            if (msg.header.message_type != MessageType.signal or fields.get(HeaderFields.interface) != SHORTCUTS
                    or len(msg.body) < 2 or msg.body[0] != self._session or msg.body[1] != SHORTCUT_ID):
                continue
            member = fields.get(HeaderFields.member)
            if member == "Activated" and not self._held:
                self._held = True
                self._on_down()
            elif member == "Deactivated" and self._held:
                self._held = False
                self._on_up()

    def stop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._session:
            from jeepney import DBusAddress, new_method_call

            try:  # the desktop forgets the binding with the session
                conn.send(new_method_call(DBusAddress(self._session, bus_name=PORTAL, interface=SESSION), "Close"))
            except OSError as exc:
                log.debug("portal session close: %s", exc)
        conn.close()
