"""MT940 (statement) and MT942 (interim report) read with the ``mt-940`` library, one statement (``:20:``
block) at a time, and checked before anything is booked: every statement needs its reference (``:20:``),
its account (``:25:``) and, for MT940, its opening and closing balance; every ``:61:`` booking must be
readable. A file that fails is reported in one line, never imported half or wrongly. Balances that do
not add up (opening + bookings != closing) or MT942 ``:90D:``/``:90C:`` totals that do not match are
noted (``Statement.notes``), not refused: the bookings are imported as the bank listed them."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import mt940

from agents.finance.iban import split_iban_prefix
from agents.finance.imports.base import (
    ImportFormatError,
    Item,
    NewStatement,
    Skipped,
    Statement,
    resolve_account,
)
from agents.finance.models import Balance, BankTransaction

_TAG = re.compile(r"^:(20|25|28C?|60[FM]|61|62[FM]|34F|13D?|90[CD]):", re.MULTILINE)
_STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)
_TOTALS = re.compile(r"^:90([CD]):(\d+)([A-Z]{3})([\d,]+)", re.MULTILINE)


def sniff(text: str) -> bool:
    return len(_TAG.findall(text[:8192])) >= 1


def decode(data: bytes) -> str:
    """SWIFT text is ASCII; German banks write umlauts in Latin-1 (or UTF-8)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read(path: Path, account: str | None) -> Statement:
    text = decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in _STATEMENT_START.finditer(text)]
    if not starts:
        raise ImportFormatError("not a complete MT940/MT942 statement: no :20: reference")
    if text[: starts[0]].strip(" \n-") and ":61:" in text[: starts[0]]:
        raise ImportFormatError("bookings before the first :20: reference")
    chunks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    mt942 = any(":34F:" in c or ":13D:" in c for c in chunks)
    notes: list[str] = []
    parsed = [_statement(c, account, notes) for c in chunks]  # checks every statement before anything is booked
    # a page that opens with an intermediate balance (:60M:) continues the statement before it
    continues = [re.search(r"^:60M:", c, re.MULTILINE) is not None for c in chunks]
    return Statement(format="mt942" if mt942 else "mt940", items=_items(parsed, continues), notes=notes)


def _items(parsed: list[list[Item | Skipped]], continues: list[bool]) -> Iterator[Item | Skipped | NewStatement]:
    for items, continued in zip(parsed, continues, strict=True):
        if not continued:
            yield NewStatement()
        yield from items


def _statement(chunk: str, account: str | None, notes: list[str]) -> list[Item | Skipped]:
    if not re.search(r"^:25:", chunk, re.MULTILINE):
        raise ImportFormatError("a statement without an account (:25:)")
    t = mt940.models.Transactions(options=mt940.Options.all())  # RC signed as a debit, ?31 as the IBAN ...
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            t.parse(chunk)
        except Exception as exc:  # the library raises many kinds on broken input
            raise ImportFormatError(f"broken MT940: {exc}".splitlines()[0][:200]) from exc
    data: dict[str, Any] = t.data
    ref = resolve_account(str(data.get("account_identification") or "") or None, account)
    n61 = len(re.findall(r"^:61:", chunk, re.MULTILINE))
    if len(t.transactions) != n61:
        raise ImportFormatError(f"statement {data.get('transaction_reference')}: {n61} bookings, "
                                f"{len(t.transactions)} readable")
    out: list[Item | Skipped] = []
    total = Decimal(0)
    for tr in t.transactions:
        item = transaction(tr.data, ref)
        total += item.amount
        out.append(item)
    opening = data.get("final_opening_balance") or data.get("intermediate_opening_balance")
    closing = data.get("final_closing_balance") or data.get("intermediate_closing_balance")
    if opening is not None and closing is not None:
        if opening.amount.amount + total != closing.amount.amount:
            notes.append(f"statement {data.get('transaction_reference')} for {ref}: opening balance "
                         f"{opening.amount.amount} + bookings {total} is not the closing balance "
                         f"{closing.amount.amount} (bookings imported as the bank listed them)")
        out.append(Balance(iban=ref, amount=closing.amount.amount, currency=closing.amount.currency,
                           on=closing.date))
    elif ":34F:" not in chunk and ":13D:" not in chunk:
        raise ImportFormatError(f"statement {data.get('transaction_reference')}: no opening/closing balance")
    for side, count, _ccy, amount in _TOTALS.findall(chunk):
        sign = -1 if side == "D" else 1
        mine = [i for i in out if isinstance(i, BankTransaction) and (i.amount < 0) == (sign < 0)]
        if len(mine) != int(count) or sum((abs(i.amount) for i in mine), Decimal(0)) != Decimal(amount.replace(",", ".")):
            notes.append(f"statement {data.get('transaction_reference')}: the :90{side}: totals "
                         f"({count} bookings, {amount}) do not match the bookings listed")
    return out


def _day(v: Any) -> date | None:
    return None if v is None else date(v.year, v.month, v.day)


def _s(v: Any) -> str:
    return str(v).strip() if v not in (None, "") else ""


def _ref(v: Any) -> str | None:
    text = _s(v)
    return None if text.upper() in ("", "NONREF", "NOTPROVIDED") else text


def transaction(d: dict[str, Any], ref: str) -> BankTransaction:
    """One booking as the ``mt-940`` library parsed it (``Transaction.data``, from a file or from FinTS)
    for the account ``ref``."""
    amount = d.get("amount")
    if amount is None or (d.get("entry_date") or d.get("date")) is None:
        raise ImportFormatError(f"an MT940 booking without amount or date: {d.get('transaction_reference')!r}")
    name_field = _s(d.get("applicant_name"))
    iban = _s(d.get("applicant_iban")) or _s(d.get("gvc_applicant_iban")) or None
    if iban is None and name_field:
        iban, name_field = split_iban_prefix(name_field)
    purpose = " ".join(p for p in (_s(d.get("purpose")), _s(d.get("additional_purpose"))) if p)
    if not purpose:
        purpose = _s(d.get("transaction_details")).replace("\n", " ")
    bank_ref = _ref(d.get("bank_reference")) or _ref(d.get("customer_reference"))
    return BankTransaction(
        iban=ref,
        booking_date=_day(d.get("entry_date") or d["date"]),
        value_date=_day(d.get("date")),
        amount=amount.amount,
        currency=amount.currency or "EUR",
        counterparty=" ".join(name_field.split())[:200],
        counterparty_iban=iban,
        purpose=purpose,
        bank_reference=bank_ref,
        end_to_end_id=_ref(d.get("end_to_end_reference")),
        mandate_id=_ref(d.get("additional_position_reference")),
        creditor_id=_s(d.get("applicant_creditor_id")) or None,
        booking_text=_s(d.get("posting_text"))[:200],
    )
