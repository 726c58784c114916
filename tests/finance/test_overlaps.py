"""Overlapping statements import nothing twice: 10 random overlapping windows of the same real MT940
statements, and of a generated CAMT account history with genuinely identical bookings on one day."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from storage.db.engine import Database
from tests.finance.camt_builder import Entry, camt_text
from tests.finance.helpers import import_file, ledger_count_and_sum
from tests.finance.test_mt940_shared import independent

pytestmark = pytest.mark.unit
IBAN = "DE89370400440532013000"


def test_ten_random_overlaps_of_real_mt940_statements(db: Database, shared_mt940: Path, tmp_path: Path) -> None:
    text = (shared_mt940 / "betterplace_sepa_mt9401.sta").read_bytes().decode("latin-1")
    starts = [m.start() for m in re.finditer(r"^:20:", text, re.MULTILINE)]
    blocks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert len(blocks) >= 5
    rng = random.Random(19)
    used: set[int] = set()
    for i in range(10):
        a = rng.randrange(len(blocks))
        b = rng.randrange(a, len(blocks)) + 1
        used.update(range(a, b))
        f = tmp_path / f"window{i}.sta"
        f.write_text("".join(blocks[a:b]), encoding="latin-1")
        import_file(db, f)
        union = tmp_path / "union.sta"
        union.write_text("".join(blocks[j] for j in sorted(used)), encoding="latin-1")
        assert ledger_count_and_sum(db) == independent(union), f"after window {i} ({a}..{b})"


def _history(rng: random.Random) -> list[Entry]:
    out = []
    day = date(2025, 1, 1)
    for n in range(60):
        d = day + timedelta(days=n)
        for k in range(rng.randrange(0, 4)):
            out.append(Entry(d, Decimal(-rng.randrange(100, 9000)) / 100, f"Shop {k}", None, f"Kauf {n}-{k}"))
        if n % 7 == 0:  # two genuinely identical coffees on the same day
            out += [Entry(d, Decimal("-3.20"), "Café Anna", None, "Kartenzahlung")] * 2
    return out


def test_ten_random_overlaps_of_camt_statements(db: Database, tmp_path: Path) -> None:
    rng = random.Random(7)
    history = _history(rng)
    days = sorted({e.booking_date for e in history})
    seen: set[date] = set()
    for i in range(10):
        a = rng.randrange(len(days))
        b = min(len(days), a + rng.randrange(5, 30))
        window = set(days[a:b])
        seen |= window
        f = tmp_path / f"camt{i}.xml"
        f.write_text(camt_text(IBAN, [e for e in history if e.booking_date in window], statement_id=f"S{i}"),
                     encoding="utf-8")
        import_file(db, f)
        expected = [e for e in history if e.booking_date in seen]
        assert ledger_count_and_sum(db) == (len(expected), int(sum(e.amount for e in expected) * 100))
