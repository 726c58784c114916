"""CAMT.053 (statement), CAMT.052 (intraday report) and CAMT.054 (notification) XML, namespaces
camt.05x.001.02 .. .08 (and later): the one CAMT reader, for imported files and for what a bank sends
over FinTS (``transactions``). Read as a stream (lxml ``iterparse``): each ``Ntry`` becomes a
``BankTransaction`` and is freed, so 100,000 entries take little memory. Elements are looked up by
their local name (any version's namespace). Per statement, opening balance + booked entries should
equal the closing balance; when they do not, a note says so (``Statement.notes``)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from lxml import etree

from agents.finance.iban import IbanError, normalise_iban
from agents.finance.imports.base import (
    ImportFormatError,
    Item,
    NewStatement,
    Skipped,
    Statement,
    resolve_account,
)
from agents.finance.models import Balance, BankTransaction

NAMESPACE = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:(camt\.05[23])\.001\.(\d\d)")
_ANY_CAMT = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\.001\.\d\d")
_BLOCKS = ("Stmt", "Rpt", "Ntfctn")
_NO_REF = {"", "NOTPROVIDED", "NONREF"}
_Kids = dict[str, "etree._Element"]


def sniff(head: bytes) -> str | None:
    """``camt.053`` / ``camt.052`` when the file's first bytes declare its namespace."""
    m = NAMESPACE.search(head)
    return m.group(1).decode() if m else None


def read(path: Path, account: str | None) -> Statement:
    with path.open("rb") as f:
        head = f.read(4096)
    m = NAMESPACE.search(head)
    if not m:
        raise ImportFormatError("not a CAMT.052/053 file (no ISO 20022 camt namespace)")
    notes: list[str] = []
    return Statement(format=m.group(1).decode(), items=_items(str(path), m.group(0).decode(), account, notes),
                     notes=notes)


def transactions(xml: bytes, account: str | None = None, pending: bool = False) -> list[BankTransaction]:
    """Every entry of a CAMT document a bank sent (FinTS ``HICAZ``), booked and pending (``pending``: the
    whole document lists unbooked entries); ``ImportFormatError`` when it cannot be read."""
    m = _ANY_CAMT.search(xml[:4096])
    if not m:
        raise ImportFormatError("the bank sent XML that is not CAMT (no ISO 20022 camt namespace)")
    items = _items(io.BytesIO(xml), m.group(0).decode(), account, [], pending)
    return [t for t in items if isinstance(t, BankTransaction)]


def _kids(el: etree._Element) -> _Kids:
    """The children of ``el`` by local name (the first of each)."""
    out: _Kids = {}
    for c in el:
        tag = c.tag
        if isinstance(tag, str):
            out.setdefault(tag[tag.rfind("}") + 1:], c)
    return out


def _find(kids: _Kids, *path: str) -> etree._Element | None:
    el = kids.get(path[0])
    for name in path[1:]:
        if el is None:
            return None
        el = next((c for c in el if isinstance(c.tag, str) and c.tag.endswith("}" + name)), None)
    return el


def _text(kids: _Kids, *path: str) -> str:
    el = _find(kids, *path)
    return (el.text or "").strip() if el is not None else ""


def _ref(value: str) -> str | None:
    return None if value.upper() in _NO_REF else value


def _items(source: str | IO[bytes], ns: str, account: str | None, notes: list[str],
           pending: bool = False) -> Iterator[Item | Skipped | NewStatement]:
    q = "{" + ns + "}"
    blocks = {q + b for b in _BLOCKS}
    acct_tag, bal_tag, entry_tag = q + "Acct", q + "Bal", q + "Ntry"
    ref, currency = "", "EUR"
    opening: Decimal | None = None
    closing: tuple[Decimal, date, str] | None = None
    booked = Decimal(0)
    try:
        wanted = [*blocks, acct_tag, bal_tag, entry_tag]  # lxml skips the rest in C
        for event, el in etree.iterparse(source, events=("start", "end"), tag=wanted, huge_tree=True,
                                         resolve_entities=False, no_network=True):
            tag = el.tag
            if event == "start":
                if tag in blocks:
                    ref, currency, opening, closing, booked = "", "EUR", None, None, Decimal(0)
                    yield NewStatement()
                continue
            if tag == entry_tag:
                item = _entry(_kids(el), ref or resolve_account(None, account), currency, pending)
                if isinstance(item, BankTransaction) and not item.pending:
                    booked += item.amount
                yield item
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
            elif tag == acct_tag and el.getparent() is not None and el.getparent().tag in blocks:
                kids = _kids(el)
                ident = _text(kids, "Id", "IBAN") or _text(kids, "Id", "Othr", "Id")
                ref = resolve_account(ident or None, account)
                currency = _text(kids, "Ccy") or currency
            elif tag == bal_tag:
                kids = _kids(el)
                kind = _text(kids, "Tp", "CdOrPrtry", "Cd")
                amount, ccy = _amount(kids, currency)
                on = _date(kids, "Dt")
                if kind in ("OPBD", "PRCD"):
                    opening = amount
                elif kind == "CLBD" and on is not None:
                    closing = (amount, on, ccy)
            elif tag in blocks:
                if opening is not None and closing is not None and opening + booked != closing[0]:
                    notes.append(f"statement for {ref}: opening balance {opening} + entries {booked} "
                                 f"is not the closing balance {closing[0]}")
                if closing is not None and ref:
                    yield Balance(iban=ref, amount=closing[0], currency=closing[2], on=closing[1])
                el.clear()
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"broken XML: {exc.msg} (line {exc.lineno})") from exc


def _amount(kids: _Kids, currency: str) -> tuple[Decimal, str]:
    amt = kids.get("Amt")
    if amt is None or not (amt.text or "").strip():
        raise ImportFormatError("an entry or balance without an amount")
    try:
        value = Decimal(amt.text.strip())
    except InvalidOperation as exc:
        raise ImportFormatError(f"not an amount: {amt.text!r}") from exc
    if _text(kids, "CdtDbtInd") == "DBIT":
        value = -value
    return value, amt.get("Ccy") or currency


def _date(kids: _Kids, name: str) -> date | None:
    """``<name><Dt>`` or ``<name><DtTm>``."""
    el = kids.get(name)
    if el is None:
        return None
    inner = _kids(el)
    text = _text(inner, "Dt") or _text(inner, "DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ImportFormatError(f"not a date: {text!r}") from exc


def _iban(text: str) -> str | None:
    if not text:
        return None
    try:
        return normalise_iban(text)
    except IbanError:
        return text


def _entry(entry: _Kids, ref: str, currency: str, pending: bool) -> BankTransaction | Skipped:
    status = _text(entry, "Sts", "Cd") or _text(entry, "Sts") or ("PDNG" if pending else "BOOK")
    if status not in ("BOOK", "PDNG", "FUTR"):
        return Skipped(status.lower())  # INFO: an entry that is no booking
    amount, ccy = _amount(entry, currency)
    booking = _date(entry, "BookgDt") or _date(entry, "ValDt")
    if booking is None and status != "BOOK":
        return Skipped("pending")
    if booking is None:
        raise ImportFormatError("an entry without a booking date")
    details = _find(entry, "NtryDtls", "TxDtls")
    tx = _kids(details) if details is not None else entry
    parties = _kids(tx["RltdPties"]) if "RltdPties" in tx else {}
    refs = _kids(tx["Refs"]) if "Refs" in tx else {}
    credit = amount > 0
    side = "Dbtr" if credit else "Cdtr"
    name = _text(parties, side, "Pty", "Nm") or _text(parties, side, "Nm")
    creditor = None
    if not credit:  # a direct debit: the creditor's SEPA id
        creditor = (_text(parties, "Cdtr", "Pty", "Id", "PrvtId", "Othr", "Id")
                    or _text(parties, "Cdtr", "Id", "PrvtId", "Othr", "Id")) or None
    remittance = tx.get("RmtInf")
    purpose = " ".join(t for c in (remittance if remittance is not None else ())
                       if isinstance(c.tag, str) and c.tag.endswith("}Ustrd") and (t := (c.text or "").strip()))
    booking_text = (_text(tx, "AddtlTxInf") or _text(entry, "AddtlNtryInf")
                    or _text(entry, "BkTxCd", "Prtry", "Cd").split("+")[0])
    return BankTransaction(
        iban=ref,
        booking_date=booking,
        value_date=_date(entry, "ValDt"),
        amount=amount,
        currency=ccy,
        counterparty=name[:200],
        counterparty_iban=_iban(_text(parties, side + "Acct", "Id", "IBAN")),
        purpose=purpose,
        bank_reference=_ref(_text(entry, "AcctSvcrRef")),
        end_to_end_id=_ref(_text(refs, "EndToEndId")),
        mandate_id=_ref(_text(refs, "MndtId")),
        creditor_id=creditor,
        booking_text=booking_text[:200],
        pending=status != "BOOK",
    )
