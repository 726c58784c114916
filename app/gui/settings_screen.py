"""Settings: language, models, voice, storage, audio devices, theme, wake phrase, hold-to-talk key;
accounts (add, test, remove; the secret goes to the keyring)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft
from pydantic import ValidationError

from app.accounts import account_kinds
from app.engine import AccountDraft, AccountView, EngineError, SettingsPatch, SettingsView
from app.gui.models_screen import ModelsScreen
from app.gui.widgets import bind, button, heading, icon_button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

ACCOUNT_KINDS = list(account_kinds())


def _dropdown(label: str, options: list[str], value: str, ident: str) -> tuple[ft.Dropdown, ft.Semantics]:
    opts = list(dict.fromkeys([*options, value])) if value else options
    d = ft.Dropdown(label=label, options=[ft.DropdownOption(key=o, text=o or "(system default)") for o in opts],
                    value=value, width=260)
    return d, tagged(d, ident)


class SettingsScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        self.form = ft.Column(spacing=10)
        self.accounts = ft.Column(spacing=6)
        self.kind = ft.Dropdown(label="Account kind", value="mail", width=200,
                                options=[ft.DropdownOption(key=k, text=k) for k in ACCOUNT_KINDS])
        self.acc_name = ft.TextField(label="Account name", width=200)
        self.acc_user = ft.TextField(label="User name", width=200)
        self.acc_host = ft.TextField(label="Server (host)", width=200)
        self.acc_port = ft.TextField(label="Port", width=100, keyboard_type=ft.KeyboardType.NUMBER)
        self.acc_secret = ft.TextField(label="Password or key", password=True, can_reveal_password=True, width=220)
        self.message = ft.Text("")
        self._fields: dict[str, Any] = {}
        self.models = ModelsScreen(app)

    def build(self) -> ft.Control:
        add_form = ft.Row([
            tagged(self.kind, "account-kind"), tagged(self.acc_name, "account-name"),
            tagged(self.acc_user, "account-user"), tagged(self.acc_host, "account-host"),
            tagged(self.acc_port, "account-port"), tagged(self.acc_secret, "account-secret"),
            button("Add account", self._add_account, "account-add", ft.Icons.ADD, filled=True),
        ], wrap=True)
        return ft.Column([
            heading("Settings"), self.form,
            button("Save settings", self._save, "settings-save", ft.Icons.SAVE, filled=True),
            ft.Semantics(content=self.message, identifier="settings-message", live_region=True),
            ft.Divider(), heading("Accounts"),
            ft.Text("Secrets are stored in the system keyring, never in the settings file."),
            self.accounts, add_form,
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
        f: dict[str, Any] = {}
        rows: list[ft.Control] = []
        for key, label, options, value in (
            ("language", "Language", ["en", "de"], v.language),
            ("stt_model", "Speech recognition model", v.stt_models, v.stt_model),
            ("llm_provider", "Language model provider", v.llm_providers, v.llm_provider),
            ("voice", "Voice", v.voices, v.voice),
            ("storage_backend", "Recordings storage", v.storage_backends, v.storage_backend),
            ("input_device", "Microphone", ["", *v.input_devices], v.input_device),
            ("output_device", "Speaker", ["", *v.output_devices], v.output_device),
            ("theme", "Theme", ["system", "light", "dark"], v.theme),
        ):
            d, wrapped = _dropdown(label, options, value, f"setting-{key}")
            f[key] = d
            rows.append(wrapped)
        for key, label, value in (("llm_model", "Model name", v.llm_model),
                                  ("wake_phrase", "Wake phrase", v.wake_phrase),
                                  ("ptt_key", "Hold-to-talk key", "Space" if v.ptt_key == " " else v.ptt_key)):
            t = ft.TextField(label=label, value=value, width=260)
            f[key] = t
            rows.append(tagged(t, f"setting-{key}"))
        self._fields = f
        self.form.controls = [ft.Row(rows, wrap=True, spacing=12, run_spacing=12)]

    def _fill_accounts(self, accounts: list[AccountView]) -> None:
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
        values = {k: (c.value if c.value is not None else "") for k, c in self._fields.items()}
        if values.get("ptt_key", "").strip().lower() in ("space", ""):
            values["ptt_key"] = " "
        try:
            view = await self.app.engine.update_settings(SettingsPatch(**values))
        except (EngineError, ValidationError) as exc:
            self._say(f"Not saved: {exc}")
            return
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
        for t in (self.acc_name, self.acc_user, self.acc_host, self.acc_port, self.acc_secret):
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
