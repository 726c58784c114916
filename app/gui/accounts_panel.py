"""Settings -> Accounts: where the passwords are kept (create or unlock the encrypted password store with
a master password, for this session only), the accounts with Test and Remove (a test's result is shown
on the account's own row), and the form to add one (mail, calendar, WhatsApp, language model, SMB, S3)
with provider presets; a field that is missing or wrong is marked with plain words next to it.

Controls are made once and changed in place (hidden or shown per kind); the rows are built again only
when the accounts or a test result changed (see the typing rules in docs/ARCHITECTURE.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.accounts import account_kinds
from app.engine import AccountView, CheckOutcome, EngineError, KeyringView, SignInPort
from app.engine.account_rules import (
    FORM_PRESETS,
    GUI_KINDS,
    KIND_FIELDS,
    draft_from_form,
    preset_values,
    sign_in_draft,
)
from app.gui.strings import GUI, language, t
from app.gui.widgets import bind, button, icon_button, tagged

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

# the labels that depend on the account's kind (catalogue keys: app/gui/strings.py)
SECRET_LABELS = {"llm": "accounts.api_key", "whatsapp": "accounts.access_token", "s3": "accounts.secret_access_key",
                 "mastodon": "accounts.access_token", "bluesky": "accounts.app_password"}
USER_LABELS = {"s3": "accounts.access_key_id", "whatsapp": "accounts.user_optional", "llm": "accounts.user_optional",
               "mastodon": "accounts.user_optional", "bluesky": "accounts.handle"}
URL_LABELS = {"caldav": "accounts.calendar_url", "whatsapp": "accounts.api_url", "s3": "accounts.endpoint_url",
              "mastodon": "accounts.mastodon_url", "bluesky": "accounts.bluesky_url"}
KEYRING_WORDS = {"missing": "accounts.keyring_missing", "locked": "accounts.keyring_locked"}
WHERE_WORDS = {"system": "accounts.keyring_system", "encrypted-file": "accounts.keyring_file",
               "server": "accounts.keyring_server"}
MIN_MASTER = 8


def kind_label(kind: str) -> str:
    """An account kind in words: "Mail (IMAP/SMTP)"; a kind the catalogue does not know, as named."""
    key = f"accounts.kind_{kind}"
    return t(key) if key in GUI else kind


def keyring_words(view: KeyringView) -> str:
    if view.state != "ready":
        return t(KEYRING_WORDS[view.state])
    return t(WHERE_WORDS[view.where])


def master_problems(create: bool, first: str, second: str) -> dict[str, str]:
    """What is wrong with the master password typed (field -> plain words)."""
    if not first:
        return {"master": t("accounts.type_master")}
    if create and len(first) < MIN_MASTER:
        return {"master": t("accounts.master_short", count=MIN_MASTER)}
    if create and first != second:
        return {"master2": t("accounts.master_differ")}
    return {}


def row_words(a: AccountView) -> str:
    return f"{kind_label(a.kind)}: {a.name}" + (f" ({a.username}@{a.host})" if a.host else
                                                f" ({a.username})" if a.username else "")


def check_words(r: CheckOutcome) -> str:
    return t("accounts.check_ok" if r.ok else "accounts.check_failed", message=r.message)


class AccountsPanel:
    def __init__(self, app: AssistantApp, say: Any) -> None:
        self.app = app
        self._say = say  # the settings screen's message line
        self.keyring_text = ft.Text("")
        self.master = ft.TextField(label=t("accounts.master"), password=True, can_reveal_password=True, width=240)
        self.master2 = ft.TextField(label=t("accounts.master_again"), password=True, can_reveal_password=True,
                                    width=240)
        self.keyring_button = ft.FilledButton(content=t("accounts.create_store"), icon=ft.Icons.LOCK_OPEN,
                                              on_click=self._open_keyring)
        self._keyring_tags = {"master": tagged(self.master, "keyring-password"),
                              "master2": tagged(self.master2, "keyring-password2"),
                              "button": tagged(self.keyring_button, "keyring-open")}
        self.keyring_view = KeyringView(state="ready")
        self.rows = ft.Column(spacing=6)
        kinds = [k for k in GUI_KINDS if k in account_kinds()]
        self.kind = ft.Dropdown(label=t("accounts.kind"), value="mail", width=220, on_select=self._kind_changed,
                                options=[ft.DropdownOption(key=k, text=kind_label(k)) for k in kinds])
        self.preset = ft.Dropdown(label=t("accounts.provider"), value="", width=240, on_select=self._preset_changed,
                                  options=[ft.DropdownOption(key="", text=t("accounts.other_provider")),
                                           *[ft.DropdownOption(key=k, text=p.label) for k, p in FORM_PRESETS.items()]])
        self.fields: dict[str, ft.TextField] = {
            "name": ft.TextField(label=t("accounts.name"), width=200),
            "user": ft.TextField(label=t("accounts.user"), width=220),
            "address": ft.TextField(label=t("accounts.address"), width=220),
            "host": ft.TextField(label=t("accounts.imap_host"), width=220),
            "port": ft.TextField(label=t("accounts.port"), width=100, keyboard_type=ft.KeyboardType.NUMBER),
            "smtp_host": ft.TextField(label=t("accounts.smtp_host"), width=220),
            "smtp_port": ft.TextField(label=t("accounts.smtp_port"), width=100, keyboard_type=ft.KeyboardType.NUMBER),
            "url": ft.TextField(label=t("accounts.calendar_url"), width=360),
            "phone_number_id": ft.TextField(label=t("accounts.phone_number_id"), width=200),
            "secret": ft.TextField(label=t("accounts.password"), password=True, can_reveal_password=True, width=220),
        }
        idents = {"name": "account-name", "user": "account-user", "address": "account-address",
                  "host": "account-host", "port": "account-port", "smtp_host": "account-smtp-host",
                  "smtp_port": "account-smtp-port", "url": "account-url", "phone_number_id": "account-phone-id",
                  "secret": "account-secret"}
        self._tags = {k: tagged(f, idents[k]) for k, f in self.fields.items()}
        self._tags["preset"] = tagged(self.preset, "account-preset", label=t("accounts.provider"))
        self._shown: list[AccountView] | None = None
        self._checks: dict[tuple[str, str], CheckOutcome] = {}
        self._checks_shown: dict[tuple[str, str], CheckOutcome] = {}
        # Google and Microsoft: the provider's sign-in in the browser instead of a password (where the engine
        # runs the browser: not on a phone)
        self.sign_in_row = ft.Row([
            button(t("accounts.sign_in_google"), bind(self._sign_in, "google"), "account-signin-google", ft.Icons.LOGIN),
            button(t("accounts.sign_in_microsoft"), bind(self._sign_in, "microsoft"), "account-signin-microsoft",
                   ft.Icons.LOGIN)], spacing=12, wrap=True)
        self._show_kind()

    def build(self) -> ft.Control:
        order = ["name", "preset", "user", "address", "host", "port", "smtp_host", "smtp_port", "url",
                 "phone_number_id", "secret"]
        form = ft.Row([tagged(self.kind, "account-kind", label=t("accounts.kind")), *[self._tags[k] for k in order],
                       button(t("accounts.add"), self._add, "account-add", ft.Icons.ADD, filled=True),
                       self.sign_in_row],
                      wrap=True, spacing=12, run_spacing=12)
        keyring = ft.Column([
            ft.Semantics(content=self.keyring_text, identifier="keyring-status", container=True),
            ft.Row([self._keyring_tags["master"], self._keyring_tags["master2"], self._keyring_tags["button"]],
                   wrap=True, spacing=12, run_spacing=12),
        ], spacing=8)
        return ft.Column([keyring, ft.Semantics(content=self.rows, container=True), form], spacing=12)

    # ------------------------------------------------------------------ loading and showing

    async def load(self) -> None:
        try:
            self._show_keyring(await self.app.engine.keyring())
            self._fill(await self.app.engine.accounts())
        except EngineError as exc:
            self._say(str(exc))

    def _show_keyring(self, view: KeyringView) -> None:
        self.keyring_view = view
        self.keyring_text.value = keyring_words(view)
        needs = view.state != "ready"
        self._keyring_tags["master"].visible = needs
        self._keyring_tags["master2"].visible = view.state == "missing"
        self._keyring_tags["button"].visible = needs
        self.keyring_button.content = t("accounts.create_store") if view.state == "missing" else t("accounts.unlock")

    def _fill(self, accounts: list[AccountView]) -> None:
        if accounts == self._shown and self._checks == self._checks_shown:  # the same rows: keep the controls
            return
        self._shown = accounts
        self._checks_shown = dict(self._checks)
        if not accounts:
            self.rows.controls = [ft.Text(t("accounts.none"))]
            return
        self.rows.controls = [self._row(a) for a in accounts]

    def _row(self, a: AccountView) -> ft.Control:
        check = self._checks.get((a.kind, a.name))
        status = ft.Text(check_words(check) if check else "", size=12,
                         color=None if check is None else ft.Colors.GREEN_800 if check.ok else ft.Colors.RED_800)
        again = [icon_button(ft.Icons.LOGIN, t("accounts.sign_in_again", name=a.name), bind(self._sign_in_again, a),
                             f"account-signin-again-{a.kind}-{a.name}")] \
            if check is not None and not check.ok and "sign in again" in check.message \
            and isinstance(self.app.engine, SignInPort) else []
        return ft.Column([
            ft.Row([ft.Icon(ft.Icons.KEY if a.has_secret else ft.Icons.KEY_OFF),
                    ft.Text(row_words(a), expand=True), *again,
                    icon_button(ft.Icons.WIFI_TETHERING, t("accounts.test", name=a.name), bind(self._test, a),
                                f"account-test-{a.kind}-{a.name}"),
                    icon_button(ft.Icons.DELETE, t("accounts.remove", name=a.name), bind(self._remove, a),
                                f"account-remove-{a.kind}-{a.name}")]),
            ft.Semantics(content=status, identifier=f"account-status-{a.kind}-{a.name}", container=True,
                         live_region=True),
        ], spacing=2)

    def _show_kind(self) -> None:
        kind = self.kind.value or "mail"
        wanted = set(KIND_FIELDS.get(kind, ()))
        for key in ("preset", "address", "host", "port", "smtp_host", "smtp_port", "url", "phone_number_id"):
            self._tags[key].visible = key in wanted
        self.fields["user"].label = t(USER_LABELS.get(kind, "accounts.user"))
        self.fields["secret"].label = t(SECRET_LABELS.get(kind, "accounts.password"))
        self.fields["host"].label = t("accounts.imap_host" if kind == "mail" else "accounts.server")
        self.fields["url"].label = t(URL_LABELS.get(kind, "accounts.url"))
        self.fields["name"].label = t("accounts.llm_name" if kind == "llm" else "accounts.name")
        self.sign_in_row.visible = kind in ("mail", "caldav") and isinstance(self.app.engine, SignInPort)

    def _mark(self, problems: dict[str, str]) -> None:
        for key, f in self.fields.items():
            f.error = problems.get(key)

    # ------------------------------------------------------------------ handlers

    async def _kind_changed(self, e: Any) -> None:
        self._show_kind()
        self._mark({})
        self.app.refresh()

    async def _preset_changed(self, e: Any) -> None:
        for key, value in preset_values(self.preset.value or "", self.kind.value or "mail",
                                        (self.fields["user"].value or "").strip()).items():
            self.fields[key].value = value
        self.app.refresh()

    async def _open_keyring(self, e: Any) -> None:
        create = self.keyring_view.state == "missing"
        problems = master_problems(create, self.master.value or "", self.master2.value or "")
        self.master.error = problems.get("master")
        self.master2.error = problems.get("master2")
        if problems:
            self.app.refresh()
            return
        try:
            view = await self.app.engine.open_keyring(self.master.value or "", create=create)
        except EngineError as exc:
            self.master.error = str(exc)
            self.app.refresh()
            return
        self.master.value = self.master2.value = ""
        self._show_keyring(view)
        self._shown = None  # whether each account has its password is known now
        self._fill(await self.app.engine.accounts())
        self._say(t("accounts.store_created") if create else t("accounts.store_unlocked"))

    def _form(self) -> dict[str, str]:
        form = {k: f.value or "" for k, f in self.fields.items() if self._tags[k].visible is not False}
        form["preset"] = self.preset.value or ""
        return form

    async def _add(self, e: Any) -> None:
        kind = self.kind.value or "mail"
        sent = self._form()
        draft, problems = draft_from_form(kind, sent, language())
        self._mark(problems)
        if draft is None:
            self._say(t("accounts.not_added_one") if len(problems) == 1 else t("accounts.not_added_many"))
            return
        try:
            acc = await self.app.engine.add_account(draft)
        except EngineError as exc:
            self._say(t("accounts.not_added", reason=exc))
            return
        for k, f in self.fields.items():  # cleared only where nobody has typed since it was sent: a field
            if (f.value or "") == sent.get(k, ""):  # written under the user's new keys would lose them
                f.value = ""
        self.preset.value = ""
        self._fill(await self.app.engine.accounts())
        self._say(t("accounts.added", name=acc.name))

    async def _sign_in(self, provider: str) -> None:
        engine = self.app.engine
        kind = self.kind.value or "mail"
        draft, problems = sign_in_draft(kind, self._form(), language())
        self._mark(problems)
        if draft is None or not isinstance(engine, SignInPort):
            self._say(t("accounts.not_added_one") if len(problems) == 1 else t("accounts.not_added_many"))
            return
        _open_here(engine)
        self.app.start_progress("account_signin", t("accounts.signing_in"))
        try:
            acc = await engine.sign_in_account(draft, provider)
        except EngineError as exc:
            self._say(t("accounts.not_signed_in", reason=exc))
            return
        finally:
            self.app.end_progress("account_signin")
        for key in ("name", "user"):
            self.fields[key].value = ""
        self._fill(await engine.accounts())
        self._say(t("accounts.signed_in", name=acc.name))

    async def _sign_in_again(self, a: AccountView) -> None:
        engine = self.app.engine
        if not isinstance(engine, SignInPort):
            return
        _open_here(engine)
        self.app.start_progress("account_signin", t("accounts.signing_in"))
        try:
            await engine.sign_in_again(a.kind, a.name)
        except EngineError as exc:
            self._say(t("accounts.not_signed_in", reason=exc))
            return
        finally:
            self.app.end_progress("account_signin")
        self._checks.pop((a.kind, a.name), None)
        self._fill(await engine.accounts())
        self._say(t("accounts.signed_in_again", name=a.name))

    async def _test(self, a: AccountView) -> None:
        self.app.start_progress("account_test", t("accounts.testing", name=a.name))
        try:
            r = await self.app.engine.test_account(a.kind, a.name)
        except EngineError as exc:
            r = CheckOutcome(ok=False, message=str(exc))
        finally:
            self.app.end_progress("account_test")
        self._checks[(a.kind, a.name)] = r
        self._fill(await self.app.engine.accounts())
        self.app.refresh()

    async def _remove(self, a: AccountView) -> None:
        try:
            await self.app.engine.remove_account(a.kind, a.name)
        except EngineError as exc:
            self._say(str(exc))
            return
        self._checks.pop((a.kind, a.name), None)
        self._fill(await self.app.engine.accounts())
        self._say(t("accounts.removed", name=a.name))


def _open_here(engine: object) -> None:
    """A phone's sign-in (the remote engine) opens the provider's page in the browser of the device that
    shows this screen, not on the home server."""
    from app.engine.remote import RemoteEngine

    if isinstance(engine, RemoteEngine):
        engine.open_url = lambda url: ft.UrlLauncher().launch_url(url)
