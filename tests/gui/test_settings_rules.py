"""Settings refused before they break the app, with plain words for the field (no commands)."""

from __future__ import annotations

import pytest

from app.engine import SettingsPatch, SettingsView
from app.engine.settings_rules import key_name, settings_problems

pytestmark = pytest.mark.unit

VIEW = SettingsView(stt_model="base", stt_models=["base"], voice="en_US-joe-medium", voices=["en_US-joe-medium"],
                    llm_provider="none", llm_providers=["none", "openai", "anthropic", "openai-compatible"])


def test_good_values_pass() -> None:
    patch = SettingsPatch(stt_model="base", voice="en_US-joe-medium", wake_phrase="hey assistant", ptt_key="Space",
                          llm_provider="openai-compatible", llm_base_url="http://127.0.0.1:8080/v1")
    assert settings_problems(patch, VIEW) == {}


@pytest.mark.parametrize(("patch", "field"), [
    (SettingsPatch(stt_model="tiny.en"), "stt_model"),  # offered before, not installed
    (SettingsPatch(voice="de_DE-thorsten-medium"), "voice"),
    (SettingsPatch(wake_phrase="   "), "wake_phrase"),
    (SettingsPatch(ptt_key="banana"), "ptt_key"),
    (SettingsPatch(ptt_key=""), "ptt_key"),
    (SettingsPatch(llm_provider="openai-compatible"), "llm_base_url"),
    (SettingsPatch(llm_provider="openai-compatible", llm_base_url=" "), "llm_base_url"),
    (SettingsPatch(llm_base_url="localhost:8080"), "llm_base_url"),
])
def test_bad_values_are_refused_in_plain_words(patch: SettingsPatch, field: str) -> None:
    problems = settings_problems(patch, VIEW)
    assert list(problems) == [field]
    words = problems[field]
    assert not any(w in words for w in ("pip", "python", "config", "PA_", "toml", "--")), words


def test_key_names() -> None:
    assert key_name("Space") == key_name("space") == key_name(" ") == " "
    assert key_name("f8") == "F8" and key_name("x") == "X" and key_name("Control Left") == "Control Left"
    assert key_name("controlleft") == "Control Left"
    assert key_name("banana") is None and key_name("F25") is None and key_name("") is None
