"""Benchmark: a full FinTS sync of 2,000 transactions from the fake bank (tests/servers/fints_bank.py)
through the unmodified python-fints client: first contact (new system id, BPD/UPD), accounts, balances,
and the statements across pages, for camt and for MT940, booked into a fresh SQLite ledger (``DbLedger``,
as ``personal-agent finance sync`` does); then a repeat sync with the saved client data (nothing new); for
camt also the storing step alone, timed from the sync's own steps (one database transaction, as the
scheduled sync does: ``ledger_store_s`` first time, ``ledger_restore_s`` again with nothing new).
Prints one JSON object. Run: .venv/bin/python bench/finance_sync.py"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents.domains import migration_folders
from agents.finance.bank_config import FintsConfig
from agents.finance.fints_client import FintsBankService, MemoryStateStore
from agents.finance.ledger import DbLedger
from agents.finance.sync import sync_bank
from storage.db.engine import Database
from tests.servers.fints_bank import start_bank

TRANSACTIONS, PAGE, RUNS = 2_000, 200, 3


def run(fmt: str) -> dict[str, Any]:
    bank, httpd = start_bank(transactions=TRANSACTIONS)
    bank.page_size = PAGE
    try:
        cfg = FintsConfig(bank_code=bank.blz, url=bank.url, user_id=bank.user_id, product_id="BENCHPRODUCT",
                          statement_format=fmt)  # type: ignore[arg-type]
        start, end = date.today() - timedelta(days=800), date.today()
        first: list[float] = []
        repeat: list[float] = []
        fetched = new = again = 0
        for _ in range(RUNS):
            with tempfile.TemporaryDirectory() as tmp:
                db = Database(f"sqlite:///{tmp}/ledger.sqlite3", migration_folders())
                db.migrate()
                store = MemoryStateStore()
                t = time.perf_counter()
                result = sync_bank(FintsBankService(cfg, bank.pin, store), DbLedger(db), start, end)
                first.append(time.perf_counter() - t)
                t = time.perf_counter()
                second = sync_bank(FintsBankService(cfg, bank.pin, store), DbLedger(db), start, end)
                repeat.append(time.perf_counter() - t)
                db.dispose()
            fetched, new, again = result.transactions, result.new_transactions, second.new_transactions
        messages = len(bank.requests) // RUNS
        ledger = _ledger_store(cfg, bank.pin, start, end) if fmt == "camt" else {}
        return {**ledger, "transactions": fetched, "new_first_sync": new, "new_repeat_sync": again,
                "messages_per_sync_avg": messages // 2,
                "first_sync_s": round(min(first), 2), "repeat_sync_s": round(min(repeat), 2),
                "first_sync_s_max": round(max(first), 2)}
    finally:
        httpd.shutdown()
        httpd.server_close()


def _ledger_store(cfg: FintsConfig, pin: str, start: date, end: date) -> dict[str, Any]:
    """The scheduled sync's path: fetch, then store in the SQLite ledger in one transaction (twice)."""
    import tempfile

    from agents.domains import migration_folders
    from agents.finance.ledger import DbLedger
    from storage.db.engine import Database

    with tempfile.TemporaryDirectory() as d:
        db = Database(f"sqlite:///{Path(d) / 'ledger.sqlite3'}", migration_folders())
        db.migrate()
        times: list[float] = []
        new: list[int] = []
        for _ in range(2):
            marks: dict[str, float] = {}

            def step(name: str, marks: dict[str, float] = marks) -> None:
                marks[name] = time.perf_counter()

            result = sync_bank(FintsBankService(cfg, pin, MemoryStateStore()), DbLedger(db), start, end, step=step)
            times.append(time.perf_counter() - marks["storing"])
            new.append(result.new_transactions)
        db.dispose()
    return {"ledger_new": new[0], "ledger_new_again": new[1], "ledger_store_s": round(times[0], 3),
            "ledger_restore_s": round(times[1], 3)}


def main() -> None:
    logging.getLogger("fints").setLevel(logging.ERROR)
    load_before = [round(x, 2) for x in os.getloadavg()]
    out = {
        "benchmark": "finance_fints_sync",
        "loadavg_before": load_before,
        "transactions_on_bank": TRANSACTIONS + 12,
        "page_size": PAGE,
        "camt": run("camt"),
        "mt940": run("mt940"),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
