"""The home server's scheduled bank sync: which ledger each bank account feeds. A bank account record
with the option ``user`` (a server user name) feeds that user's own ledger (what their phone shows);
one without it feeds the household's ledger (the app's database, what the desktop app and the CLI show).
An account naming a user that does not exist is skipped with a note in the log."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from app.finance.scheduler import BankSyncScheduler, SyncTarget, scheduler_for
from app.server.spaces import UserSpaces
from app.server.users import UserStore
from app.services import Services
from storage.db.leases import claim_lease

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

    scheduler = scheduler_for(services, targets)
    # replicas on one database: each scheduled run is claimed for most of an interval, so one process syncs
    period = timedelta(seconds=scheduler.interval_s * 0.9)
    holder = f"{socket.gethostname()} pid {os.getpid()}"
    # with no bank account there is nothing to claim: the database is not written (a backup's snapshot
    # of an idle server stays the same)
    scheduler.claim = lambda: not targets() or claim_lease(services.db, "bank-sync", holder, period)
    return scheduler
