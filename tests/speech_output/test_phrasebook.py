"""The spoken and CLI phrases' one catalogue (agents/phrasebook.py): complete in German, the English
unchanged from what the assistant said before, and `say` answering in German where the user speaks it
(its -l option or the app's language)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agents.phrasebook import PHRASES, phrase
from app.cli import common
from app.cli.main import cli

pytestmark = pytest.mark.unit


def test_every_phrase_has_its_german() -> None:
    assert PHRASES.problems() == []


def test_the_english_is_what_the_assistant_said_before() -> None:
    assert phrase("approval.question", "en") == " Shall I?" and phrase("approval.question", "de") == " Soll ich?"
    assert phrase("approval.declined", "en") == "Okay, I won't do it."
    assert phrase("done.notes_deleted_one", "en", count=1) == "Done, 1 note deleted."
    assert phrase("done.notes_deleted_many", "de", count=3) == "Erledigt, 3 Notizen gelöscht."
    assert phrase("done.calendar_event", "en", title="Lunch") == 'Done, "Lunch" is in your calendar.'
    assert phrase("error.turn_failed", "en", detail="RuntimeError") == "Sorry, that failed (RuntimeError)."
    assert phrase("approval.cli_hint", "en", id=4) == "[approval #4] answer: personal-agent ask yes | personal-agent ask no"


def _say(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["say", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(("args", "message"), [
    (["", "-l", "de", "-o", "x.wav"], "say: nichts zu sagen: der Text ist leer"),
    (["🎉😀", "-l", "de", "-o", "x.wav"], "keine Wörter zum Sprechen"),
    (["Hallo.", "-l", "de", "--rate", "9", "-o", "x.wav"], "--rate muss über 0.2"),
    (["x" * 10_001, "-l", "de", "-o", "x.wav"], "höchstens 10.000 Zeichen (dieser hat 10.001)"),
])
def test_say_tells_a_german_speaker_in_german(args: list[str], message: str) -> None:
    code, text = _say(*args)
    assert code == 2 and message in text and "Traceback" not in text, text


def test_say_follows_the_app_language(monkeypatch: pytest.MonkeyPatch) -> None:
    code, text = _say("Hi.", "-l", "fr", "-o", "x.wav")
    assert code == 2 and "language 'fr' is not supported" in text
    monkeypatch.setenv("PA_LANGUAGE", "de")
    common.reset()
    code, text = _say("", "-o", "x.wav")
    assert code == 2 and "nichts zu sagen" in text
    code, text = _say("Hi.", "-l", "fr", "-o", "x.wav")
    assert code == 2 and "die Sprache 'fr' wird nicht unterstützt" in text
