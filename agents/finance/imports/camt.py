"""CAMT.053 (statement) and CAMT.052 (intraday report) XML, namespaces camt.05x.001.02 .. .08 (and later),
read as a stream (lxml ``iterparse``): each ``Ntry`` becomes a ``BankTransaction`` and is freed, so
100,000 entries take little memory. Per statement, opening balance + booked entries should equal the
closing balance; when they do not, a note says so (``Statement.notes``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

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
    ns = m.group(0).decode()
    notes: list[str] = []
    return Statement(format=m.group(1).decode(), items=_items(path, ns, account, notes), notes=notes)


def _items(path: Path, ns: str, account: str | None, notes: list[str]) -> Iterator[Item | Skipped | NewStatement]:
    q = "{" + ns + "}"
    stmt_tags = {q + "Stmt", q + "Rpt"}
    ref = ""
    opening: Decimal | None = None
    closing: tuple[Decimal, date, str] | None = None
    booked = Decimal(0)
    try:
        wanted = [q + t for t in ("Stmt", "Rpt", "Acct", "Bal", "Ntry")]  # lxml skips the rest in C
        for event, el in etree.iterparse(str(path), events=("start", "end"), tag=wanted, huge_tree=True,
                                         resolve_entities=False, no_network=True):
            tag = el.tag
            if event == "start":
                if tag in stmt_tags:
                    ref, opening, closing, booked = "", None, None, Decimal(0)
                    yield NewStatement()
                continue
            if tag == q + "Acct" and el.getparent() is not None and el.getparent().tag in stmt_tags:
                ident = el.findtext(f"{q}Id/{q}IBAN") or el.findtext(f"{q}Id/{q}Othr/{q}Id") or ""
                ref = resolve_account(ident or None, account)
            elif tag == q + "Bal":
                kind = el.findtext(f"{q}Tp/{q}CdOrPrtry/{q}Cd") or ""
                amount, ccy = _amount(el, q)
                on = _date(el.find(f"{q}Dt"), q)
                if kind in ("OPBD", "PRCD"):
                    opening = amount
                elif kind == "CLBD" and on is not None:
                    closing = (amount, on, ccy)
            elif tag == q + "Ntry":
                item = _entry(el, q, ref or resolve_account(None, account))
                if isinstance(item, BankTransaction):
                    booked += item.amount
                yield item
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
            elif tag in stmt_tags:
                if opening is not None and closing is not None and opening + booked != closing[0]:
                    notes.append(f"statement for {ref}: opening balance {opening} + entries {booked} "
                                 f"is not the closing balance {closing[0]}")
                if closing is not None and ref:
                    yield Balance(iban=ref, amount=closing[0], currency=closing[2], on=closing[1])
                el.clear()
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"broken XML: {exc.msg} (line {exc.lineno})") from exc


def _amount(el: etree._Element, q: str) -> tuple[Decimal, str]:
    amt = el.find(f"{q}Amt")
    if amt is None or not (amt.text or "").strip():
        raise ImportFormatError("an entry or balance without an amount")
    try:
        value = Decimal(amt.text.strip())
    except InvalidOperation as exc:
        raise ImportFormatError(f"not an amount: {amt.text!r}") from exc
    if el.findtext(f"{q}CdtDbtInd") == "DBIT":
        value = -value
    return value, amt.get("Ccy", "EUR")


def _date(el: etree._Element | None, q: str) -> date | None:
    if el is None:
        return None
    text = el.findtext(f"{q}Dt") or el.findtext(f"{q}DtTm") or ""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError as exc:
        raise ImportFormatError(f"not a date: {text!r}") from exc


def _text(el: etree._Element | None, path: str) -> str:
    if el is None:
        return ""
    return (el.findtext(path) or "").strip()


def _entry(el: etree._Element, q: str, ref: str) -> BankTransaction | Skipped:
    status = (el.findtext(f"{q}Sts/{q}Cd") or el.findtext(f"{q}Sts") or "BOOK").strip()
    if status not in ("BOOK", ""):
        return Skipped(status.lower())
    amount, ccy = _amount(el, q)
    booking = _date(el.find(f"{q}BookgDt"), q)
    if booking is None:
        raise ImportFormatError("an entry without a booking date")
    tx = el.find(f"{q}NtryDtls/{q}TxDtls")
    incoming = amount > 0
    party = "Dbtr" if incoming else "Cdtr"
    name = ""
    iban = None
    if tx is not None:
        parties = tx.find(f"{q}RltdPties")
        name = _text(parties, f"{q}{party}/{q}Nm") or _text(parties, f"{q}{party}/{q}Pty/{q}Nm")
        iban = _text(parties, f"{q}{party}Acct/{q}Id/{q}IBAN") or None
    purpose = " ".join((x.text or "").strip() for x in (tx.findall(f"{q}RmtInf/{q}Ustrd") if tx is not None else []))
    refs = tx.find(f"{q}Refs") if tx is not None else None
    creditor = ""
    if tx is not None:
        creditor = (_text(tx, f"{q}RltdPties/{q}Cdtr/{q}Id/{q}PrvtId/{q}Othr/{q}Id")
                    or _text(tx, f"{q}RltdPties/{q}Cdtr/{q}Pty/{q}Id/{q}PrvtId/{q}Othr/{q}Id"))
    e2e = _text(refs, f"{q}EndToEndId")
    return BankTransaction(
        iban=ref,
        booking_date=booking,
        value_date=_date(el.find(f"{q}ValDt"), q),
        amount=amount,
        currency=ccy,
        counterparty=name,
        counterparty_iban=iban,
        purpose=purpose.strip(),
        bank_reference=_text(el, f"{q}AcctSvcrRef") or None,
        end_to_end_id=None if e2e in ("", "NOTPROVIDED") else e2e,
        mandate_id=_text(refs, f"{q}MndtId") or None,
        creditor_id=creditor or None,
        booking_text=_text(el, f"{q}AddtlNtryInf")[:200],
    )
