"""The person in a sender the model made of the user's words (agents/communication/agent.py, ``_name_in``):
for "Wie hoch ist Lenas Rechnung?" the 1.5B model searched mail from "Lenas Rechnung" and found none."""

from __future__ import annotations

import pytest

from agents.communication.agent import _name_in


@pytest.mark.parametrize(("sender", "topic", "name"), [
    ("Lenas Rechnung", "Rechnung", "Lena"),  # German possessive, the topic's word
    ("Anna's invoice", "invoice", "Anna"),
    ("Anna’s invoice", None, "Anna"),
    ("Tom Meyer", None, "Tom"),  # tried only when the whole name found nothing
    ("lena@example.com", "Rechnung", "lena@example.com"),  # an address stays
    ("Rechnung", "Rechnung", "Rechnung"),  # nothing but the topic: as it was
])
def test_the_person_in_a_sender(sender: str, topic: str | None, name: str) -> None:
    assert _name_in(sender, topic) == name
