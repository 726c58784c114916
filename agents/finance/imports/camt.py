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


def _flat(el: etree._Element) -> dict[str, str]:
    """The texts below ``el`` by their path of local names (``/NtryDtls/TxDtls/RmtInf/Ustrd``): one pass
    over the subtree, far cheaper than a lookup per field. The first element of a path wins, except the
    lines of unstructured remittance text (``Ustrd``), which are joined; ``/Amt@Ccy`` is the currency."""
    out: dict[str, str] = {}
    _walk(el, "/", out)
    return out


def _walk(el: etree._Element, prefix: str, out: dict[str, str]) -> None:
    for c in el:
        tag = c.tag
        if not isinstance(tag, str):
            continue  # a comment
        key = prefix + tag[tag.rfind("}") + 1:]
        if len(c):
            _walk(c, key + "/", out)
            continue
        text = (c.text or "").strip()
        if key not in out:
            out[key] = text
            if key == "/Amt":
                out["/Amt@Ccy"] = c.get("Ccy") or ""
        elif text and key.endswith("/Ustrd"):
            out[key] = f"{out[key]} {text}".strip()


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
        for _event, el in etree.iterparse(source, events=("end",), tag=wanted, huge_tree=True,
                                          resolve_entities=False, no_network=True):
            tag = el.tag
            if tag == entry_tag:
                item = _entry(_flat(el), ref or resolve_account(None, account), currency, pending)
                if isinstance(item, BankTransaction) and not item.pending:
                    booked += item.amount
                yield item
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
            elif tag == acct_tag and el.getparent() is not None and el.getparent().tag in blocks:
                acct = _flat(el)
                ident = acct.get("/Id/IBAN") or acct.get("/Id/Othr/Id")
                ref = resolve_account(ident or None, account)
                currency = acct.get("/Ccy") or currency
                yield NewStatement()  # the account comes first in a statement, before its entries
            elif tag == bal_tag:
                bal = _flat(el)
                kind = bal.get("/Tp/CdOrPrtry/Cd", "")
                amount, ccy = _amount(bal, currency)
                on = _date(bal, "/Dt")
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
                ref, currency, opening, closing, booked = "", "EUR", None, None, Decimal(0)
                el.clear()
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"broken XML: {exc.msg} (line {exc.lineno})") from exc


def _amount(f: dict[str, str], currency: str) -> tuple[Decimal, str]:
    text = f.get("/Amt", "")
    if not text:
        raise ImportFormatError("an entry or balance without an amount")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ImportFormatError(f"not an amount: {text!r}") from exc
    if f.get("/CdtDbtInd") == "DBIT":
        value = -value
    return value, f.get("/Amt@Ccy") or currency


def _date(f: dict[str, str], path: str) -> date | None:
    """``<path><Dt>`` or ``<path><DtTm>``."""
    text = f.get(path + "/Dt") or f.get(path + "/DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ImportFormatError(f"not a date: {text!r}") from exc


def _iban(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return normalise_iban(text)
    except IbanError:
        return text


def _entry(f: dict[str, str], ref: str, currency: str, pending: bool) -> BankTransaction | Skipped:
    status = f.get("/Sts/Cd") or f.get("/Sts") or ("PDNG" if pending else "BOOK")
    if status not in ("BOOK", "PDNG", "FUTR"):
        return Skipped(status.lower())  # INFO: an entry that is no booking
    amount, ccy = _amount(f, currency)
    booking = _date(f, "/BookgDt") or _date(f, "/ValDt")
    if booking is None and status != "BOOK":
        return Skipped("pending")
    if booking is None:
        raise ImportFormatError("an entry without a booking date")
    tx = "/NtryDtls/TxDtls"
    credit = amount > 0
    side = f"{tx}/RltdPties/" + ("Dbtr" if credit else "Cdtr")
    creditor = None
    if not credit:  # a direct debit: the creditor's SEPA id
        creditor = f.get(f"{side}/Pty/Id/PrvtId/Othr/Id") or f.get(f"{side}/Id/PrvtId/Othr/Id") or None
    booking_text = (f.get(f"{tx}/AddtlTxInf") or f.get("/AddtlNtryInf")
                    or f.get("/BkTxCd/Prtry/Cd", "").split("+")[0])
    return BankTransaction(
        iban=ref,
        booking_date=booking,
        value_date=_date(f, "/ValDt"),
        amount=amount,
        currency=ccy,
        counterparty=(f.get(f"{side}/Pty/Nm") or f.get(f"{side}/Nm") or "")[:200],
        counterparty_iban=_iban(f.get(f"{side}Acct/Id/IBAN")),
        purpose=f.get(f"{tx}/RmtInf/Ustrd", ""),
        bank_reference=_ref(f.get("/AcctSvcrRef", "")),
        end_to_end_id=_ref(f.get(f"{tx}/Refs/EndToEndId", "")),
        mandate_id=_ref(f.get(f"{tx}/Refs/MndtId", "")),
        creditor_id=creditor,
        booking_text=booking_text[:200],
        pending=status != "BOOK",
    )
