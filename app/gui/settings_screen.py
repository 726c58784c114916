"""Settings: language, models, voice, storage, audio devices, theme, wake phrase, hold-to-talk key;
accounts (add, test, remove; the secret goes to the keyring)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft
from pydantic import ValidationError

from app.accounts import account_kinds
from app.engine import AccountDraft, AccountView, EngineError, SettingsPatch, SettingsView
from app.engine.settings_rules import settings_problems
from app.gui.models_screen import ModelsScreen
from app.gui.state import is_phone
from app.gui.widgets import bind, button, heading, icon_button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

ACCOUNT_KINDS = list(account_kinds())


# (field, label) of the choices and of the typed settings, in the order the screen shows them
CHOICES = [("language", "Language"), ("stt_model", "Speech recognition model"),
           ("llm_provider", "Language model provider"), ("voice", "Voice"), ("storage_backend", "Recordings storage"),
           ("input_device", "Microphone"), ("output_device", "Speaker"), ("theme", "Theme")]
TYPED = [("llm_model", "Model name"), ("llm_base_url", "Model server address"), ("wake_phrase", "Wake phrase"),
         ("ptt_key", "Hold-to-talk key")]
DESKTOP_ONLY = {"ptt_key"}  # a phone has no keyboard to hold a key on


def _choices(v: SettingsView) -> dict[str, tuple[list[str], str]]:
    return {"language": (["en", "de"], v.language), "stt_model": (v.stt_models, v.stt_model),
            "llm_provider": (v.llm_providers, v.llm_provider), "voice": (v.voices, v.voice),
            "storage_backend": (v.storage_backends, v.storage_backend),
            "input_device": (["", *v.input_devices], v.input_device),
            "output_device": (["", *v.output_devices], v.output_device),
            "theme": (["system", "light", "dark"], v.theme)}


def _typed(v: SettingsView) -> dict[str, str]:
    return {"llm_model": v.llm_model, "llm_base_url": v.llm_base_url, "wake_phrase": v.wake_phrase,
            "ptt_key": "Space" if v.ptt_key == " " else v.ptt_key}


class SettingsScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        # the fields are made once and filled in place: a form built again when the screen opened (or
        # after a save) replaced the field the user had just clicked, and the keys typed went nowhere
        self.dropdowns = {key: ft.Dropdown(label=label, width=260) for key, label in CHOICES}
        self.texts = {key: ft.TextField(label=label, width=260, error_max_lines=3) for key, label in TYPED}
        # a dropdown's label is not its accessible name in Flutter web: the semantics node gets it
        self._tagged = {**{key: tagged(d, f"setting-{key}", label=label) for (key, label), d
                           in zip(CHOICES, self.dropdowns.values(), strict=True)},
                        **{key: tagged(t, f"setting-{key}") for key, t in self.texts.items()}}
        self.form = ft.Row(list(self._tagged.values()), wrap=True, spacing=12, run_spacing=12)
        self.accounts = ft.Column(spacing=6)
        self.kind = ft.Dropdown(label="Account kind", value="mail", width=200,
                                options=[ft.DropdownOption(key=k, text=k) for k in ACCOUNT_KINDS])
        self.acc_name = ft.TextField(label="Account name", width=200)
        self.acc_user = ft.TextField(label="User name", width=200)
        self.acc_host = ft.TextField(label="Server (host)", width=200)
        self.acc_port = ft.TextField(label="Port", width=100, keyboard_type=ft.KeyboardType.NUMBER)
        self.acc_secret = ft.TextField(label="Password or key", password=True, can_reveal_password=True, width=220)
        self.message = ft.Text("")
        self.models = ModelsScreen(app)
        self.view: SettingsView | None = None
        self._filled: dict[str, str] = {}  # what each typed setting's field was last filled with
        self._accounts_shown: list[AccountView] | None = None

    def build(self) -> ft.Control:
        add_form = ft.Row([
            tagged(self.kind, "account-kind", label="Account kind"), tagged(self.acc_name, "account-name"),
            tagged(self.acc_user, "account-user"), tagged(self.acc_host, "account-host"),
            tagged(self.acc_port, "account-port"), tagged(self.acc_secret, "account-secret"),
            button("Add account", self._add_account, "account-add", ft.Icons.ADD, filled=True),
        ], wrap=True)
        return ft.Column([
            heading("Settings"), self.form,
            button("Save settings", self._save, "settings-save", ft.Icons.SAVE, filled=True),
            ft.Semantics(content=self.message, identifier="settings-message", live_region=True, container=True),
            ft.Divider(), heading("Accounts"),
            ft.Text("Secrets are stored in the system keyring, never in the settings file."),
            ft.Semantics(content=self.accounts, container=True), add_form,
            ft.Divider(), self.models.build(),
        ], scroll=ft.ScrollMode.AUTO, expand=True)

    async def load(self) -> None:
        try:
            view = await self.app.engine.settings()
            accounts = await self.app.engine.accounts()
        except EngineError as exc:
            self.message.value = str(exc)
            return
        self._fill(view)
        self._fill_accounts(accounts)
        await self.models.load()

    def _fill(self, v: SettingsView) -> None:
        """Show these values and choices in the fields (the same controls, changed in place)."""
        self.view = v
        for key, (options, value) in _choices(v).items():
            d = self.dropdowns[key]
            opts = list(dict.fromkeys([*options, value])) if value else options
            if [o.key for o in d.options or []] != opts:  # new option controls rebuild the form's semantics
                d.options = [ft.DropdownOption(key=o, text=o or "(system default)") for o in opts]
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
        control = self.dropdowns.get(key) or self.texts.get(key)
        if control is not None:
            await control.focus()

    def show_for_width(self, width: float | None) -> None:
        """Hide what a phone cannot use (the hold-to-talk key)."""
        for key in DESKTOP_ONLY:
            self._tagged[key].visible = not is_phone(width)

    def _mark(self, problems: dict[str, str]) -> None:
        """Show each problem under its field (and clear the fields without one)."""
        for key, d in self.dropdowns.items():
            d.error_text = problems.get(key)
        for key, t in self.texts.items():
            t.error = problems.get(key)

    def _fill_accounts(self, accounts: list[AccountView]) -> None:
        if accounts == self._accounts_shown:  # the same rows: keep the controls
            return
        self._accounts_shown = accounts
        if not accounts:
            self.accounts.controls = [ft.Text("No accounts yet. Everything offline works without one.")]
            return
        self.accounts.controls = [ft.Row([
            ft.Icon(ft.Icons.KEY if a.has_secret else ft.Icons.KEY_OFF),
            ft.Text(f"{a.kind}: {a.name}" + (f" ({a.username}@{a.host})" if a.host else ""), expand=True),
            icon_button(ft.Icons.WIFI_TETHERING, f"Test {a.name}", bind(self._test, a),
                        f"account-test-{a.kind}-{a.name}"),
            icon_button(ft.Icons.DELETE, f"Remove {a.name}", bind(self._remove, a),
                        f"account-remove-{a.kind}-{a.name}"),
        ]) for a in accounts]

    def _say(self, text: str) -> None:
        self.message.value = text
        self.app.refresh()

    async def _save(self, e: Any) -> None:
        values = {**{k: d.value or "" for k, d in self.dropdowns.items()},
                  **{k: t.value or "" for k, t in self.texts.items()}}
        if not self._tagged["ptt_key"].visible:  # a phone does not show (or change) the key
            values.pop("ptt_key")
        patch = SettingsPatch(**values)
        problems = settings_problems(patch, self.view) if self.view is not None else {}
        self._mark(problems)
        if problems:
            self._say("Not saved: " + ("please correct the marked field." if len(problems) == 1
                                       else "please correct the marked fields."))
            return
        try:
            view = await self.app.engine.update_settings(patch)
        except EngineError as exc:
            self._say(str(exc))
            return
        self._filled.update({k: values[k] for k in self.texts if k in values})  # the fields hold these
        self._fill(view)
        await self.app.settings_changed(view)
        self._say("Settings saved.")

    async def _add_account(self, e: Any) -> None:
        port = (self.acc_port.value or "").strip()
        try:
            draft = AccountDraft(kind=self.kind.value or "mail", name=(self.acc_name.value or "").strip(),  # type: ignore[arg-type]
                                 username=(self.acc_user.value or "").strip(),
                                 host=(self.acc_host.value or "").strip() or None,
                                 port=int(port) if port else None, secret=self.acc_secret.value or None)
        except (ValidationError, ValueError) as exc:
            self._say(f"Account not added: {_first_error(exc)}")
            return
        try:
            acc = await self.app.engine.add_account(draft)
        except EngineError as exc:
            self._say(f"Account not added: {exc}")
            return
        sent = {self.acc_name: draft.name, self.acc_user: draft.username, self.acc_host: draft.host or "",
                self.acc_port: port, self.acc_secret: draft.secret or ""}
        for t, value in sent.items():
            if (t.value or "").strip() == value.strip():  # not a field the user has typed in since
                t.value = ""
        self._fill_accounts(await self.app.engine.accounts())
        self._say(f"Account {acc.kind}: {acc.name} added.")

    async def _test(self, a: AccountView) -> None:
        self.app.start_progress("account_test", f"Testing {a.name}…")
        try:
            r = await self.app.engine.test_account(a.kind, a.name)
            self._say(("OK: " if r.ok else "Failed: ") + r.message)
        except EngineError as exc:
            self._say(str(exc))
        finally:
            self.app.end_progress("account_test")

    async def _remove(self, a: AccountView) -> None:
        try:
            await self.app.engine.remove_account(a.kind, a.name)
        except EngineError as exc:
            self._say(str(exc))
            return
        self._fill_accounts(await self.app.engine.accounts())
        self._say(f"Account {a.kind}: {a.name} removed.")


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
    return "port must be a number" if "int" in str(exc) else str(exc)
