"""Statement imports without a bank connection: CAMT.053/052 XML (``camt``), MT940/MT942 (``mt940_reader``)
and the CSV exports of German banks (``csv_layouts`` + ``csv_reader``), recognised by content, not
by file name (``open_statement``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agents.finance.imports import camt, csv_reader, mt940_reader
from agents.finance.imports.base import ImportFormatError, Skipped, Statement
from agents.finance.imports.csv_layouts import BANK_LAYOUTS, CsvLayout

__all__ = ["BANK_LAYOUTS", "CsvLayout", "ImportFormatError", "Skipped", "Statement", "detect", "open_statement"]


def detect(path: Path, layouts: Sequence[CsvLayout] = ()) -> str:
    """camt.053 / camt.052 / mt940 / csv:<layout>; raises ``ImportFormatError`` for anything else."""
    with path.open("rb") as f:
        head = f.read(16384)
    if not head.strip():
        raise ImportFormatError("the file is empty")
    kind = camt.sniff(head)
    if kind:
        return kind
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        raise ImportFormatError("an XML file that is not CAMT.052/053")
    text = csv_reader.decode(head)
    layout = csv_reader.sniff(text, layouts)
    if layout is not None:
        return f"csv:{layout.name}"
    if mt940_reader.sniff(text):
        return "mt940"
    raise ImportFormatError("unknown format: not CAMT.053/052, MT940/MT942 or a known bank CSV "
                            "(save a column profile for your bank's CSV)")


def open_statement(path: Path, account: str | None = None, layouts: Sequence[CsvLayout] = ()) -> Statement:
    """The statement in ``path``, read lazily; ``account`` (an IBAN) for files that do not name theirs."""
    if not path.is_file():
        raise ImportFormatError(f"no such file: {path}")
    kind = detect(path, layouts)
    if kind.startswith("camt"):
        return camt.read(path, account)
    if kind.startswith("csv:"):
        return csv_reader.read(path, account, layouts)
    return mt940_reader.read(path, account)
