"""The settings port of the local engine: what the settings screen shows, and changes written to
config.toml (validated like any other; the parts that depend on a changed value are built again)."""

from __future__ import annotations

import logging
from typing import Any

from app.engine import EngineError, SettingsPatch, SettingsView
from app.engine.local.core import EngineCore
from app.engine.local.voice import LocalVoice

log = logging.getLogger(__name__)
STT_MODELS = ["base", "tiny.en"]
LLM_PROVIDERS = ["none", "openai", "anthropic", "openai-compatible"]
STORAGE_BACKENDS = ["local", "smb", "s3"]
# the screen's field -> (config table, key)
_WHERE = {"stt_model": ("stt", "model"), "llm_provider": ("llm", "provider"), "llm_model": ("llm", "model"),
          "voice": ("tts", "voice"), "storage_backend": ("storage", "backend"),
          "input_device": ("audio", "input_device"), "output_device": ("audio", "output_device"),
          "wake_phrase": ("stt", "wake_phrase"), "ptt_key": ("gui", "ptt_key"), "theme": ("gui", "theme"),
          "onboarded": ("gui", "onboarded")}


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
        from audio.models import installed_voices

        models_dir = self.core.sv.paths.models_dir
        installed = installed_voices(models_dir)  # what Voices & models installed is offered at once
        voices = sorted({"en_US-joe-medium", s.tts.voice, *s.tts.voices.values(), *installed})
        whisper = sorted(p.name for p in models_dir.glob("whisper-*")
                         if p.name != "whisper-base" and (p / "model.bin").is_file())  # base: "base"
        models = list(dict.fromkeys([*STT_MODELS, *whisper, s.stt.model]))
        return SettingsView(
            language=s.language, stt_model=s.stt.model, stt_models=models, llm_provider=s.llm.provider,
            llm_providers=LLM_PROVIDERS, llm_model=s.llm.model or "", voice=s.tts.voice, voices=voices,
            storage_backend=s.storage.backend, storage_backends=STORAGE_BACKENDS,
            input_device="" if s.audio.input_device is None else str(s.audio.input_device),
            output_device="" if s.audio.output_device is None else str(s.audio.output_device),
            input_devices=ins, output_devices=outs, wake_phrase=s.stt.wake_phrase, hands_free=self.core.hands_free,
            ptt_key=s.gui.ptt_key, theme=s.gui.theme, onboarded=s.gui.onboarded, show_overheard=s.gui.show_overheard,
        )

    async def update_settings(self, patch: SettingsPatch) -> SettingsView:
        return await self.core.thread(self._update, patch)

    def _update(self, patch: SettingsPatch) -> SettingsView:
        from app import config_file
        from app.settings import ConfigError, load_settings

        sv = self.core.sv
        sections: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        for key, value in patch.model_dump(exclude_none=True).items():
            if key == "language":
                top["language"] = value
                continue
            section, field = _WHERE[key]
            if field in ("input_device", "output_device", "model") and value == "":
                value = None
            sections.setdefault(section, {})[field] = value
        before = sv.settings
        try:
            config_file.update(sv.paths.config_file, {**top, **sections})
            sv.settings = load_settings()
        except ConfigError as exc:
            raise EngineError(str(exc)) from None
        after = sv.settings
        # the recognizer and the voice follow their settings by themselves (Services.speech); the
        # Listener is made again with a new recognizer when next needed
        self.voice.apply_settings(after)
        if after.llm != before.llm or after.language != before.language or after.domains != before.domains:
            self.core.forget_assistant()
        return self._view()
