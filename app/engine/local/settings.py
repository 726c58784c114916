"""The settings port of the local engine: what the settings screen shows, and changes written to
config.toml (validated like any other; the parts that depend on a changed value are built again)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.engine import EngineError, SettingsPatch, SettingsView
from app.engine.local.core import EngineCore
from app.engine.local.voice import LocalVoice
from app.engine.settings_rules import key_name, settings_problems
from storage.bilingual import said

log = logging.getLogger(__name__)
LLM_PROVIDERS = ["none", "openai", "anthropic", "openai-compatible"]
STORAGE_BACKENDS = ["local", "smb", "s3"]
# the screen's field -> (config table, key)
_WHERE = {"stt_model": ("stt", "model"), "llm_provider": ("llm", "provider"), "llm_model": ("llm", "model"),
          "llm_base_url": ("llm", "base_url"),
          "voice": ("tts", "voice"), "storage_backend": ("storage", "backend"),
          "input_device": ("audio", "input_device"), "output_device": ("audio", "output_device"),
          "wake_phrase": ("stt", "wake_phrase"), "ptt_key": ("gui", "ptt_key"), "theme": ("gui", "theme"),
          "onboarded": ("gui", "onboarded"), "meeting_system_audio": ("audio", "meeting_system_audio")}


class LocalSettings:
    def __init__(self, core: EngineCore, voice: LocalVoice) -> None:
        self.core = core
        self.voice = voice

    async def settings(self) -> SettingsView:
        return await self.core.thread(self._view)

    def _view(self) -> SettingsView:
        s = self.core.sv.settings
        ins: list[str] = []
        outs: list[str] = []
        try:
            import sounddevice as sd

            for d in sd.query_devices():
                if d["max_input_channels"] > 0:
                    ins.append(str(d["name"]))
                if d["max_output_channels"] > 0:
                    outs.append(str(d["name"]))
        except Exception as exc:  # no PortAudio / no devices: the lists stay empty
            log.info("audio devices: %s", exc)
        models_dir = self.core.sv.paths.models_dir
        return SettingsView(
            language=_language_choice(self.core.sv.paths.config_file, s.language), stt_model=s.stt.model, stt_models=installed_stt_models(s.stt.model, models_dir),
            llm_provider=s.llm.provider, llm_providers=LLM_PROVIDERS, llm_model=s.llm.model or "",
            llm_base_url=s.llm.base_url or "", voice=s.tts.voice,
            voices=installed_voices([s.tts.voice, *s.tts.voices.values()], models_dir),
            storage_backend=s.storage.backend, storage_backends=STORAGE_BACKENDS,
            input_device="" if s.audio.input_device is None else str(s.audio.input_device),
            output_device="" if s.audio.output_device is None else str(s.audio.output_device),
            input_devices=ins, output_devices=outs, wake_phrase=s.stt.wake_phrase, hands_free=self.core.hands_free,
            ptt_key=s.gui.ptt_key, theme=s.gui.theme, onboarded=s.gui.onboarded, show_overheard=s.gui.show_overheard,
            meeting_system_audio=s.audio.meeting_system_audio, system_audio_sources=system_audio_names(),
        )

    async def update_settings(self, patch: SettingsPatch) -> SettingsView:
        return await self.core.thread(self._update, patch)

    def _update(self, patch: SettingsPatch) -> SettingsView:
        from app import config_file
        from app.settings import ConfigError, load_settings

        sv = self.core.sv
        problems = settings_problems(patch, self._view(), self.core.lang)
        if problems:
            raise EngineError(self.core.say("settings.not_saved", reasons=" ".join(problems.values())))
        if patch.ptt_key is not None:
            patch = patch.model_copy(update={"ptt_key": key_name(patch.ptt_key)})
        sections: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        for key, value in patch.model_dump(exclude_none=True).items():
            if key == "language":
                top["language"] = value
                continue
            section, field = _WHERE[key]
            if field in ("input_device", "output_device", "model", "base_url") and value == "":
                value = None
            sections.setdefault(section, {})[field] = value
        before = sv.settings
        try:
            config_file.update(sv.paths.config_file, {**top, **sections})
            sv.settings = load_settings()
        except ConfigError as exc:
            raise EngineError(said(exc, self.core.lang)) from None
        after = sv.settings
        # the recognizer and the voice follow their settings by themselves (Services.speech); the
        # Listener is made again with a new recognizer when next needed
        self.voice.apply_settings(after)
        if after.llm != before.llm or after.language != before.language or after.domains != before.domains:
            self.core.forget_assistant()
        return self._view()


def system_audio_names() -> list[str]:
    """The places the computer's sound output can be recorded from here (sound-server monitors, loopback
    devices), by name; empty when there are none or the sound system cannot be asked."""
    from audio.meeting.call_capture import system_audio_sources

    try:
        return [s.name for s in system_audio_sources()]
    except Exception as exc:  # no sound server / PortAudio: nothing to offer
        log.info("sound output sources: %s", exc)
        return []


def _language_choice(config: Path, language: str) -> str:
    """What the language setting is set to: "auto" when the file says so (the settings hold the language
    it stands for), else the language."""
    from app import config_file

    try:
        raw = config_file.read(config).get("language") if config.exists() else None
    except Exception:  # an unreadable file was reported when the settings were loaded
        raw = None
    return "auto" if raw == "auto" else language


def installed_stt_models(current: str, models_dir: Path | None = None) -> list[str]:
    """The speech models that load offline here (the current one only when it does), with those the
    model manager installed under ``models_dir``."""
    from audio.models import whisper_tiny_en_dir

    models = ["base"]  # joined from its pip packages on first use
    if whisper_tiny_en_dir() is not None:
        models.append("tiny.en")
    if models_dir is not None:
        models += sorted(p.name for p in models_dir.glob("whisper-*")
                         if p.name != "whisper-base" and (p / "model.bin").is_file())  # base: "base"
    if current not in models and Path(current).expanduser().is_dir():
        models.append(current)
    return models


def installed_voices(configured: list[str], models_dir: Path | None = None) -> list[str]:
    """The Piper voices whose files are here: the bundled one, those the model manager installed under
    ``models_dir`` and configured .onnx files that exist."""
    from audio.models import ModelError, piper_voice_files
    from audio.models import installed_voices as managed_voices

    found: list[str] = []
    for voice in dict.fromkeys(["en_US-joe-medium", *configured, *managed_voices(models_dir)]):
        try:
            onnx, cfg = piper_voice_files(voice, models_dir)
        except ModelError:
            continue
        if onnx.exists() and cfg.exists():
            found.append(voice)
    return found
