"""Which settings values are refused, in plain words per field: checked by the settings screen before
it saves (to mark the field) and by the engine when it saves (whoever sends the change).

The choices a value must come from (installed speech models, installed voices) are the ones the
engine offers in its SettingsView. The words are in the app's language (agents/phrasebook.py: the engine
says them to every client, the screen shows the same)."""

from __future__ import annotations

import re

from agents.phrasebook import phrase
from app.engine import SettingsPatch, SettingsView

# keys a hold-to-talk key may be, as Flet names them (plus single letters, digits and F1-F24)
NAMED_KEYS = {
    " ", "Space", "Enter", "Tab", "Escape", "Backspace", "Insert", "Delete", "Home", "End", "Page Up",
    "Page Down", "Arrow Up", "Arrow Down", "Arrow Left", "Arrow Right", "Shift Left", "Shift Right",
    "Control Left", "Control Right", "Alt Left", "Alt Right", "Meta Left", "Meta Right", "Caps Lock",
    "Scroll Lock", "Pause", "Print Screen", "Context Menu",
}
_FKEY = re.compile(r"^F([1-9]|1[0-9]|2[0-4])$", re.IGNORECASE)
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


def key_name(text: str) -> str | None:
    """The key as Flet names it (' ' for space), or None when the text names no key."""
    t = text.strip()
    if text == " " or t.lower() in ("space", "spacebar", "leertaste"):
        return " "
    if not t:
        return None
    if len(t) == 1 and t.isalnum():
        return t.upper()
    if _FKEY.match(t):
        return t.upper()
    for name in NAMED_KEYS - {" "}:
        if t.lower() == name.lower() or t.lower().replace(" ", "") == name.lower().replace(" ", ""):
            return name
    return None


def settings_problems(patch: SettingsPatch, view: SettingsView, lang: str = "en") -> dict[str, str]:
    """field -> what is wrong with its new value and what to do instead, in ``lang`` (empty: nothing is
    wrong)."""
    problems: dict[str, str] = {}
    if patch.stt_model is not None and patch.stt_model != view.stt_model and patch.stt_model not in view.stt_models:
        problems["stt_model"] = phrase("settings.stt_model_missing", lang)
    if patch.voice is not None and patch.voice != view.voice and patch.voice not in view.voices:
        problems["voice"] = phrase("settings.voice_missing", lang)
    system = patch.meeting_system_audio
    if system is not None and system.strip() not in ("", "auto", view.meeting_system_audio, *view.system_audio_sources):
        problems["meeting_system_audio"] = phrase("settings.system_audio_missing", lang)
    if patch.wake_phrase is not None and not patch.wake_phrase.strip():
        problems["wake_phrase"] = phrase("settings.wake_empty", lang)
    if patch.ptt_key is not None and key_name(patch.ptt_key) is None:
        problems["ptt_key"] = phrase("settings.ptt_not_key", lang)
    provider = patch.llm_provider if patch.llm_provider is not None else view.llm_provider
    url = patch.llm_base_url if patch.llm_base_url is not None else view.llm_base_url
    if provider == "openai-compatible" and not (url or "").strip():
        problems["llm_base_url"] = phrase("settings.llm_url_missing", lang)
    elif url and url.strip() and not _URL.match(url.strip()):
        problems["llm_base_url"] = phrase("settings.llm_url_scheme", lang)
    return problems
