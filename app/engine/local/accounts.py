"""The accounts port of the local engine: list, add (the secret goes to the keyring), test, remove; and
the keyring itself: on a machine without an OS keyring the encrypted file is created or unlocked here
with a master password that stays in this process's memory only (``app.secrets.open_encrypted_keyring``)."""

from __future__ import annotations

from typing import Any

from agents.phrasebook import phrase
from app.engine import AccountDraft, AccountView, CheckOutcome, EngineError, KeyringView
from app.engine.account_rules import draft_problems
from app.engine.local.core import EngineCore
from storage.bilingual import said


def _plain(message: str, lang: str) -> str:
    """A keyring error in plain words (it never names a setting or a command)."""
    if "wrong master password" in message:
        return phrase("account.wrong_master", lang)
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class LocalAccounts:
    def __init__(self, core: EngineCore) -> None:
        self.core = core

    async def keyring(self) -> KeyringView:
        from app import secrets

        state = await self.core.thread(secrets.keyring_state)
        return KeyringView(state=state, where="encrypted-file" if secrets.uses_encrypted_file() else "system")

    async def open_keyring(self, password: str, create: bool = False) -> KeyringView:
        from app import secrets

        try:
            await self.core.thread(secrets.open_encrypted_keyring, password, create)
        except secrets.SecretStoreError as exc:
            raise EngineError(_plain(str(exc), self.core.lang)) from None
        return await self.keyring()

    async def _ready(self) -> None:
        state = (await self.keyring()).state
        if state != "ready":
            raise EngineError(self.core.say("account.store_locked" if state == "locked" else "account.store_missing"))

    async def accounts(self) -> list[AccountView]:
        ready = (await self.keyring()).state == "ready"
        rows = await self.core.thread(self.core.sv.accounts.list, ready)
        return [AccountView(kind=a.kind, name=a.name, username=a.username, host=a.host, port=a.port,
                            has_secret=a.has_secret) for a in rows]

    async def add_account(self, draft: AccountDraft) -> AccountView:
        from app.accounts import AccountError, AccountIn
        from app.secrets import SecretStoreError

        problems = draft_problems(draft, self.core.lang)
        if problems:
            raise EngineError(next(iter(problems.values())))
        await self._ready()
        acc = AccountIn(kind=draft.kind, name=draft.name, username=draft.username, host=draft.host, port=draft.port,
                        options=dict(draft.options))
        try:
            out = await self.core.thread(self.core.sv.accounts.add, acc, draft.secret or None)
        except (AccountError, SecretStoreError) as exc:
            raise EngineError(_plain(str(exc), self.core.lang)) from None
        return AccountView(kind=out.kind, name=out.name, username=out.username, host=out.host, port=out.port,
                           has_secret=out.has_secret)

    async def sign_in_account(self, draft: AccountDraft, provider: str) -> AccountView:
        """The browser sign-in (PKCE, loopback redirect), then the account with its refresh token."""
        from pydantic import ValidationError

        from agents.communication.oauth import OAuthFailure
        from app.accounts import AccountError
        from app.secrets import SecretStoreError
        from app.wiring.oauth import account_client, sign_in_record

        await self._ready()
        try:
            acc = sign_in_record(draft.kind, draft.name, draft.username, provider, draft.host, draft.port,
                                 dict(draft.options))
            client = account_client(self.core.sv.settings, acc)
            tokens = await self.core.thread(self._browser_sign_in, client)
            acc.options["scopes"] = " ".join(tokens.scopes)
            out = await self.core.thread(self.core.sv.accounts.add, acc, tokens.refresh_token)
        except (OAuthFailure, AccountError, SecretStoreError) as exc:
            raise EngineError(_plain(str(exc), self.core.lang)) from None
        except ValidationError as exc:
            raise EngineError(_plain(str(exc.errors(include_url=False, include_input=False)[0]["msg"]), self.core.lang)) from None
        return AccountView(kind=out.kind, name=out.name, username=out.username, host=out.host, port=out.port,
                           has_secret=out.has_secret)

    async def sign_in_again(self, kind: str, name: str) -> AccountView:
        from agents.communication.oauth import OAuthFailure
        from app.accounts import AccountError
        from app.secrets import SecretStoreError
        from app.wiring.oauth import account_client, forget_session, is_oauth

        await self._ready()
        try:
            acc = await self.core.thread(self.core.sv.accounts.get, name, kind)
            if not is_oauth(acc):
                raise EngineError(f"{name} signs in with a password, not with a provider.")
            tokens = await self.core.thread(self._browser_sign_in, account_client(self.core.sv.settings, acc))
            await self.core.thread(self.core.sv.accounts.replace_secret, acc, tokens.refresh_token or "",
                                   {"scopes": " ".join(tokens.scopes)})
        except (OAuthFailure, AccountError, SecretStoreError) as exc:
            raise EngineError(_plain(str(exc), self.core.lang)) from None
        forget_session(acc)  # a running service's session takes the new grant from the keyring itself
        return AccountView(kind=acc.kind, name=acc.name, username=acc.username, host=acc.host, port=acc.port,
                           has_secret=True)

    @staticmethod
    def _browser_sign_in(client: Any) -> Any:
        import webbrowser

        from app.wiring.oauth import sign_in

        return sign_in(client, False, lambda code: None, webbrowser.open)

    async def test_account(self, kind: str, name: str) -> CheckOutcome:
        from app.accounts import AccountError

        await self._ready()
        try:
            r = await self.core.thread(self.core.sv.accounts.test, name, kind)
        except AccountError as exc:
            raise EngineError(said(exc, self.core.lang)) from None
        return CheckOutcome(ok=r.ok, message=r.message)

    async def remove_account(self, kind: str, name: str) -> None:
        from app.accounts import AccountError

        await self._ready()
        try:
            await self.core.thread(self.core.sv.accounts.remove, name, kind)
        except AccountError as exc:
            raise EngineError(said(exc, self.core.lang)) from None
