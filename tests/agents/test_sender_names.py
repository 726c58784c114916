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


def test_a_mail_is_found_by_words_of_the_other_language() -> None:
    """A German request about English mail ("wegen Mittagessen" -> "Lunch on Thursday?") and back."""
    from agents.communication.lexicon import other_language, with_other_language

    assert other_language("Mittagessen") == "lunch"
    assert other_language("wegen Samstag") == "wegen saturday"
    assert other_language("Invoice March") == "rechnung märz"
    assert other_language("Anna") is None  # nothing it knows: no second search
    assert "saturday" in with_other_language("Antworte Anna wegen Samstag")
