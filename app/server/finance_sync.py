"""The home server's scheduled bank sync: which ledger each bank account feeds. A bank account record
with the option ``user`` (a server user name) feeds that user's own ledger (what their phone shows);
one without it feeds the household's ledger (the app's database, what the desktop app and the CLI show).
An account naming a user that does not exist is skipped with a note in the log."""

from __future__ import annotations

import logging

from app.finance.scheduler import BankSyncScheduler, SyncTarget, scheduler_for
from app.server.spaces import UserSpaces
from app.server.users import UserStore
from app.services import Services

log = logging.getLogger(__name__)


def server_sync(services: Services, users: UserStore, spaces: UserSpaces) -> BankSyncScheduler:
    from app.wiring.finance import bank_accounts

    def targets() -> list[SyncTarget]:
        out = []
        for acc in bank_accounts(services):
            name = str(acc.options.get("user", "") or "").strip()
            if not name:
                out.append(SyncTarget(acc.name, services.db))
                continue
            user = users.by_name(name)
            if user is None:
                log.warning("bank account %s names no server user (%s): not synced", acc.name, name)
                continue
            out.append(SyncTarget(acc.name, spaces.database(user.id), user.username))
        return out

    return scheduler_for(services, targets)
