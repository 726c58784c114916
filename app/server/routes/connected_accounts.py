"""The household's connected accounts (mail, calendar, WhatsApp, language models ...) over the API, for
the phone's Settings -> Accounts: every signed-in user sees them (never a secret); only an admin adds,
tests and removes one. The passwords go into the server's keyring, which is open while the server runs
(its own sign-in key is there too): a phone never handles a master password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response
from fastapi.concurrency import run_in_threadpool

from app.accounts import AccountError, AccountIn
from app.engine import AccountDraft, AccountView, CheckOutcome
from app.engine.account_rules import draft_problems
from app.secrets import SecretStoreError
from app.server.api_language import Lang, api_error
from app.server.auth import Me, State, problems

router = APIRouter(prefix="/api/v1/connected-accounts", tags=["connected accounts"])
Kind = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
Name = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@\-]+$")]


def _admin(me: Me) -> None:
    if not me.user.is_admin:
        raise api_error(403, "only the household's admin can change the connected accounts",
                        "nur der Admin des Haushalts kann die verbundenen Konten ändern")


@router.get("", response_model=list[AccountView], responses=problems(401))
def list_accounts(me: Me, st: State) -> list[AccountView]:
    """The household's accounts (no secrets)."""
    return [AccountView(kind=a.kind, name=a.name, username=a.username, host=a.host, port=a.port,
                        has_secret=a.has_secret) for a in st.services.accounts.list()]


@router.post("", response_model=AccountView, status_code=201, responses=problems(400, 401, 403, 409))
async def add_account(draft: AccountDraft, me: Me, st: State, lang: Lang) -> AccountView:
    """Add an account; its password or key goes into the server's keyring only."""
    _admin(me)
    found = draft_problems(draft, lang)
    if found:
        raise HTTPException(400, next(iter(found.values())))
    acc = AccountIn(kind=draft.kind, name=draft.name, username=draft.username, host=draft.host, port=draft.port,
                    options=dict(draft.options))
    try:
        out = await run_in_threadpool(st.services.accounts.add, acc, draft.secret or None)
    except AccountError as exc:
        raise HTTPException(409 if "exists" in str(exc) else 400, exc) from None
    except SecretStoreError:
        raise api_error(409, "the server's password store cannot be used now",
                        "der Passwortspeicher des Servers kann gerade nicht benutzt werden") from None
    return AccountView(kind=out.kind, name=out.name, username=out.username, host=out.host, port=out.port,
                       has_secret=out.has_secret)


@router.post("/{kind}/{name}/test", response_model=CheckOutcome, responses=problems(401, 403, 404))
async def test_account(kind: Kind, name: Name, me: Me, st: State) -> CheckOutcome:
    """Log in to the account's service once (from the server); the result in plain words."""
    _admin(me)
    try:
        r = await run_in_threadpool(st.services.accounts.test, name, kind)
    except AccountError as exc:
        raise HTTPException(404, exc) from None
    return CheckOutcome(ok=r.ok, message=r.message)


@router.delete("/{kind}/{name}", status_code=204, response_class=Response, responses=problems(401, 403, 404))
async def remove_account(kind: Kind, name: Name, me: Me, st: State) -> Response:
    _admin(me)
    try:
        await run_in_threadpool(st.services.accounts.remove, name, kind)
    except AccountError as exc:
        raise HTTPException(404, exc) from None
    return Response(status_code=204)
