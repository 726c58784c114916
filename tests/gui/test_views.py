"""View builders produce plain Flet control trees: check what they show without a browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import flet as ft
import pytest

from app.engine import ApprovalView
from app.gui.approvals import approval_card_body

pytestmark = pytest.mark.unit


def _texts(c: object) -> list[str]:
    out: list[str] = []
    if isinstance(c, ft.Text) and c.value:
        out.append(str(c.value))
    for attr in ("content", "controls"):
        v = getattr(c, attr, None)
        for child in v if isinstance(v, list) else [v] if v is not None else []:
            out += _texts(child)
    return out


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
