"""Desktop notifications through a real session D-Bus (a private dbus-daemon) and a notification service
written here with jeepney (what a desktop's shell runs: GetCapabilities, Notify, the ActionInvoked signal):
an approval that waits is shown with Approve and Deny, a click decides it; with no service on the bus the
notifier says so and the listener prints the line instead."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from app.listen.notify import PATH, SERVICE, DesktopNotifier

pytestmark = pytest.mark.integration


class NotificationService:
    """The desktop's side: owns org.freedesktop.Notifications, records each Notify, can click a button."""

    def __init__(self, address: str) -> None:
        from jeepney import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.address = address
        self.conn = open_dbus_connection(bus=address)
        self.conn.send_and_get_reply(message_bus.RequestName(SERVICE), timeout=5)
        self.shown: list[tuple[Any, ...]] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_method_return

        while True:
            try:
                msg = self.conn.receive()
            except Exception:
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            if member == "GetCapabilities":
                self.conn.send(new_method_return(msg, "as", (["actions", "body"],)))
            elif member == "Notify":
                self.shown.append(msg.body)
                self.conn.send(new_method_return(msg, "u", (len(self.shown),)))

    def click(self, notification_id: int, key: str) -> None:
        from jeepney import DBusAddress, new_signal
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus=self.address) as conn:
            conn.send(new_signal(DBusAddress(PATH, interface=SERVICE), "ActionInvoked", "us", (notification_id, key)))


def test_approval_notification_with_buttons(session_bus: str) -> None:
    shell = NotificationService(session_bus)
    decided: list[tuple[int, bool]] = []
    notifier = DesktopNotifier("de", lambda approval, yes: decided.append((approval, yes)))
    assert notifier.connect(session_bus)
    try:
        assert notifier.notify("Mail an Bob senden", "communication.send_mail", 7)
        assert notifier.notify("Tee", "Der Tee-Timer ist abgelaufen.")
        assert len(shell.shown) == 2
        app, _, _icon, title, body, actions, _, _ = shell.shown[0]
        assert (app, title, body) == ("personal-agent", "Wartet auf dein Ja: Mail an Bob senden",
                                      "communication.send_mail")
        assert actions == ["approve", "Zustimmen", "deny", "Ablehnen"]
        assert shell.shown[1][5] == []  # a timer has no buttons
        time.sleep(0.3)  # the notifier's signal watch is subscribed
        shell.click(2, "approve")  # a click on another notification decides nothing
        shell.click(1, "approve")
        deadline = time.monotonic() + 10
        while not decided and time.monotonic() < deadline:
            time.sleep(0.05)
        assert decided == [(7, True)]
    finally:
        notifier.close()


def test_no_notification_service(session_bus: str) -> None:
    notifier = DesktopNotifier("en", lambda approval, yes: None)
    assert not notifier.connect(session_bus)  # a bus, but nobody shows notifications
    assert not notifier.notify("Tea", "The tea timer is done.")


def test_listener_prints_what_it_cannot_notify() -> None:
    """No notification service: an approval that waits and a timer that rang become lines."""
    from datetime import UTC, datetime

    from agents.replies import ApprovalInfo
    from agents.turn import ApprovalRequested
    from app.engine import TimerChanged, TimerView
    from app.engine.local import LocalEngine
    from app.listen.service import DesktopListener
    from app.services import build_services
    from app.settings import ListenSettings

    lines: list[str] = []
    engine = LocalEngine(build_services(), speech_output="off", preload=False, alarms=False)
    listener = DesktopListener(engine, ListenSettings(sounds=False), lines.append)
    listener.alert = DesktopNotifier("en", lambda a, y: None).notify  # not connected: shows nothing
    engine.subscribe(listener._on_event)
    engine.core.bus.emit(ApprovalRequested(approval=ApprovalInfo(id=3, action="communication.send_mail",
                                                                 summary="Send the mail to Bob",
                                                                 expires_at=datetime.now(UTC))))
    engine.core.bus.emit(TimerChanged(change="rang", timer=TimerView(
        id="timer-1", kind="timer", label="tea", ends_at=datetime.now(UTC), text="The tea timer is done.")))
    assert lines == ["Waiting for your yes: Send the mail to Bob", "tea: The tea timer is done."]
