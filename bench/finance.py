"""Benchmark of the finance ledger. Prints one JSON object. Run: .venv/bin/python bench/finance.py

- import of 100,000 generated transactions from one CAMT.053 file and one (Sparkasse-layout) CSV file,
  each in a fresh process: seconds and peak memory (targets: <= 10 s, <= 200 MB)
- spending per category over 5 years of transactions (100,000 bookings): p50 / p95 of 50 one-month queries
  and p50 of 20 queries over the whole 5 years (target p50 <= 50 ms), on SQLite and on PostgreSQL: a
  temporary PostgreSQL cluster started here when its binaries are installed (as the test fixture does),
  or the database given with ``--database-url`` (or PA_BENCH_POSTGRES_URL); ``--no-postgres`` skips it.
  Each import reports wall seconds and CPU seconds (on a busy machine the two differ)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = 100_000
IBAN = "DE89370400440532013000"
PAYEES = ["REWE Markt GmbH", "EDEKA", "Netflix", "Deutsche Bahn", "Pizzeria Da Mario", "Amazon EU", "Aral",
          "Stadtwerke", "Allianz", "Hausverwaltung Schmidt", "Café Anna", "dm drogerie", "Apotheke am Markt"]


def _entries(n: int) -> list[tuple[date, Decimal, str, str]]:
    rng = random.Random(2026)
    start = date(2021, 1, 1)
    return [(start + timedelta(days=i * 5 * 365 // n), Decimal(-rng.randrange(100, 20000)) / 100,
             rng.choice(PAYEES), f"Kauf {i} Beleg {rng.randrange(10**6)}") for i in range(n)]


def write_files(d: Path) -> tuple[Path, Path]:
    from tests.finance.camt_builder import Entry, camt_chunks

    rows = _entries(N)
    camt = d / "big.xml"
    with camt.open("w", encoding="utf-8") as f:
        for chunk in camt_chunks(IBAN, (Entry(on, a, p, None, u) for on, a, p, u in rows)):
            f.write(chunk)
    csv = d / "big.csv"
    with csv.open("w", encoding="cp1252", newline="") as f:
        f.write('"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";"Glaeubiger ID";'
                '"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";"Lastschrift Ursprungsbetrag";'
                '"Auslagenersatz Ruecklastschrift";"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";'
                '"BIC (SWIFT-Code)";"Betrag";"Waehrung";"Info"\r\n')
        for on, a, p, u in rows:
            f.write(f'"{IBAN}";"{on:%d.%m.%y}";"{on:%d.%m.%y}";"LASTSCHRIFT";"{u}";"";"";"";"";"";"";"{p}";"";"";'
                    f'"{str(a).replace(".", ",")}";"EUR";"Umsatz gebucht"\r\n')
    return camt, csv


def import_once(path: str, url: str) -> None:
    """Child process: import one file into ``url``; prints seconds and peak RSS."""
    from agents.domains import migration_folders
    from agents.finance.imports import open_statement
    from agents.finance.ledger import import_items
    from storage.db.engine import Database

    db = Database(url, migration_folders())
    db.migrate()
    t, cpu = time.perf_counter(), time.process_time()
    with db.session() as s:
        st = open_statement(Path(path))
        r = import_items(s, st.items, path, st.format)
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(secs, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak_mb, 1), "new": r.new,
                      "format": st.format}))


def timed_import(path: Path, url: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", str(path), url], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def query_p50(url: str, runs: int = 50, whole_runs: int = 20) -> dict[str, Any]:
    from agents.domains import migration_folders
    from agents.finance.queries import spending_by_category
    from storage.db.engine import Database

    db = Database(url, migration_folders())
    times, whole = [], []
    rng = random.Random(1)
    with db.session() as s:
        spending_by_category(s, date(2021, 1, 1), date(2021, 2, 1))  # warm: connection, statement caches
        for _ in range(runs):
            y = rng.randrange(2021, 2026)
            m = rng.randrange(1, 13)
            start = date(y, m, 1)
            t = time.perf_counter()
            spending_by_category(s, start, start + timedelta(days=31))
            times.append((time.perf_counter() - t) * 1000)
        for _ in range(whole_runs):
            t = time.perf_counter()
            categories = spending_by_category(s, date(2021, 1, 1), date(2026, 1, 1))
            whole.append((time.perf_counter() - t) * 1000)
    db.dispose()
    return {"month_p50_ms": round(statistics.median(times), 2),
            "month_p95_ms": round(sorted(times)[int(0.95 * len(times)) - 1], 2),
            "five_years_p50_ms": round(statistics.median(whole), 2), "categories": len(categories)}


@contextlib.contextmanager
def postgres(url: str | None, skip: bool) -> Iterator[tuple[str | None, str]]:
    """The PostgreSQL to measure: the given one (emptied of earlier finance rows is the caller's
    business: use a fresh database), else a temporary cluster when the binaries exist."""
    if url:
        yield url, "given"
        return
    if skip:
        yield None, "skipped (--no-postgres)"
        return
    from tests.servers.postgres import PostgresUnavailable, running_postgres

    try:
        with running_postgres(user="pa_bench", dbname="pa_bench") as server:
            engine = create_engine(server.url)
            with engine.connect() as c:
                version = str(c.execute(text("show server_version")).scalar())
            engine.dispose()
            yield server.url, f"temporary cluster, PostgreSQL {version}"
    except PostgresUnavailable as exc:
        yield None, f"not measured: {exc}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--database-url", default=os.environ.get("PA_BENCH_POSTGRES_URL"),
                    help="a PostgreSQL (SQLAlchemy URL, an empty database) instead of a temporary cluster")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = ap.parse_args()
    result: dict[str, Any] = {"benchmark": "finance", "transactions": N, "cpus": os.cpu_count(),
                              "loadavg": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        camt, csv = write_files(d)
        result["generate_s"] = round(time.perf_counter() - t, 2)
        result["camt_mb"] = round(camt.stat().st_size / 2**20, 1)
        result["csv_mb"] = round(csv.stat().st_size / 2**20, 1)
        url = f"sqlite:///{d / 'camt.sqlite3'}"
        result["import_camt"] = timed_import(camt, url)
        result["reimport_camt"] = timed_import(camt, url)
        result["import_csv"] = timed_import(csv, f"sqlite:///{d / 'csv.sqlite3'}")
        result["query_sqlite"] = query_p50(url)
        with postgres(args.database_url, args.no_postgres) as (pg, how):
            result["postgres"] = how
            if pg:
                result["import_camt_postgres"] = timed_import(camt, pg)
                result["query_postgres"] = query_p50(pg)
    result["targets"] = {"import_s": 10, "peak_mb": 200, "query_p50_ms": 50}
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        import_once(sys.argv[2], sys.argv[3])
    else:
        main()
