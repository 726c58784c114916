"""View builders produce plain Flet control trees: check what they show without a browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import flet as ft
import pytest

from app.engine import ApprovalView
from app.gui.approvals import approval_card_body
from tests.gui.controls import texts as _texts

pytestmark = pytest.mark.unit




def test_approval_card_shows_exactly_what_will_happen() -> None:
    now = datetime.now(UTC)
    a = ApprovalView(id=7, action="communication.send_mail", summary='Send an e-mail to ann@example.org, subject "Invoice"',
                     details={"Recipient": "ann@example.org", "Subject": "Invoice", "Body": "Here it is.",
                              "Amount": "120 EUR"}, created_at=now, expires_at=now + timedelta(minutes=5))
    shown = _texts(approval_card_body(a))
    assert shown[0].startswith("Send an e-mail to ann@example.org")
    for label, value in a.details.items():
        assert label + ":" in shown and value in shown
    assert any("yes" in t and "no" in t for t in shown)


def test_approval_card_names_the_action_in_plain_words() -> None:
    from app.gui.approvals import action_words

    now = datetime.now(UTC)
    a = ApprovalView(id=8, action="calendar.create_event", summary="Create the event “Lunch”",
                     details={"Action": "calendar.create_event", "Title": "Lunch"}, created_at=now,
                     expires_at=now + timedelta(minutes=5))
    shown = _texts(approval_card_body(a))
    assert "Calendar: create event" in shown and not any("create_event" in t for t in shown), shown
    assert action_words("set_timer") == "Set timer"


def test_controls_have_no_tooltips_and_an_icon_button_one_name() -> None:
    """A tooltip that goes away re-parents Flutter web's semantics tree (typed keys were lost), and a
    tooltip plus a label announced an icon button twice ("Send Send")."""
    from app.gui.widgets import button, icon_button

    send = icon_button(ft.Icons.SEND, "Send", lambda e: None, "send")
    assert send.label == "Send" and isinstance(send.content, ft.IconButton) and not send.content.tooltip
    save = button("Save settings", lambda e: None, "settings-save")
    assert save.content is not None and not save.content.tooltip


def test_the_phone_hint_names_no_key() -> None:
    from app.gui.conversation import ptt_hint

    assert "space" not in ptt_hint(True, " ").lower()
    assert ptt_hint(False, " ").endswith("Hold space to talk.") and ptt_hint(False, "F8").endswith("Hold F8 to talk.")
