"""`personal-agent finance invoice import FILE|DIR` through the real command, and the import itself on a
real SQLite ledger and the local storage backend: the original file stored with its SHA-256 in the
database; each bad input (truncated PDF, broken embedded XML, XML of another standard, a 50 MB file,
a foreign currency, a credit note, a duplicate, a file failing the rules, a PDF without XML) one line and
nothing half-imported (no row, no stored file) — also when the database fails after the file was stored."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from agents.finance.invoices.db import FinInvoice, FinInvoiceLine, FinInvoiceVat
from agents.finance.invoices.read import InvoiceError
from agents.finance.invoices.store import InvoiceRefused, import_invoice, open_invoices
from storage.db.engine import Database
from storage.local import LocalBackend
from tests.finance.conftest import ROOT
from tests.finance.invoice_files import INVOICES, RULES

pytestmark = pytest.mark.unit
EINFACH_PDF = INVOICES / "fx" / "EN16931_Einfach.pdf"
EINFACH_CII = INVOICES / "cii" / "EN16931_Einfach.cii.xml"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PA_HOME": str(home), "PYTHONPATH": str(ROOT),
           "PA_DOMAINS__FINANCE__INVOICE_RULES_DIR": str(RULES)}
    return subprocess.run([sys.executable, "-m", "app.cli.main", "finance", "invoice", *args], capture_output=True,
                          text=True, timeout=300, env=env, cwd=str(ROOT))


def one_error_line(res: subprocess.CompletedProcess[str], *words: str) -> str:
    assert res.returncode == 1, (res.stdout, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


# -- bad files, written by the tests from the real ones --------------------------------------------

def truncated_pdf(d: Path) -> Path:
    data = EINFACH_PDF.read_bytes()
    p = d / "truncated.pdf"
    p.write_bytes(data[: len(data) // 3])
    return p


def _pdf(d: Path, name: str, attachment: bytes | None) -> Path:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    if attachment is not None:
        w.add_attachment("factur-x.xml", attachment)
    buf = BytesIO()
    w.write(buf)
    p = d / name
    p.write_bytes(buf.getvalue())
    return p


def broken_xml_pdf(d: Path) -> Path:
    return _pdf(d, "broken-xml.pdf", EINFACH_CII.read_bytes()[:2000])  # cut in the middle of an element


def plain_pdf(d: Path) -> Path:
    return _pdf(d, "scan.pdf", None)


def other_standard(d: Path) -> Path:
    p = d / "statement.xml"
    p.write_text('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
                 "<BkToCstmrStmt/></Document>")
    return p


def huge(d: Path) -> Path:
    p = d / "scan-50mb.pdf"
    with p.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(50 << 20)
    return p


def dollars(d: Path) -> Path:
    p = d / "usd.cii.xml"
    p.write_bytes(EINFACH_CII.read_bytes().replace(b">EUR<", b">USD<").replace(b'currencyID="EUR"', b'currencyID="USD"'))
    return p


BAD = {
    "truncated PDF": (truncated_pdf, "damaged or cut off"),
    "broken embedded XML": (broken_xml_pdf, "is not valid XML"),
    "PDF without XML": (plain_pdf, "no e-invoice data"),
    "XML of another standard": (other_standard, "XML of another kind"),
    "50 MB file": (huge, "at most 20 MB"),
    "foreign currency": (dollars, "is in USD"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_nothing_is_stored(case: str, pa_home: Path, tmp_path: Path) -> None:
    make, words = BAD[case]
    one_error_line(run(pa_home, "import", str(make(tmp_path))), words)
    _nothing_stored(pa_home)


def test_credit_note_and_not_validating_are_refused(pa_home: Path) -> None:
    one_error_line(run(pa_home, "import", str(INVOICES / "ubl" / "ubl-tc434-creditnote1.xml")), "is a credit note")
    one_error_line(run(pa_home, "import", str(INVOICES / "cii" / "EN16931_Einfach_negativePaymentDue.cii.xml")),
                   "is a credit note")
    res = run(pa_home, "import", str(INVOICES / "ubl" / "not_validating_full_invoice_based_onTest_EeISI_300_"
                                                         "CENfullmodel.ubl.xml"))
    one_error_line(res, "fails 2 rules", "BR-CO-10", "BR-CO-15", "not imported")
    # the rules in plain words, English | German
    assert "BR-CO-15: the gross total is not the net total plus VAT | der Bruttobetrag ist nicht" in res.stdout
    assert "BR-CO-10: the line amounts do not add up" in res.stdout
    _nothing_stored(pa_home)


def test_import_stores_the_file_and_refuses_the_duplicate(pa_home: Path) -> None:
    res = run(pa_home, "import", str(EINFACH_PDF))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "EN16931_Einfach.pdf: imported: invoice 471102 from Lieferant GmbH, 529.87 EUR"
    assert res.stderr == ""
    # the same seller and number in another syntax is the same invoice
    one_error_line(run(pa_home, "import", str(EINFACH_CII)), "471102", "Lieferant GmbH", "already imported")
    db = Database(f"sqlite:///{pa_home / 'data' / 'personal-agent.sqlite3'}", [])
    try:
        with db.session() as s:
            row = s.scalars(select(FinInvoice)).one()
            assert (row.status, row.due_minor, row.net_minor, row.vat_minor, row.gross_minor) == (
                "open", 52987, 47300, 5687, 52987)
            assert row.file_sha256 == hashlib.sha256(EINFACH_PDF.read_bytes()).hexdigest()
            assert s.scalar(select(func.count()).select_from(FinInvoiceLine)) == 2
            assert {(v.rate, v.vat_minor) for v in s.scalars(select(FinInvoiceVat))} == {("7.00", 1925), ("19.00", 3762)}
            key = row.file_key
    finally:
        db.dispose()
    stored = [p for p in (pa_home / "data").rglob("*") if p.is_file() and key.endswith(p.name)]
    assert len(stored) == 1 and stored[0].read_bytes() == EINFACH_PDF.read_bytes()
    listed = run(pa_home, "list")
    assert listed.stdout.startswith("#1 Lieferant GmbH, invoice 471102: 529.87 EUR")


def test_folder_import_reports_each_file(pa_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for src in (INVOICES / "ubl" / "EN16931_OEPNV.ubl.xml", INVOICES / "cii" / "EN16931_Physiotherapeut.cii.xml"):
        (folder / src.name).write_bytes(src.read_bytes())
    truncated_pdf(folder)
    res = run(pa_home, "import", str(folder))
    assert res.returncode == 1
    assert res.stdout.splitlines()[-1] == "imported 2, not imported 1"
    errors = [ln for ln in res.stderr.splitlines() if ln]
    assert len(errors) == 1 and errors[0].startswith("error: truncated.pdf: the PDF is damaged or cut off"), errors
    assert sum("imported: invoice" in ln for ln in res.stdout.splitlines()) == 2


def _nothing_stored(home: Path) -> None:
    files = [p for p in (home / "data").rglob("*") if p.is_file() and "invoices" in p.parts] if home.exists() else []
    assert files == []
    dbfile = home / "data" / "personal-agent.sqlite3"
    if dbfile.exists():
        db = Database(f"sqlite:///{dbfile}", [])
        try:
            with db.session() as s:
                assert s.scalar(select(func.count()).select_from(FinInvoice)) == 0
        finally:
            db.dispose()


# -- the import itself (no subprocess) -------------------------------------------------------------

def test_a_database_failure_removes_the_stored_file(db: Database, tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "blobs")
    with db.session() as s:  # a real failure after the file and the invoice row were written
        s.execute(text("CREATE TRIGGER no_vat BEFORE INSERT ON fin_invoice_vat "
                       "BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    with db.session() as s, pytest.raises(Exception, match="disk full"):
        import_invoice(s, backend, EINFACH_PDF, RULES)
    assert backend.list("") == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(FinInvoice)) == 0
        assert s.scalar(select(func.count()).select_from(FinInvoiceLine)) == 0


def test_open_invoices_and_refusals_in_process(db: Database, tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "blobs")
    with db.session() as s:
        done = import_invoice(s, backend, INVOICES / "ubl" / "EN16931_OEPNV.ubl.xml", RULES)
        assert done.rules_checked and backend.load(done.key) == (INVOICES / "ubl" / "EN16931_OEPNV.ubl.xml").read_bytes()
        import_invoice(s, backend, INVOICES / "cii" / "EN16931_Physiotherapeut.cii.xml", RULES)
        with pytest.raises(InvoiceRefused, match="BR-CL-25"):
            import_invoice(s, backend, INVOICES / "cii" / "EN16931_ElektronischeAdresse.cii.xml", RULES)
        with pytest.raises(InvoiceError, match="is empty"):
            empty = tmp_path / "empty.xml"
            empty.write_bytes(b"")
            import_invoice(s, backend, empty, RULES)
        rows = open_invoices(s)
    assert [(r.seller, str(r.amount), r.due_date.isoformat() if r.due_date else None) for r in rows] == [
        ("Verkehrsbetriebe GmbH", "9.00", "2018-10-03"), ("Physiotherapeutin", "380.00", "2018-11-21")]
    assert len(backend.list("")) == 2


def test_missing_path_and_no_rule_set(pa_home: Path, tmp_path: Path) -> None:
    one_error_line(run(pa_home, "import", str(tmp_path / "nope.pdf")), "no such file or folder")
    env = {**os.environ, "PA_HOME": str(pa_home), "PYTHONPATH": str(ROOT)}  # no rule set installed
    res = subprocess.run([sys.executable, "-m", "app.cli.main", "finance", "invoice", "import",
                          str(INVOICES / "ubl" / "EN16931_OEPNV.ubl.xml")], capture_output=True, text=True,
                         timeout=300, env=env, cwd=str(ROOT))
    assert res.returncode == 0 and "imported: invoice E2018092011804" in res.stdout
    assert res.stderr.strip().startswith("note: the EN16931 business rules are not installed here")
    assert "PA_" not in res.stderr and "invoice_rules_dir" not in res.stderr  # no setting names to the user
