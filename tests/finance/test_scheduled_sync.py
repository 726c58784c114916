"""The scheduled bank sync (app/finance/scheduler.py) against the fake FinTS bank, in process with a
short interval: it repeats, shows its progress and result, is one line when the bank is down or the
connection drops mid-statement (nothing written), never runs twice at once (neither in the process nor
beside `finance sync`), and a database error while storing leaves nothing half-written."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.finance.fints_client import BankSnapshot
from agents.finance.ledger import DbLedger
from agents.finance.sync import sync_bank
from app.cli.main import cli
from app.finance.scheduler import BankSyncScheduler, SyncBusy, app_targets, sync_lock
from storage.db.engine import Database
from tests.finance.helpers import ledger_count_and_sum
from tests.finance.seed import bookings
from tests.servers.fints_bank import FintsBank

runner = CliRunner()
PRODUCT = "9FA6681DEC0CF3046BFC2F8A6"


@pytest.fixture
def scheduler(fints_bank: FintsBank, pa_home: Path) -> BankSyncScheduler:
    from app.cli.common import services

    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[domains.finance]\nfints_product_id = "{PRODUCT}"\n')
    res = runner.invoke(cli, ["accounts", "add", "fake", "--kind", "bank", "--username", fints_bank.user_id,
                              "-o", f"bank_code={fints_bank.blz}", "-o", f"url={fints_bank.url}",
                              "-o", "tan_method=pushTAN", "--password-stdin"], input=fints_bank.pin + "\n")
    assert res.exit_code == 0, res.output
    sv = services()
    return BankSyncScheduler(sv, app_targets(sv), interval_s=0.3, days=20, first_delay_s=0.05)


def _expected(bank: FintsBank, days: int) -> int:
    since = date.today() - timedelta(days=days)
    return sum(1 for a in bank.accounts for t in a.transactions if t.booking_date >= since)


@pytest.mark.integration
def test_repeats_on_its_interval_and_reports(scheduler: BankSyncScheduler, fints_bank: FintsBank) -> None:
    steps: list[str] = []
    original = scheduler._set

    def spy(t, **fields):  # type: ignore[no-untyped-def]
        if fields.get("step"):
            steps.append(str(fields["step"]))
        return original(t, **fields)

    scheduler._set = spy  # type: ignore[method-assign]
    scheduler.start()
    try:
        deadline = time.monotonic() + 60
        while scheduler.runs < 2:
            assert time.monotonic() < deadline, scheduler.status()
            time.sleep(0.05)
    finally:
        scheduler.stop()
    status = scheduler.status()
    [acc] = status.accounts
    assert acc.state == "ok" and acc.new_transactions == 0, acc  # the second run found nothing new
    assert acc.message.startswith("synced bank 'fake': 2 account(s), 2 balance(s)")
    assert f"{_expected(fints_bank, 20):,} transaction(s) (0 new)" in acc.message
    assert steps[:3] == ["connecting", "fetching", "storing"]
    assert ledger_count_and_sum(scheduler.services.db)[0] == _expected(fints_bank, 20)
    assert status.interval_min == pytest.approx(0.005) and not status.running


@pytest.mark.integration
def test_bank_down_or_dropped_is_one_line_and_writes_nothing(scheduler: BankSyncScheduler,
                                                              fints_bank: FintsBank) -> None:
    fints_bank.down = True
    [acc] = scheduler.run_once()
    assert acc.state == "failed" and "\n" not in acc.message, acc
    assert acc.message.startswith("bank 'fake': the bank at") and "not reachable" in acc.message
    assert fints_bank.pin not in acc.message
    assert ledger_count_and_sum(scheduler.services.db) == (0, 0)
    fints_bank.down = False
    fints_bank.page_size = 20
    fints_bank.fail_on("HKCAZ", "drop_before", after=2)  # the connection drops on the third page
    [acc] = scheduler.run_once()
    assert acc.state == "failed" and "not reachable" in acc.message, acc
    assert ledger_count_and_sum(scheduler.services.db) == (0, 0)
    from agents.finance.queries import balances

    with scheduler.services.db.session() as s:
        assert balances(s) == []  # no account, no balance: nothing half-written
    [acc] = scheduler.run_once()
    assert acc.state == "ok" and acc.new_transactions == _expected(fints_bank, 20)


@pytest.mark.integration
def test_never_two_syncs_at_once(scheduler: BankSyncScheduler, fints_bank: FintsBank) -> None:
    fints_bank.page_size = 10  # many pages: the sync takes a while
    results: list[object] = []
    gate = threading.Barrier(2)

    def run() -> None:
        gate.wait()
        try:
            results.append(scheduler.run_once())
        except SyncBusy as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(type(r).__name__ for r in results) == ["SyncBusy", "list"], results
    assert fints_bank.segment_count("HKIDN") > 0
    # beside the CLI: while `finance sync` holds the data dir's lock, the scheduler does not start one,
    # and the CLI says so in one line while the scheduler holds it
    with sync_lock(scheduler.services.paths.data_dir):
        with pytest.raises(SyncBusy):
            scheduler.run_once()
        res = runner.invoke(cli, ["finance", "sync"])
    assert res.exit_code == 1 and res.stderr.strip() == "a bank sync is already running; try again when it is done"


class _Snapshot:
    """A bank source that hands over a fixed, complete snapshot (the fetch side is tested above)."""

    def __init__(self, snapshot: BankSnapshot) -> None:
        self.snapshot = snapshot

    def fetch(self, start: date, end: date, iban: str | None = None) -> BankSnapshot:
        return self.snapshot


class _BrokenLedger(DbLedger):
    def add_transactions(self, transactions):  # type: ignore[no-untyped-def]
        super().add_transactions(transactions)
        raise OSError("disk full")


@pytest.mark.unit
def test_a_sync_is_stored_in_one_transaction(db: Database) -> None:
    from agents.finance.models import Balance, BankAccount, BankTransaction
    from agents.finance.queries import balances

    items = bookings(date(2026, 11, 20))
    snapshot = BankSnapshot(
        accounts=[BankAccount(iban=i) for i in sorted({x.iban for x in items})],
        balances=[x for x in items if isinstance(x, Balance)],
        transactions=[x for x in items if isinstance(x, BankTransaction)])
    with pytest.raises(OSError, match="disk full"):
        sync_bank(_Snapshot(snapshot), _BrokenLedger(db), date(2026, 1, 1), date(2026, 11, 20))
    assert ledger_count_and_sum(db) == (0, 0)
    with db.session() as s:
        assert balances(s) == []  # the accounts and balances stored before the error were rolled back
    result = sync_bank(_Snapshot(snapshot), DbLedger(db), date(2026, 1, 1), date(2026, 11, 20))
    assert result.new_transactions == len(snapshot.transactions) == ledger_count_and_sum(db)[0]
