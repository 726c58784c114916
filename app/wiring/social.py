"""Builds the social networks (``agents.social``) from the account records of kind ``mastodon`` and
``bluesky`` and the keyring: the Mastodon access token, the Bluesky app password, and the Bluesky
session (its refresh token) kept in the keyring under kind ``bluesky-session`` so a restart refreshes
it instead of logging in again. A missing secret or an incomplete record leaves that network out
(logged, one line), never an exception."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from agents.social.config import bluesky_config, mastodon_config
from agents.social.hub import NetworkClient, SocialHub
from agents.social.models import Network
from app import secrets

if TYPE_CHECKING:
    from app.accounts import AccountIn, AccountOut, CheckResult
    from app.services import Services

log = logging.getLogger(__name__)
SESSION_KIND = "bluesky-session"


def _default(accounts: list[AccountOut]) -> AccountOut:
    return next((a for a in accounts if str(a.options.get("default", "")).lower() in ("1", "true", "yes")),
                accounts[0])


def network_client(acc: AccountIn, secret: str, timeout_s: float | None = None) -> NetworkClient:
    """The client of one account record (ValueError with one line when the record is incomplete). The client
    libraries are imported here, only for a network that has an account."""
    if acc.kind == "mastodon":
        from agents.social.mastodon_client import MastodonClient

        mcfg = mastodon_config(acc.username, acc.host, acc.port, acc.options)
        if timeout_s is not None:
            mcfg = mcfg.model_copy(update={"timeout_s": timeout_s})
        return MastodonClient(mcfg, secret, account=acc.name)
    from agents.social.bluesky_client import BlueskyClient

    bcfg = bluesky_config(acc.username, acc.host, acc.port, acc.options)
    if timeout_s is not None:
        bcfg = bcfg.model_copy(update={"timeout_s": timeout_s})
    name = acc.name
    return BlueskyClient(bcfg, secret, account=name,
                         load_session=lambda: secrets.get_secret(SESSION_KIND, name),
                         save_session=lambda s: secrets.set_secret(SESSION_KIND, name, s))


def build_social(services: Services) -> SocialHub | None:
    from sqlalchemy import select

    from app.accounts import AccountOut
    from storage.db.models import Account

    clients: dict[Network, NetworkClient] = {}
    for kind in ("mastodon", "bluesky"):
        with services.db.session() as s:
            accounts = [AccountOut.model_validate(r) for r in
                        s.scalars(select(Account).where(Account.kind == kind).order_by(Account.name))]
        if not accounts:
            continue
        acc = _default(accounts)
        try:
            secret = services.accounts.secret(acc)
            if not secret:
                log.warning("%s account '%s' has no secret in the keyring", kind, acc.name)
                continue
            clients[kind] = network_client(acc, secret)  # type: ignore[index]
        except (secrets.SecretStoreError, ValueError) as exc:
            log.warning("%s account '%s' is not usable: %s", kind, acc.name, str(exc).splitlines()[0])
    return SocialHub(clients) if clients else None


def check_social(acc: AccountIn, secret: str | None, timeout: float) -> CheckResult:
    """One login to the network (the secret never in the message)."""
    from agents.deps import ServiceError
    from app.accounts import CheckResult

    if not secret:
        what = "access token" if acc.kind == "mastodon" else "app password"
        return CheckResult(ok=False, message=f"no {what} stored for this account: remove it and add it again "
                                             f"with its {what}")
    try:
        client = network_client(acc, secret, timeout)
        return CheckResult(ok=True, message=client.check_login())
    except (ServiceError, ValueError) as exc:
        text = str(exc).replace(secret, "***")
        return CheckResult(ok=False, message=text.splitlines()[0] if text else type(exc).__name__)
