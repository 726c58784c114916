"""Settings: language, models, voice, storage, audio devices, theme, wake phrase, hold-to-talk key;
accounts (``accounts_panel.py``: the password store, add, test, remove)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.engine import EngineError, SettingsPatch, SettingsView
from app.engine.settings_rules import settings_problems
from app.gui.accounts_panel import AccountsPanel
from app.gui.models_screen import ModelsScreen
from app.gui.state import is_phone
from app.gui.strings import language, t
from app.gui.widgets import button, heading, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

# the choices and the typed settings, in the order the screen shows them (each labelled by its catalogue
# key "settings.<field>": app/gui/strings.py)
CHOICES = ["language", "stt_model", "llm_provider", "voice", "storage_backend", "input_device", "output_device",
           "meeting_system_audio", "theme"]
TYPED = ["llm_model", "llm_base_url", "wake_phrase", "ptt_key"]
# the options shown in words (catalogue keys); the others (models, voices, devices) are names
OPTION_WORDS = {"language": {"auto": "settings.lang_auto", "en": "settings.lang_en", "de": "settings.lang_de"},
                "theme": {"system": "settings.theme_system", "light": "settings.theme_light",
                          "dark": "settings.theme_dark"},
                "meeting_system_audio": {"": "settings.system_audio_off", "auto": "settings.system_audio_auto"}}


def option_text(field: str, option: str) -> str:
    """What a choice shows for one option: words for languages and themes, "(system default)" for no
    device, else the option's own name."""
    words = OPTION_WORDS.get(field, {}).get(option)
    if words is not None:
        return t(words)
    return option or t("settings.system_default")
DESKTOP_ONLY = {"ptt_key"}  # a phone has no keyboard to hold a key on
# this machine's sound devices (and its sound output, recorded in meetings as the far side of a call):
# listed only where they are used
DEVICES = ("input_device", "output_device", "meeting_system_audio")


def audio_devices_note(web: bool, mobile: bool, local_engine: bool) -> str | None:
    """What the Microphone/Speaker choices become: None = list this machine's devices (a desktop window on
    the local engine), else one line saying whose microphone and speaker are used. A browser or a phone
    records and plays on its own device: the server's device list means nothing there."""
    if mobile:
        return t("settings.devices_phone")
    if web:
        return t("settings.devices_browser")
    if not local_engine:
        return t("settings.devices_computer")
    return None


def _choices(v: SettingsView) -> dict[str, tuple[list[str], str]]:
    return {"language": (["auto", "en", "de"], v.language), "stt_model": (v.stt_models, v.stt_model),
            "llm_provider": (v.llm_providers, v.llm_provider), "voice": (v.voices, v.voice),
            "storage_backend": (v.storage_backends, v.storage_backend),
            "input_device": (["", *v.input_devices], v.input_device),
            "output_device": (["", *v.output_devices], v.output_device),
            "meeting_system_audio": (["", "auto", *v.system_audio_sources], v.meeting_system_audio),
            "theme": (["system", "light", "dark"], v.theme)}


def _typed(v: SettingsView) -> dict[str, str]:
    return {"llm_model": v.llm_model, "llm_base_url": v.llm_base_url, "wake_phrase": v.wake_phrase,
            "ptt_key": "Space" if v.ptt_key == " " else v.ptt_key}


class SettingsScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        # the fields are made once and filled in place: a form built again when the screen opened (or
        # after a save) replaced the field the user had just clicked, and the keys typed went nowhere
        self.dropdowns = {key: ft.Dropdown(label=t(f"settings.{key}"), width=260) for key in CHOICES}
        self.texts = {key: ft.TextField(label=t(f"settings.{key}"), width=260, error_max_lines=3) for key in TYPED}
        # a dropdown's label is not its accessible name in Flutter web: the semantics node gets it
        self._tagged = {**{key: tagged(d, f"setting-{key}", label=t(f"settings.{key}"))
                           for key, d in self.dropdowns.items()},
                        **{key: tagged(t, f"setting-{key}") for key, t in self.texts.items()}}
        self.form = ft.Row(list(self._tagged.values()), wrap=True, spacing=12, run_spacing=12)
        self.message = ft.Text("")
        self.accounts = AccountsPanel(app, self._say)
        self.devices_note = ft.Text("")
        self._devices_tag = tagged(self.devices_note, "setting-audio-devices")
        self._devices_tag.visible = False
        self.models = ModelsScreen(app)
        self.view: SettingsView | None = None
        self._filled: dict[str, str] = {}  # what each typed setting's field was last filled with

    def build(self) -> ft.Control:
        return ft.Column([
            heading(t("settings.title")), self.form, self._devices_tag,
            button(t("settings.save"), self._save, "settings-save", ft.Icons.SAVE, filled=True),
            ft.Semantics(content=self.message, identifier="settings-message", live_region=True, container=True),
            ft.Divider(), heading(t("settings.accounts")), self.accounts.build(),
            ft.Divider(), self.models.build(),
        ], scroll=ft.ScrollMode.AUTO, expand=True)

    async def load(self) -> None:
        try:
            view = await self.app.engine.settings()
        except EngineError as exc:
            self.message.value = str(exc)
            return
        self._fill(view)
        await self.accounts.load()
        await self.models.load()

    def _fill(self, v: SettingsView) -> None:
        """Show these values and choices in the fields (the same controls, changed in place)."""
        self.view = v
        for key, (options, value) in _choices(v).items():
            d = self.dropdowns[key]
            opts = list(dict.fromkeys([*options, value])) if value else options
            if [o.key for o in d.options or []] != opts:  # new option controls rebuild the form's semantics
                d.options = [ft.DropdownOption(key=o, text=option_text(key, o)) for o in opts]
            d.value = value
            d.error_text = None
        for key, value in _typed(v).items():
            # written only when the setting changed (first load, another device, a save that tidied
            # it): writing the stored value again when the screen opened or after a save reached the
            # browser while the user typed in the field, and replaced what was typed
            if value != self._filled.get(key):
                self._filled[key] = value
                self.texts[key].value = value
            self.texts[key].error = None
        self.show_for_width(self.app.page.width)

    async def focus(self, key: str) -> None:
        if key.startswith("model:"):  # a voice or model in Voices & models (its Install button)
            await self.models.focus(key.removeprefix("model:"))
            return
        control = self.dropdowns.get(key) or self.texts.get(key)
        if control is not None:
            await control.focus()

    def show_for_width(self, width: float | None) -> None:
        """Hide what a phone cannot use (the hold-to-talk key), and this machine's sound devices where the
        browser's or phone's own are used."""
        for key in DESKTOP_ONLY:
            self._tagged[key].visible = not is_phone(width)
        page = self.app.page
        info = self.app.model.info
        note = audio_devices_note(bool(page.web), bool(page.platform and page.platform.is_mobile()),
                                  info is None or info.kind == "local")
        for key in DEVICES:
            self._tagged[key].visible = note is None
        self.devices_note.value = note or ""
        self._devices_tag.visible = note is not None

    def _mark(self, problems: dict[str, str]) -> None:
        """Show each problem under its field (and clear the fields without one)."""
        for key, d in self.dropdowns.items():
            d.error_text = problems.get(key)
        for key, field in self.texts.items():
            field.error = problems.get(key)

    def _say(self, text: str) -> None:
        self.message.value = text
        self.app.refresh()

    async def _save(self, e: Any) -> None:
        values = {**{k: d.value or "" for k, d in self.dropdowns.items()},
                  **{k: t.value or "" for k, t in self.texts.items()}}
        if not self._tagged["ptt_key"].visible:  # a phone does not show (or change) the key
            values.pop("ptt_key")
        for key in DEVICES:
            if not self._tagged[key].visible:  # the browser's or phone's own devices: the server's stay as set
                values.pop(key)
        patch = SettingsPatch(**values)
        problems = settings_problems(patch, self.view, language()) if self.view is not None else {}
        self._mark(problems)
        if problems:
            self._say(t("settings.not_saved_one") if len(problems) == 1 else t("settings.not_saved_many"))
            return
        try:
            view = await self.app.engine.update_settings(patch)
        except EngineError as exc:
            self._say(str(exc))
            return
        self._filled.update({k: values[k] for k in self.texts if k in values})  # the fields hold these
        self._fill(view)
        await self.app.settings_changed(view)
        self._say(t("settings.saved"))
