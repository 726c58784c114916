"""The scheduled bank sync of the running app or home server: every ``sync_interval_min`` minutes
(``[domains.finance]``; 0 = off) each bank account is fetched and stored in its ledger (``sync_bank``:
all fetched first, then one database transaction). Never two syncs at once: one lock in the process,
and a lock file in the data dir shared with `personal-agent finance sync`. ``status()`` is the
progress display (the Finance screen, ``GET /api/v1/finance/sync``): a bank that is down is one line."""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from agents.deps import ServiceError
from agents.finance.ledger import DbLedger
from agents.finance.sync import sync_bank
from app.metrics import observe_bank_sync
from storage.db.engine import Database

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)
FIRST_DELAY_S = 30.0  # the first sync after start (the app comes up first)


class SyncBusy(RuntimeError):
    """Another sync (this process or `finance sync`) is running."""


@contextmanager
def sync_lock(data_dir: Path) -> Iterator[None]:
    """The one bank sync of this data dir at a time (SyncBusy if another holds it)."""
    path = data_dir / "finance" / "sync.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncBusy("a bank sync is already running") from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


@dataclass(frozen=True)
class SyncTarget:
    account: str  # the bank account record's name
    ledger: Database  # where its bookings go
    user: str = ""  # the server user whose ledger it is ("" = the app's own)


class AccountSync(BaseModel):
    account: str
    user: str = Field("", description="the server user whose ledger it feeds; empty = the household's")
    state: Literal["never", "running", "ok", "failed"] = "never"
    step: str = Field("", description="fetching or storing, while running")
    finished_at: datetime | None = None
    message: str = Field("", description="the result line, or one line why it failed")
    new_transactions: int = 0


class SyncStatus(BaseModel):
    interval_min: float = Field(description="minutes between scheduled syncs; 0 = none")
    running: bool
    next_run_at: datetime | None
    last_run_at: datetime | None
    accounts: list[AccountSync]


class BankSyncScheduler:
    """One background thread; ``run_once`` can also be called directly (a "sync now" button)."""

    def __init__(self, services: Services, targets: Callable[[], list[SyncTarget]], interval_s: float,
                 days: int = 90, first_delay_s: float = FIRST_DELAY_S) -> None:
        self.services = services
        self.targets = targets
        self.interval_s = interval_s
        self.days = days
        self.first_delay_s = first_delay_s
        self._lock = threading.Lock()  # one sync in this process
        self._state_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._accounts: dict[str, AccountSync] = {}
        self._running = False
        self._next: datetime | None = None
        self._last: datetime | None = None
        self.runs = 0
        # the home server's claim of each scheduled run in the database (several server processes on one
        # database: one of them syncs); None: every scheduled run syncs (the desktop app)
        self.claim: Callable[[], bool] | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self.interval_s <= 0 or self._thread is not None:
            return
        self._next = datetime.now(UTC) + timedelta(seconds=self.first_delay_s)
        self._thread = threading.Thread(target=self._loop, name="finance-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        wait = self.first_delay_s
        while not self._stop.wait(wait):
            try:
                if self.claim is not None and not self.claim():
                    log.info("scheduled bank sync left to another server process (it holds this run)")
                else:
                    self.run_once()
                    self.pay_due()
            except SyncBusy:
                log.info("scheduled bank sync skipped: another sync is running")
            except Exception:  # never let the thread die; the status says what failed per account
                log.exception("scheduled bank sync failed")
            with self._state_lock:
                self._next = datetime.now(UTC) + timedelta(seconds=self.interval_s)
            wait = self.interval_s

    # ------------------------------------------------------------------ one run

    def run_once(self) -> list[AccountSync]:
        """Syncs every bank account now (SyncBusy if a sync is already running)."""
        if not self._lock.acquire(blocking=False):
            raise SyncBusy("a bank sync is already running")
        try:
            with sync_lock(self.services.paths.data_dir):
                return self._run()
        finally:
            self._lock.release()

    def _run(self) -> list[AccountSync]:
        from app.wiring.finance import build_bank

        targets = self.targets()
        with self._state_lock:
            self._running = True
            self._last = datetime.now(UTC)
            for name in list(self._accounts):
                if name not in {t.account for t in targets}:
                    del self._accounts[name]
        end = date.today()
        start = end - timedelta(days=self.days)
        done = []
        try:
            for t in targets:
                self._set(t, state="running", step="connecting", message="")
                try:
                    bank = build_bank(self.services, t.account)
                    result = sync_bank(bank, DbLedger(t.ledger), start, end, step=self._stepper(t))
                except ServiceError as exc:
                    observe_bank_sync(ok=False)
                    done.append(self._set(t, state="failed", step="", message=f"bank '{t.account}': {exc}",
                                          finished_at=datetime.now(UTC)))
                    continue
                except Exception as exc:  # a database error: the transaction was rolled back
                    log.exception("bank sync of %s", t.account)
                    observe_bank_sync(ok=False)
                    done.append(self._set(t, state="failed", step="", finished_at=datetime.now(UTC),
                                          message=f"bank '{t.account}': could not store the bookings "
                                                  f"({type(exc).__name__}); nothing was written"))
                    continue
                observe_bank_sync(ok=True)
                done.append(self._set(t, state="ok", step="", message=result.line(t.account),
                                      new_transactions=result.new_transactions, finished_at=datetime.now(UTC)))
        finally:
            with self._state_lock:
                self._running = False
                self.runs += 1
        return done

    def pay_due(self) -> list[str]:
        """Transfers approved for a day that has come (an invoice paid on its due date) go to the bank, once;
        what the bank asks next rings as a reminder (agents/finance/invoices/schedule.py). The app's own
        ledger only: a server user's scheduled payments are not sent by the server (yet)."""
        if not any(t.user == "" for t in self.targets()):
            return []
        from agents.finance.invoices.schedule import execute_due

        d = self.services.assistant.deps()
        said = execute_due(d, d.now().date())
        for line in said:
            log.info("scheduled transfer sent: %s", line.split("\n")[0][:120])
        return said

    def _stepper(self, t: SyncTarget) -> Callable[[str], None]:
        def step(name: str) -> None:
            self._set(t, step=name)

        return step

    def _set(self, t: SyncTarget, **fields: object) -> AccountSync:
        with self._state_lock:
            cur = self._accounts.get(t.account) or AccountSync(account=t.account, user=t.user)
            cur = self._accounts[t.account] = cur.model_copy(update={"user": t.user, **fields})
            return cur

    # ------------------------------------------------------------------ status

    def status(self) -> SyncStatus:
        with self._state_lock:
            return SyncStatus(interval_min=max(0.0, self.interval_s / 60),
                              running=self._running, next_run_at=self._next if self._thread else None,
                              last_run_at=self._last, accounts=list(self._accounts.values()))


def scheduler_for(services: Services, targets: Callable[[], list[SyncTarget]]) -> BankSyncScheduler:
    """A scheduler with the ``[domains.finance]`` interval, days back and first delay."""
    from app.wiring.finance import fints_settings

    cfg = fints_settings(services.settings)
    return BankSyncScheduler(services, targets, cfg.sync_interval_min * 60.0, cfg.sync_days, cfg.sync_first_delay_s)


def app_targets(services: Services) -> Callable[[], list[SyncTarget]]:
    """The desktop app's: every bank account into the app's ledger."""
    from app.wiring.finance import bank_accounts

    return lambda: [SyncTarget(a.name, services.db) for a in bank_accounts(services)]
