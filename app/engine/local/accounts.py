"""The accounts port of the local engine: list, add (the secret goes to the keyring), test, remove."""

from __future__ import annotations

from app.engine import AccountDraft, AccountView, CheckOutcome, EngineError
from app.engine.local.core import EngineCore


class LocalAccounts:
    def __init__(self, core: EngineCore) -> None:
        self.core = core

    async def accounts(self) -> list[AccountView]:
        rows = await self.core.thread(self.core.sv.accounts.list)
        return [AccountView(kind=a.kind, name=a.name, username=a.username, host=a.host, port=a.port,
                            has_secret=a.has_secret) for a in rows]

    async def add_account(self, draft: AccountDraft) -> AccountView:
        from app.accounts import AccountError, AccountIn
        from app.secrets import SecretStoreError

        acc = AccountIn(kind=draft.kind, name=draft.name, username=draft.username, host=draft.host, port=draft.port)
        try:
            out = await self.core.thread(self.core.sv.accounts.add, acc, draft.secret or None)
        except (AccountError, SecretStoreError) as exc:
            raise EngineError(str(exc)) from None
        return AccountView(kind=out.kind, name=out.name, username=out.username, host=out.host, port=out.port,
                           has_secret=out.has_secret)

    async def test_account(self, kind: str, name: str) -> CheckOutcome:
        from app.accounts import AccountError

        try:
            r = await self.core.thread(self.core.sv.accounts.test, name, kind)
        except AccountError as exc:
            raise EngineError(str(exc)) from None
        return CheckOutcome(ok=r.ok, message=r.message)

    async def remove_account(self, kind: str, name: str) -> None:
        from app.accounts import AccountError

        try:
            await self.core.thread(self.core.sv.accounts.remove, name, kind)
        except AccountError as exc:
            raise EngineError(str(exc)) from None
