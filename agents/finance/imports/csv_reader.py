"""Reads a bank's CSV export with a layout (``csv_layouts``): finds the header row below the bank's
preamble, decodes UTF-8, UTF-8 with BOM or Latin-1/cp1252, parses ``dd.mm.yyyy`` dates and decimal
commas, takes the account's IBAN from a column or the preamble, and skips footer lines (``Kontostand``)
and pending rows. A row it cannot read stops the import with its line number."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from pathlib import Path

from agents.finance.iban import is_iban, normalise_iban
from agents.finance.imports.base import (
    ImportFormatError,
    Item,
    NewStatement,
    Skipped,
    Statement,
    resolve_account,
)
from agents.finance.imports.csv_layouts import BANK_LAYOUTS, CsvLayout
from agents.finance.models import BankTransaction
from agents.finance.money import AmountError, parse_amount

_HEADER_SCAN = 40
_IBAN_IN_TEXT = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b")
_FOOTER = re.compile(r"^(alter |neuer )?kontostand|^saldo|^summe", re.IGNORECASE)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        row = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []
    return [c.strip() for c in row]


def find_layout(text: str, layouts: Sequence[CsvLayout]) -> tuple[CsvLayout, int] | None:
    """The layout whose header row is among the first lines (the best match), and that row's index."""
    best: tuple[int, CsvLayout, int] | None = None
    for i, line in enumerate(text[:65536].splitlines()[:_HEADER_SCAN]):
        for layout in layouts:
            cells = set(_cells(line, layout.delimiter))
            if all(h in cells for h in layout.header):
                score = len(layout.header)
                if best is None or score > best[0]:
                    best = (score, layout, i)
        if best is not None:
            break
    return (best[1], best[2]) if best else None


def sniff(text: str, layouts: Sequence[CsvLayout] = ()) -> CsvLayout | None:
    found = find_layout(text, [*layouts, *BANK_LAYOUTS])
    return found[0] if found else None


def read(path: Path, account: str | None, layouts: Sequence[CsvLayout] = ()) -> Statement:
    text = decode(path.read_bytes())
    found = find_layout(text, [*layouts, *BANK_LAYOUTS])
    if found is None:
        raise ImportFormatError("a CSV whose header matches no known bank layout (save a profile for it)")
    layout, header_at = found
    preamble_iban = _iban_in(text[:65536].splitlines()[:header_at])
    return Statement(format=f"csv:{layout.name}",
                     items=_rows(_lines(text), header_at, layout, account, preamble_iban, path.name))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (a list of 100,000 lines would double the
    memory); quoted fields may hold line breaks: the csv reader joins them."""
    return (m.group() for m in _LINE.finditer(text))


def _iban_in(lines: list[str]) -> str | None:
    for line in lines:
        for m in _IBAN_IN_TEXT.finditer(line.upper()):
            if is_iban(m.group(1)):
                return normalise_iban(m.group(1))
    return None


def _index(header: list[str], spec: str) -> int | None:
    name, _, nth = spec.partition("#")
    hits = [i for i, h in enumerate(header) if h == name]
    if not hits:
        return None
    n = int(nth) if nth else 1
    try:
        return hits[n - 1] if n > 0 else hits[n]
    except IndexError:
        return None


def _date(text: str, formats: list[str], seen: dict[str, date]) -> date:
    """``text`` in the first of ``formats`` that reads it; ``seen`` remembers the days already parsed
    (a file has a few hundred distinct days and ``strptime`` is slow)."""
    if text in seen:
        return seen[text]
    for fmt in formats:
        try:
            seen[text] = datetime.strptime(text.strip(), fmt).date()
            return seen[text]
        except ValueError:
            continue
    raise ValueError(text)


def _rows(lines: Iterator[str], header_at: int, layout: CsvLayout, account: str | None,
          preamble_iban: str | None, file_name: str) -> Iterator[Item | Skipped | NewStatement]:
    reader = csv.reader(islice(lines, header_at, None), delimiter=layout.delimiter)
    header = [h.strip() for h in next(reader)]
    idx = {f: _index(header, spec) for f, spec in layout.columns.items()}
    split = re.compile(layout.split_purpose) if layout.split_purpose else None
    fixed_account: str | None = None
    last_in_row: str | None = None
    pending = {p.casefold() for p in layout.pending}
    days: dict[str, date] = {}
    for n, row in enumerate(reader, start=header_at + 2):
        if not any(c.strip() for c in row):
            continue

        def cell(field: str, row: list[str] = row) -> str:
            i = idx.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        raw_date = cell("booking_date")
        if _FOOTER.match(row[0].strip()) or (not raw_date and len([c for c in row if c.strip()]) <= 2):
            continue
        if raw_date.casefold() in pending or cell("status").casefold() in pending:
            yield Skipped("pending")
            continue
        try:
            booking = _date(raw_date, layout.date_formats, days)
            value = _date(cell("value_date"), layout.date_formats, days) if cell("value_date") else None
        except ValueError:
            raise ImportFormatError(f"{file_name} line {n}: not a date: {raw_date!r}") from None
        try:
            if idx.get("amount") is not None:
                amount = parse_amount(cell("amount"), layout.decimal_comma)
            else:
                debit, credit = cell("debit"), cell("credit")
                amount = (abs(parse_amount(credit, layout.decimal_comma)) if credit
                          else -abs(parse_amount(debit, layout.decimal_comma)))
        except AmountError as exc:
            raise ImportFormatError(f"{file_name} line {n}: {exc}") from None
        in_row = cell("account_iban") or None
        if fixed_account is None or (in_row and in_row != last_in_row):
            last_in_row = in_row
            fixed_account = resolve_account(in_row or preamble_iban, account)
        name, purpose, iban = cell("counterparty"), cell("purpose"), cell("counterparty_iban")
        if not name:
            name = cell("payee") if amount < 0 else cell("payer")
        if split is not None and (m := split.match(purpose)):
            parts = m.groupdict()
            name = name or (parts.get("name") or "").strip()
            iban = iban or (parts.get("iban") or "").strip()
            purpose = (parts.get("purpose") or purpose).strip()
        yield BankTransaction(
            iban=fixed_account,
            booking_date=booking,
            value_date=value,
            amount=amount,
            currency=(cell("currency") or "EUR").upper()[:3],
            counterparty=name[:200],
            counterparty_iban=normalise_iban(iban) if iban and is_iban(iban) else (iban or None),
            purpose=purpose,
            end_to_end_id=cell("end_to_end_id") or None,
            mandate_id=cell("mandate_id") or None,
            creditor_id=cell("creditor_id") or None,
            booking_text=cell("booking_text")[:200],
        )
