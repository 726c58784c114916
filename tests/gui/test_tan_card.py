"""The bank's TAN card under the reply that asks for it (app/gui/tan_card.py) is one set of controls for as
long as the turn waits: a refresh of the turns (the reply's speech ended: its "Spoken" line) had built a new
card, and a press on the old Send button, arriving meanwhile, went nowhere."""

from __future__ import annotations

from typing import Any

import pytest

from agents.replies import TanChallenge
from app.gui.conversation import ConversationScreen
from app.gui.state import Turn, UiModel
from tests.gui.controls import by_id

pytestmark = pytest.mark.unit


class _App:
    def __init__(self) -> None:
        self.model = UiModel()
        self.spoken_turns: dict[str, Any] = {}


def test_the_tan_card_stays_the_same_while_the_turn_waits() -> None:
    app = _App()
    screen = ConversationScreen(app)  # type: ignore[arg-type]
    challenge = TanChallenge(transfer_id="t1", text="Bitte TAN eingeben", image_type="image/png", image_b64="iVBORw0K")
    app.model.turns.append(Turn(id="a1", user="transfer 50 euros to Anna", reply="The bank asks for a TAN.",
                                done=True, tan=challenge))
    screen.refresh()
    send, field = by_id(screen.turns, "tan-send"), by_id(screen.turns, "tan-field")
    assert send is not None and field is not None
    app.spoken_turns["a1"] = 3.1  # the reply was spoken to the end: the turns are shown again
    screen.refresh()
    assert by_id(screen.turns, "tan-send") is send and by_id(screen.turns, "tan-field") is field
    app.model.turns.append(Turn(id="a2", user="TAN 123456", reply="Done: the bank has executed the transfer.",
                                done=True))
    screen.refresh()
    assert by_id(screen.turns, "tan-send") is None  # a later turn takes the card away
