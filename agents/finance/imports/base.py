"""What every statement reader yields: the shared ``BankTransaction`` and ``Balance`` (agents/finance/
models.py), one at a time, so 100,000 bookings never sit in memory at once; and the one error a
broken file raises (one line, said to the user as it is)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from agents.finance.iban import IbanError, account_ref, normalise_iban
from agents.finance.models import Balance, BankTransaction

Item = BankTransaction | Balance


class ImportFormatError(ValueError):
    """The file cannot be imported: unknown format, broken content, or it belongs to another account."""


@dataclass
class Skipped:
    """A row that is read but not booked (a pending booking: its text changes until it is booked)."""

    reason: str = "pending"


@dataclass
class NewStatement:
    """Marks the start of the next statement in a file (an MT940 ``:20:`` block, a CAMT ``Stmt``): the
    occurrence counter of identical bookings starts again, so a booking repeated in an overlapping
    statement is recognised as the same one."""

    reference: str = ""


@dataclass
class Statement:
    """A reader's result: the format it recognised and the items (read lazily: errors surface while
    iterating, and the ledger rolls the whole import back)."""

    format: str
    items: Iterator[Item | Skipped | NewStatement]
    notes: list[str] = field(default_factory=list)


def resolve_account(in_file: str | None, given: str | None) -> str:
    """The ledger's account of a statement: the file's own (IBAN, or BLZ/account -> IBAN, or a bank's
    id), checked against ``--account`` when both are known; the given IBAN when the file names none."""
    file_ref = account_ref(in_file) if in_file else None
    if in_file and file_ref is None:
        raise ImportFormatError(f"the statement's account id is not an account: {in_file.strip()[:40]!r}")
    if given:
        try:
            want = normalise_iban(given)
        except IbanError as exc:
            raise ImportFormatError(str(exc)) from exc
        if file_ref and file_ref != want and _looks_like_iban(file_ref):
            raise ImportFormatError(f"the file is for account {file_ref}, not {want}")
        return want
    if not file_ref:
        raise ImportFormatError("the file does not name its account: give --account IBAN")
    return file_ref


def _looks_like_iban(ref: str) -> bool:
    return len(ref) >= 15 and ref[:2].isalpha() and ref[2:4].isdigit()
