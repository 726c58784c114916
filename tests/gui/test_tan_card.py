"""The bank's TAN card under the reply that asks for it (app/gui/tan_card.py) is one set of controls for as
long as the turn waits: a refresh of the turns (the reply's speech ended: its "Spoken" line) had built a new
card, and a press on the old Send button, arriving meanwhile, went nowhere."""

from __future__ import annotations

from typing import Any

import flet as ft
import pytest

from agents.replies import TanChallenge
from app.gui.conversation import ConversationScreen
from app.gui.state import Turn, UiModel

pytestmark = pytest.mark.unit


class _App:
    def __init__(self) -> None:
        self.model = UiModel()
        self.spoken_turns: dict[str, Any] = {}


def _find(c: Any, ident: str) -> ft.Semantics | None:
    if isinstance(c, ft.Semantics) and c.identifier == ident:
        return c
    for attr in ("content", "controls"):
        v = getattr(c, attr, None)
        for child in v if isinstance(v, list) else [v] if v is not None else []:
            found = _find(child, ident)
            if found is not None:
                return found
    return None


def test_the_tan_card_stays_the_same_while_the_turn_waits() -> None:
    app = _App()
    screen = ConversationScreen(app)  # type: ignore[arg-type]
    challenge = TanChallenge(transfer_id="t1", text="Bitte TAN eingeben", image_type="image/png", image_b64="iVBORw0K")
    app.model.turns.append(Turn(id="a1", user="transfer 50 euros to Anna", reply="The bank asks for a TAN.",
                                done=True, tan=challenge))
    screen.refresh()
    send, field = _find(screen.turns, "tan-send"), _find(screen.turns, "tan-field")
    assert send is not None and field is not None
    app.spoken_turns["a1"] = 3.1  # the reply was spoken to the end: the turns are shown again
    screen.refresh()
    assert _find(screen.turns, "tan-send") is send and _find(screen.turns, "tan-field") is field
    app.model.turns.append(Turn(id="a2", user="TAN 123456", reply="Done: the bank has executed the transfer.",
                                done=True))
    screen.refresh()
    assert _find(screen.turns, "tan-send") is None  # a later turn takes the card away
