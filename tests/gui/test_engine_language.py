"""What the engine says to every client is in the app's language: a refused setting's or account field's
reason (the screen marks the field with the same words the engine refuses with), the password store's
state, a conversation's errors, progress labels. German settings -> German words, from the phrasebook."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest

from agents.phrasebook import PHRASES, phrase
from app.engine import AccountDraft, EngineError, SettingsPatch, SettingsView
from app.engine.account_rules import draft_from_form, draft_problems
from app.engine.settings_rules import settings_problems

pytestmark = pytest.mark.unit

VIEW = SettingsView(stt_model="base", stt_models=["base"], voice="en_US-joe-medium", voices=["en_US-joe-medium"],
                    llm_provider="none", llm_providers=["none", "openai", "anthropic", "openai-compatible"])


def _said_in(lang: str, text: str) -> bool:
    """The text is a phrase of this language, placeholders filled."""
    return any(re.fullmatch(".+?".join(re.escape(p) for p in re.split(r"\{[a-z_]+\}", t)), text, re.S)
               for t in (de if lang == "de" else en for k, (en, de) in PHRASES.items() if k not in PHRASES.same))


def _german(words: dict[str, str]) -> bool:
    return all(_said_in("de", w) and not _said_in("en", w) for w in words.values())


def test_the_phrasebook_is_complete() -> None:
    assert PHRASES.problems() == []


def test_a_refused_setting_is_said_in_german() -> None:
    patch = SettingsPatch(voice="de_DE-thorsten-medium", ptt_key="banana", llm_provider="openai-compatible")
    de, en = settings_problems(patch, VIEW, "de"), settings_problems(patch, VIEW, "en")
    assert list(de) == list(en) == ["voice", "ptt_key", "llm_base_url"]
    assert de["ptt_key"].startswith("Das ist keine Taste") and en["ptt_key"].startswith("Not a key")
    assert _german(de)


def test_a_new_accounts_missing_fields_are_said_in_german() -> None:
    draft, de = draft_from_form("mail", {"name": "my mail", "port": "99999"}, "de")
    assert draft is None and set(de) == {"name", "user", "host", "smtp_host", "address", "secret", "port"}
    assert de["port"] == "Ein Port ist eine Zahl von 1 bis 65535." and _german(de)
    for kind in ("caldav", "whatsapp", "mastodon", "bluesky", "llm", "smb", "s3"):
        found = draft_problems(AccountDraft.model_construct(kind=kind, name="x y", options={}), "de")
        assert found and _german(found), (kind, found)


@pytest.fixture
def german_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from app import secrets
    from app.engine.local import LocalEngine
    from app.services import build_services

    monkeypatch.setenv("PA_LANGUAGE", "de")
    monkeypatch.delenv("PA_KEYRING_PASSWORD")  # no password store yet: the engine says so
    secrets.reset_backend()
    eng = LocalEngine(build_services(), speech_output="off", preload=False, alarms=False)
    yield eng
    asyncio.run(eng.close())
    secrets.reset_backend()


def test_the_german_engine_refuses_in_german(german_engine: Any) -> None:
    async def run() -> list[str]:
        said = []
        for call in (german_engine.update_settings(SettingsPatch(ptt_key="banana")),
                     german_engine.add_account(AccountDraft.model_construct(kind="mail", name="", options={})),
                     german_engine.add_account(AccountDraft(kind="llm", name="openai", secret="k")),
                     german_engine.ask("   "), german_engine.speak(""), german_engine.meeting_search(" ")):
            with pytest.raises(EngineError) as err:
                await call
            said.append(str(err.value))
        return said

    said = asyncio.run(run())
    assert said == [phrase("settings.not_saved", "de", reasons=phrase("settings.ptt_not_key", "de")),
                    phrase("account.name_missing", "de"), phrase("account.store_missing", "de"),
                    "Schreib oder sag zuerst etwas.", "Nichts zu sagen.", "Gib ein paar Wörter zum Suchen ein."]
    assert german_engine.core.say("engine.stt_loading", model="base") == "Lade die Spracherkennung (Whisper base)"
    info = asyncio.run(german_engine.info())  # what each feature's status says
    assert info.feature("text").detail == "lokale Befehle gehen offline"
    assert info.feature("llm").detail == "kein Sprachmodell eingerichtet: nur lokale Befehle (offline)"


def test_errors_from_below_the_engine_are_said_in_german(german_engine: Any) -> None:
    """Timers, the model catalogue and the approvals raise their errors in both languages (storage/bilingual.py);
    the German engine passes on the German one."""
    async def run() -> list[str]:
        said = []
        for call in (german_engine.cancel_timer("nope"), german_engine.install_model("no-such-voice"),
                     german_engine.remove_model("whisper-base"), german_engine.remove_model("no-such-voice"),
                     german_engine.decide(424242, True)):
            with pytest.raises(EngineError) as err:
                await call
            said.append(str(err.value))
        return said

    said = asyncio.run(run())
    assert said[0] == "kein Timer und keine Erinnerung 'nope'"
    assert said[1].startswith("unbekannte Stimme oder unbekanntes Modell 'no-such-voice'; bekannt: ")
    assert said[2] == "whisper-base gehört zur App und kann nicht entfernt werden"
    assert said[3].startswith("unbekannte Stimme oder unbekanntes Modell 'no-such-voice'")  # was a traceback
    assert said[4] == "keine Freigabe #424242"
