"""What a bank sends over FinTS -> ``BankTransaction``, read by the same code as imported files: MT940
as python-fints/mt-940 parse it (``imports/mt940_reader.transaction``, German ``:86:`` fields) and
camt.052/053 XML (``imports/camt.transactions``, any version)."""

from __future__ import annotations

from typing import Any

from agents.finance.imports import camt
from agents.finance.imports.base import ImportFormatError
from agents.finance.imports.mt940_reader import transaction
from agents.finance.models import BankTransaction


class StatementError(ValueError):
    """A statement the bank sent cannot be read; the message names what is wrong."""


def from_mt940(iban: str, transactions: list[Any]) -> list[BankTransaction]:
    """python-fints' ``get_transactions`` result (mt940 ``Transaction`` objects) for the account ``iban``."""
    try:
        return [transaction(dict(t.data), iban) for t in transactions]
    except ImportFormatError as exc:
        raise StatementError(f"the bank sent an MT940 statement that cannot be read: {exc}") from None


def from_camt(xml: bytes, pending: bool = False, iban: str | None = None) -> list[BankTransaction]:
    """Every entry (Ntry) of a camt.052 report or camt.053 statement (one BankTransaction per entry; a batch
    entry with several TxDtls keeps its total); ``pending``: the document lists unbooked entries."""
    try:
        return camt.transactions(xml, iban, pending)
    except ImportFormatError as exc:
        raise StatementError(f"the bank sent camt XML that cannot be read: {exc}") from None
