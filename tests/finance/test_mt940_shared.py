"""Every real statement file below ../shared/finance/statements (today all MT940/MT942, in mt940/) either
imports with the right count and sum, checked by an independent parse here (a regex over the :61: lines,
or an XPath over a CAMT file's booked entries; not the code under test), or is reported as broken in one
line. Files named broken/invalid/not_validating must be reported."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from agents.finance.imports import ImportFormatError
from storage.db.engine import Database
from tests.finance.conftest import SHARED_STATEMENTS
from tests.finance.helpers import import_file, ledger_count_and_sum

pytestmark = pytest.mark.unit

# :61: value date, optional entry date, mark (C, D, RC, RD), optional funds code, amount with decimal comma
_61 = re.compile(r"^:61:\d{6}(?:\d{4})?(RC|RD|C|D)[A-Z]?(\d+(?:,\d*)?)", re.MULTILINE)
MUST_BE_REPORTED = ("broken", "invalid", "not_validating")
FILES = sorted(str(p.relative_to(SHARED_STATEMENTS)) for p in SHARED_STATEMENTS.rglob("*")
               if p.is_file()) if SHARED_STATEMENTS.is_dir() else []


def independent_camt(path: Path) -> tuple[int, int]:
    doc = etree.parse(str(path))
    booked = doc.xpath("//*[local-name()='Ntry'][.//*[local-name()='Sts' or local-name()='Cd'][text()='BOOK']]")
    cents = 0
    for e in booked:
        value = int(Decimal(e.xpath("string(*[local-name()='Amt'])")) * 100)
        cents += -value if e.xpath("string(*[local-name()='CdtDbtInd'])") == "DBIT" else value
    return len(booked), cents


def independent(path: Path) -> tuple[int, int]:
    if path.read_bytes()[:200].lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return independent_camt(path)
    text = path.read_bytes().decode("latin-1").replace("\r\n", "\n")
    count, cents = 0, 0
    for mark, amount in _61.findall(text):
        value = int(Decimal(amount.replace(",", ".")) * 100)
        count += 1
        cents += value if mark in ("C", "RD") else -value
    return count, cents


def test_the_shared_files_are_there(shared_mt940: Path) -> None:
    assert len(FILES) >= 40
    every = [p for p in SHARED_STATEMENTS.rglob("*") if p.is_file()]
    assert len(FILES) == len(every)  # each file below statements/ is a case of the test below


@pytest.mark.parametrize("name", FILES)
def test_file_imports_right_or_is_reported(name: str, db: Database, shared_mt940: Path) -> None:
    path = SHARED_STATEMENTS / name
    try:
        result = import_file(db, path)
    except ImportFormatError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 300
        assert ledger_count_and_sum(db) == (0, 0), "a reported file wrote something"
        return
    assert not any(word in name for word in MUST_BE_REPORTED), f"{name} was imported: {result.line()}"
    count, cents = independent(path)
    assert ledger_count_and_sum(db) == (count, cents)
    assert result.new == count and result.skipped == 0
    again = import_file(db, path)
    assert (again.new, again.known) == (0, count)
    assert ledger_count_and_sum(db) == (count, cents)


def test_most_real_files_import(db: Database, shared_mt940: Path) -> None:
    """The reader is not 'safe' by refusing everything: the complete statements import."""
    imported = []
    for name in FILES:
        try:
            import_file(db, SHARED_STATEMENTS / name)
            imported.append(Path(name).name)
        except ImportFormatError:
            pass
    assert len(imported) >= 20, imported
    for name in ("betterplace_sepa_mt9401.sta", "cmxl_mt940.sta", "jejik_abnamro.sta", "mBank_mt942.sta",
                 "self-provided_february_30.sta", "self-provided_raphaelm.sta"):
        assert name in imported


def test_mt942_reports_import_as_mt942(db: Database, shared_mt940: Path) -> None:
    from agents.finance.imports import open_statement

    assert open_statement(shared_mt940 / "mBank_mt942.sta").format == "mt942"
    assert import_file(db, shared_mt940 / "mBank_mt942.sta").new > 0


def test_german_sepa_fields_are_read(db: Database, shared_mt940: Path) -> None:
    from sqlalchemy import select

    from agents.finance.db import FinAccount, FinTransaction

    import_file(db, shared_mt940 / "betterplace_sepa_snippet.sta")
    import_file(db, shared_mt940 / "self-provided_details_60-63.sta")
    with db.session() as s:
        ibans = set(s.scalars(select(FinAccount.iban)))
        tx = s.scalars(select(FinTransaction).where(FinTransaction.counterparty_iban == "DE14508800500194785000")).first()
        fa = s.scalars(select(FinTransaction).where(FinTransaction.booking_text == "Basislastschrift")).first()
    # BLZ/Kontonummer becomes the IBAN; a 13-digit number is no German account number: kept as the bank's id
    assert "DE20123456781020304050" in ibans and "50880050/0194787400888" in ibans
    assert tx is not None and tx.counterparty in ("Karl Kaufmann", "KARL KAUFMANN")  # ?31 IBAN, ?32/?33 name
    assert tx.booking_text == "GUTSCHRIFT" and tx.end_to_end_id and "TFNR" in tx.end_to_end_id
    assert fa is not None and fa.amount_minor == -23315 and "Finanzamt" in fa.counterparty
