"""Benchmark of the finance ledger. Prints one JSON object. Run: .venv/bin/python bench/finance.py

- import of 100,000 generated transactions from one CAMT.053 file and one (Sparkasse-layout) CSV file,
  each in a fresh process: seconds and peak memory (targets: <= 10 s, <= 200 MB)
- spending per category over 5 years of transactions (100,000 bookings): p50 / p95 of 50 one-month queries
  and p50 of 20 queries over the whole 5 years (target p50 <= 50 ms), on SQLite and on PostgreSQL: a
  temporary PostgreSQL cluster started here when its binaries are installed (as the test fixture does),
  or the database given with ``--database-url`` (or PA_BENCH_POSTGRES_URL); ``--no-postgres`` skips it.
  Each import reports wall seconds and CPU seconds (on a busy machine the two differ).
- e-invoices (``--only invoices`` runs just these): import + validation (XSD, the EN16931 rules from
  ../shared/finance/en16931-validation, our sums) of each real file in ../shared/finance/invoices, 3 rounds,
  p50 per PDF and per XML file (the first, cold file apart: it compiles the rules); and 1,000 invoices
  (made from a real one with new numbers: 750 CII/UBL XML, 250 Factur-X PDF) imported from a folder by
  ``personal-agent finance invoice import DIR`` in a fresh process: seconds and peak memory.
- invoice creation (``--only create``): a new invoice with the next number, its Factur-X PDF/A-3 and
  XRechnung XML built, both read back and checked (XSD, the EN16931 rules, our sums), stored and filed:
  p50 / p95 of 20 (the first, cold one apart), half with 19 % VAT and half under § 19 UStG.
- receipts (``--only receipts``): Tesseract OCR + extraction of a one-page receipt drawn like the tests'
  (a JPEG photo and an image-only PDF scan), p50 of 10 each; and the extraction accuracy (amount, date,
  vendor, all three) on ``--receipts`` drawn receipts of the set tuned on (seed 1) and of the held-apart
  set (seed 2)."""

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


SHARED_FINANCE = ROOT.parent / "shared" / "finance"


def invoice_p50(d: Path, rounds: int = 3) -> dict[str, Any]:
    """Import + validation per real file into a SQLite ledger and local storage (each import undone
    after it was timed, so every round files the same invoices)."""
    from sqlalchemy import delete

    from agents.domains import migration_folders
    from agents.finance.invoices.db import FinInvoice, FinInvoiceLine, FinInvoiceVat
    from agents.finance.invoices.read import InvoiceError
    from agents.finance.invoices.store import import_invoice
    from storage.db.engine import Database
    from storage.local import LocalBackend

    rules = SHARED_FINANCE / "en16931-validation"
    files = sorted(p for p in (SHARED_FINANCE / "invoices").rglob("*") if p.is_file())
    db = Database(f"sqlite:///{d / 'invoices.sqlite3'}", migration_folders())
    db.migrate()
    backend = LocalBackend(d / "blobs")
    times: dict[str, list[float]] = {"pdf": [], "xml": []}
    outcome = {"imported": 0, "refused": 0}
    cold = None
    for r in range(rounds):
        for f in files:
            t = time.perf_counter()
            try:
                with db.session() as s:
                    done = import_invoice(s, backend, f, rules)
                ok = True
            except InvoiceError:
                ok = False
            took = time.perf_counter() - t
            if cold is None:
                cold = took
            else:
                times["pdf" if f.suffix == ".pdf" else "xml"].append(took)
            if r == 0:
                outcome["imported" if ok else "refused"] += 1
            if ok:
                with db.session() as s:
                    for table in (FinInvoiceLine, FinInvoiceVat):
                        s.execute(delete(table).where(table.invoice_id == done.id))
                    s.execute(delete(FinInvoice).where(FinInvoice.id == done.id))
                backend.delete(done.key)
    db.dispose()
    return {"files": len(files), **outcome, "rounds": rounds, "cold_first_ms": round((cold or 0) * 1000, 1),
            "pdf_p50_ms": round(statistics.median(times["pdf"]) * 1000, 1),
            "xml_p50_ms": round(statistics.median(times["xml"]) * 1000, 1),
            "pdf_p95_ms": round(statistics.quantiles(times["pdf"], n=20)[-1] * 1000, 1),
            "xml_p95_ms": round(statistics.quantiles(times["xml"], n=20)[-1] * 1000, 1)}


def write_invoices(d: Path, n: int = 1000) -> Path:
    """``n`` distinct invoices from real ones: new invoice numbers in CII and UBL XML, and CII embedded in
    the real Factur-X PDF again (``factur-x``) for every fourth."""
    from facturx import generate_from_binary

    src = SHARED_FINANCE / "invoices"
    cii = (src / "cii" / "EN16931_Einfach.cii.xml").read_bytes()
    ubl = (src / "ubl" / "EN16931_Einfach.ubl.xml").read_bytes()
    pdf = (src / "fx" / "EN16931_Einfach.pdf").read_bytes()
    folder = d / "inbox"
    folder.mkdir()
    for i in range(n):
        number = f"B{i:06d}".encode()
        if i % 4 == 3:
            xml = cii.replace(b"<ram:ID>471102</ram:ID>", b"<ram:ID>" + number + b"</ram:ID>", 1)
            (folder / f"{i:04d}.pdf").write_bytes(generate_from_binary(pdf, xml, check_xsd=False))
        elif i % 2:
            (folder / f"{i:04d}.ubl.xml").write_bytes(
                ubl.replace(b"<cbc:ID>471102</cbc:ID>", b"<cbc:ID>" + number + b"</cbc:ID>", 1))
        else:
            (folder / f"{i:04d}.cii.xml").write_bytes(
                cii.replace(b"<ram:ID>471102</ram:ID>", b"<ram:ID>" + number + b"</ram:ID>", 1))
    return folder


def invoice_folder(d: Path) -> dict[str, Any]:
    folder = write_invoices(d)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA_HOME": str(d / "home"),
           "PA_DOMAINS__FINANCE__INVOICE_RULES_DIR": str(SHARED_FINANCE / "en16931-validation")}
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "finance", "invoice", "import", str(folder)],
                         capture_output=True, text=True, env=env, cwd=str(ROOT))
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()[-200:]
    return {"invoices": 1000, "seconds": round(secs, 2), "peak_mb": round(peak, 1), "summary": last,
            "exit": out.returncode}


def invoice_create_p50(d: Path, n: int = 20) -> dict[str, Any]:
    """Create ``n`` invoices into a SQLite ledger and local storage (agents/finance/invoices/create.py)."""
    from agents.domains import migration_folders
    from agents.finance.invoices.create import create_invoice
    from agents.finance.invoices.customers import add_customer
    from agents.finance.invoices.outgoing import Item
    from agents.finance.invoices.seller import seller_from
    from agents.finance.settings import FinanceSettings
    from storage.db.engine import Database
    from storage.local import LocalBackend

    rules = SHARED_FINANCE / "en16931-validation"
    db = Database(f"sqlite:///{d / 'create.sqlite3'}", migration_folders())
    db.migrate()
    backend = LocalBackend(d / "created")
    details = {"seller_name": "Anna Beispiel", "seller_street": "Hauptstraße 1", "seller_postcode": "10115",
               "seller_city": "Berlin", "seller_email": "anna@example.org", "seller_phone": "+49 30 1234567",
               "seller_iban": IBAN, "seller_vat_id": "DE123456789", "seller_tax_number": "30/123/45678"}
    sellers = [seller_from(FinanceSettings.model_validate({**details, "seller_small_business": small}))
               for small in (False, True)]
    with db.session() as s:
        add_customer(s, "Müller GmbH", "Marktplatz 5", "80331", "München", email="buchhaltung@mueller.example")
    items = (Item("Beratung", Decimal(8), Decimal(95)), Item("Reisekosten", Decimal(1), Decimal("40.35"), "C62"))
    times: list[float] = []
    for i in range(n + 1):
        small = i % 2 == 1
        t = time.perf_counter()
        with db.session() as s:
            create_invoice(s, backend, sellers[small], "Müller", items, None if small else Decimal(19),
                           "de" if i % 4 < 2 else "en", rules, date(2026, 12, 6))
        times.append(time.perf_counter() - t)
    db.dispose()
    warm = times[1:]
    return {"invoices": n, "cold_first_ms": round(times[0] * 1000, 1),
            "p50_ms": round(statistics.median(warm) * 1000, 1),
            "p95_ms": round(statistics.quantiles(warm, n=20)[-1] * 1000, 1)}


def invoices(result: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        result["invoice_per_file"] = invoice_p50(d)
        result["invoice_folder_1000"] = invoice_folder(d)
        result["invoice_create"] = invoice_create_p50(d)


def receipts(result: dict[str, Any], n: int) -> None:
    import random
    import statistics

    from agents.finance.receipts.extract import extract
    from agents.finance.receipts.ocr import media_type, read_text
    from agents.finance.text import squash
    from tests.finance.receipt_images import draw, make_receipt, receipt_set

    today = date(2026, 12, 6)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        rnd = random.Random(3)
        one = make_receipt(rnd)
        per: dict[str, float] = {}
        for suffix in (".jpg", ".pdf"):
            page = draw(one, d / f"one{suffix}", rnd, noisy=True)
            times = []
            for _ in range(10):
                t = time.perf_counter()
                extract(read_text(page, media_type(page.read_bytes())), today)
                times.append(time.perf_counter() - t)
            per[suffix[1:]] = round(statistics.median(times) * 1000, 1)
        result["receipt_ocr_p50_ms"] = per
        accuracy: dict[str, Any] = {}
        for name, seed in (("tuned", 1), ("held_apart", 2)):
            right = {"amount": 0, "date": 0, "vendor": 0, "all": 0}
            for path, r in receipt_set(seed, n, d):
                f = extract(read_text(path, media_type(path.read_bytes())), today)
                ok = (f.amount == r.amount, f.day == r.day, squash(f.vendor) == squash(r.vendor))
                for k, good in zip(("amount", "date", "vendor"), ok, strict=True):
                    right[k] += good
                right["all"] += all(ok)
            accuracy[name] = {"n": n, **{k: round(v / n, 3) for k, v in right.items()}}
        result["receipt_accuracy"] = accuracy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--database-url", default=os.environ.get("PA_BENCH_POSTGRES_URL"),
                    help="a PostgreSQL (SQLAlchemy URL, an empty database) instead of a temporary cluster")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    ap.add_argument("--only", choices=["invoices", "create", "receipts"], help="run only this part")
    ap.add_argument("--receipts", type=int, default=40, help="drawn receipts per accuracy set")
    args = ap.parse_args()
    result: dict[str, Any] = {"benchmark": "finance", "transactions": N, "cpus": os.cpu_count(),
                              "loadavg": [round(x, 2) for x in os.getloadavg()]}
    if args.only == "create":
        with tempfile.TemporaryDirectory() as tmp:
            result["invoice_create"] = invoice_create_p50(Path(tmp))
    if args.only == "receipts":
        receipts(result, args.receipts)
    if args.only in ("create", "receipts"):
        result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(result))
        return
    if args.only == "invoices":
        invoices(result)
        result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(result))
        return
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
    invoices(result)
    receipts(result, args.receipts)
    result["targets"] = {"import_s": 10, "peak_mb": 200, "query_p50_ms": 50}
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        import_once(sys.argv[2], sys.argv[3])
    else:
        main()
