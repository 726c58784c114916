"""Desktop notifications of the listener through the freedesktop notification service
(``org.freedesktop.Notifications`` on the session D-Bus; GNOME, KDE, Xfce, dunst, mako ...), with jeepney
(pure Python, already a dependency of the keyring). A timer or reminder that rings and an approval that
waits become notifications; an approval's has Approve and Deny buttons where the service shows actions,
and a click on one decides it (the same as saying yes or no). Where no such service answers (no session
bus, a bare X server, macOS and Windows for now) the listener prints the notification as a line and the
tray's title shows the state: nothing is lost, it is only less visible."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from app.listen.strings import TRAY

log = logging.getLogger(__name__)
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class DesktopNotifier:
    """``on_action(approval_id, approve)`` runs on the notifier's own thread when a button is clicked."""

    def __init__(self, language: str, on_action: Callable[[int, bool], None]) -> None:
        self.language = language
        self.on_action = on_action
        self._conn: Any = None
        self._actions = False
        self._approvals: dict[int, int] = {}  # notification id -> approval id
        self._lock = threading.Lock()

    def connect(self, address: str = "SESSION") -> bool:
        """True when a notification service answers; else the caller prints lines instead."""
        try:
            from jeepney import DBusAddress, new_method_call
            from jeepney.io.blocking import open_dbus_connection
            from jeepney.wrappers import unwrap_msg

            conn = open_dbus_connection(bus=address)
            target = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
            caps = unwrap_msg(conn.send_and_get_reply(new_method_call(target, "GetCapabilities"), timeout=5))[0]
        except Exception as exc:  # no bus, no service, a service that does not answer
            log.info("no desktop notifications: %s", exc)
            return False
        self._conn, self._actions = conn, "actions" in caps
        self._target = target
        if self._actions:
            threading.Thread(target=self._watch, args=(address,), name="notify-actions", daemon=True).start()
        return True

    def notify(self, title: str, body: str, approval_id: int | None = None) -> bool:
        conn = self._conn
        if conn is None:
            return False
        from jeepney import new_method_call
        from jeepney.wrappers import unwrap_msg

        actions: list[str] = []
        if approval_id is not None:
            title = TRAY.text("approval.title", self.language, summary=title)
            if self._actions:
                actions = ["approve", TRAY.text("approve", self.language), "deny", TRAY.text("deny", self.language)]
        msg = new_method_call(self._target, "Notify", "susssasa{sv}i",
                              ("personal-agent", 0, "audio-input-microphone", title, body, actions, {}, -1))
        try:
            with self._lock:
                nid = int(unwrap_msg(conn.send_and_get_reply(msg, timeout=5))[0])
        except Exception as exc:
            log.warning("notification not shown: %s", exc)
            return False
        if approval_id is not None:
            self._approvals[nid] = approval_id
        return True

    def _watch(self, address: str) -> None:
        """Button clicks: the service's ActionInvoked signal (on a connection of its own)."""
        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection

        try:
            conn = open_dbus_connection(bus=address)
            rule = MatchRule(type="signal", interface=SERVICE, member="ActionInvoked", path=PATH)
            conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
            with conn.filter(rule) as signals:
                while self._conn is not None:
                    msg = conn.recv_until_filtered(signals)
                    nid, key = int(msg.body[0]), str(msg.body[1])
                    approval = self._approvals.pop(nid, None)
                    if approval is not None and key in ("approve", "deny"):
                        self.on_action(approval, key == "approve")
        except Exception as exc:
            log.info("notification buttons: %s", exc)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
