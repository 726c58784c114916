"""Hands-free approvals (issue 17, finding 10): which follow-up utterance may answer an approval
prompt. The decision function with the real recognizer (templates, classifier) on real sentences."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.engine.local.follow_up import Heard, SpokenPrompt, follow_up_verdict, is_plain_yes_no

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
WINDOW = 8.0
PROMPT = SpokenPrompt(approval_id=7, device="device", ended_at=100.0)


def verdict(text: str, started_at: float = 101.0, device: str = "device",
            prompt: SpokenPrompt | None = PROMPT) -> str:
    return follow_up_verdict(Heard(text, device, started_at), prompt, WINDOW, NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["yes", "Yes.", "yeah", "okay", "yes please", "go ahead", "no", "nope",
                                  "no, don't send it", "ja", "Ja, bitte.", "nein", "nein danke", "mach das"])
def test_a_plain_yes_or_no_right_after_the_prompt_on_the_same_device_answers(text: str) -> None:
    assert is_plain_yes_no(text, NOW)
    assert verdict(text) == "answer"


@pytest.mark.parametrize("text", [
    "yes I know, but what's the weather tomorrow",
    "I said yes to her yesterday",
    "yes and also send it to Bob",
    "no idea what he means",
    "ja ich weiß aber wie wird das Wetter",
    "sure sounds like a plan he said",
])
def test_a_sentence_that_merely_contains_yes_or_no_is_not_addressed(text: str) -> None:
    assert not is_plain_yes_no(text, NOW)
    assert verdict(text) == "not_addressed"


def test_a_yes_over_the_prompt_or_after_the_window_is_not_addressed() -> None:
    assert verdict("yes", started_at=99.0) == "not_addressed"  # began while the prompt was still playing
    assert verdict("yes", started_at=100.0 + WINDOW + 0.5) == "not_addressed"
    assert verdict("yes", started_at=100.0 + WINDOW - 0.5) == "answer"


def test_a_yes_heard_by_another_device_than_the_one_that_spoke_is_not_addressed() -> None:
    assert verdict("yes", device="client") == "not_addressed"  # the desktop spoke, the phone heard it
    phone = SpokenPrompt(approval_id=7, device="client", ended_at=100.0)
    assert verdict("yes", device="client", prompt=phone) == "answer"
    shown = SpokenPrompt(approval_id=7, device="screen", ended_at=100.0)  # speech output off: only shown
    assert verdict("yes", prompt=shown) == "not_addressed"
    assert verdict("yes", device="client", prompt=shown) == "not_addressed"


def test_other_requests_in_the_window_and_follow_ups_without_a_prompt_work_as_before() -> None:
    assert verdict("what time is it") == "answer"
    assert verdict("wie spät ist es") == "answer"
    assert verdict("yes", prompt=None) == "answer"  # e.g. the yes to "Did you mean …?"
    assert verdict("yes I know, but what's the weather", prompt=None) == "answer"
