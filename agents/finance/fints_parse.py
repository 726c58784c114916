"""What a bank sends over FinTS -> ``BankTransaction``: MT940 (as python-fints/mt-940 parse it, German
``:86:`` fields) and camt.052/053 XML (parsed here, any version: namespaces are ignored)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from agents.finance.models import BankTransaction

_NO_REF = {"", "NOTPROVIDED", "NONREF"}


class StatementError(ValueError):
    """A statement the bank sent cannot be read; the message names what is wrong."""


def _iban(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(IBAN(value)).replace(" ", "")
    except SchwiftyException:
        return None


def _ref(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return None if text.upper() in _NO_REF else text


def _split_name(name: str, iban: str | None) -> tuple[str, str | None]:
    """mt-940 prepends the :86: ?31 IBAN to the ?32 name unless asked not to: split it off again."""
    if iban or not name:
        return name, iban
    for n in range(34, 14, -1):  # the longest prefix that is a valid IBAN
        head = name[:n]
        if head[:2].isalpha() and head[2:4].isdigit() and (found := _iban(head)):
            return name[n:].strip(), found
    return name, None


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return None


def from_mt940(iban: str, transactions: list[Any]) -> list[BankTransaction]:
    """python-fints' ``get_transactions`` result (mt940 ``Transaction`` objects) for the account ``iban``."""
    out: list[BankTransaction] = []
    for t in transactions:
        d: dict[str, Any] = dict(t.data)
        amount = d.get("amount")
        booked = _as_date(d.get("entry_date")) or _as_date(d.get("date"))
        if amount is None or booked is None:
            raise StatementError(f"an MT940 booking without amount or date: {d.get('transaction_reference')!r}")
        name, cp_iban = _split_name(str(d.get("applicant_name") or "").strip(), _iban(d.get("applicant_iban")))
        purpose = " ".join(str(p).strip() for p in (d.get("purpose"), d.get("additional_purpose")) if p)
        out.append(BankTransaction(
            iban=iban, booking_date=booked, value_date=_as_date(d.get("date")), amount=Decimal(amount.amount),
            currency=str(amount.currency or d.get("currency") or "EUR"), counterparty=name,
            counterparty_iban=cp_iban, purpose=purpose, bank_reference=_ref(d.get("bank_reference")),
            end_to_end_id=_ref(d.get("end_to_end_reference")), mandate_id=_ref(d.get("additional_position_reference")),
            creditor_id=_ref(d.get("applicant_creditor_id")), booking_text=str(d.get("posting_text") or "").strip(),
            pending=d.get("status") in ("PDNG",)))
    return out


def _local(tree: Any) -> Any:
    for el in tree.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    return tree


def _text(node: Any, path: str) -> str | None:
    found = node.find(path)
    if found is None or found.text is None:
        return None
    return str(found.text).strip()


def _date(node: Any, path: str) -> date | None:
    text = _text(node, f"{path}/Dt") or _text(node, f"{path}/DtTm")
    if not text:
        return None
    return date.fromisoformat(text[:10])


def from_camt(xml: bytes, pending: bool = False, iban: str | None = None) -> list[BankTransaction]:
    """Every entry (Ntry) of a camt.052 report or camt.053 statement (one BankTransaction per entry; a batch
    entry with several TxDtls keeps its total)."""
    try:
        root = _local(etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True)))
    except etree.XMLSyntaxError as exc:
        raise StatementError(f"the bank sent camt XML that does not parse: {exc}") from None
    out: list[BankTransaction] = []
    for report in root.iter("Rpt", "Stmt", "Ntfctn"):
        account = _iban(_text(report, "Acct/Id/IBAN")) or iban
        currency = _text(report, "Acct/Ccy") or "EUR"
        if account is None:
            raise StatementError("a camt report without the account's IBAN")
        for entry in report.iter("Ntry"):
            amount_el = entry.find("Amt")
            try:
                amount = Decimal((amount_el.text or "").strip()) if amount_el is not None else None
            except InvalidOperation:
                amount = None
            booked = _date(entry, "BookgDt") or _date(entry, "ValDt")
            if amount is None or booked is None:
                raise StatementError(f"a camt entry without amount or date in the report of {account}")
            credit = _text(entry, "CdtDbtInd") == "CRDT"
            status = _text(entry, "Sts/Cd") or _text(entry, "Sts") or ("PDNG" if pending else "BOOK")
            tx = entry.find("NtryDtls/TxDtls")
            tx = tx if tx is not None else entry
            side = "Dbtr" if credit else "Cdtr"
            name = _text(tx, f"RltdPties/{side}/Pty/Nm") or _text(tx, f"RltdPties/{side}/Nm") or ""
            creditor_id = (_text(tx, "RltdPties/Cdtr/Pty/Id/PrvtId/Othr/Id")
                           or _text(tx, "RltdPties/Cdtr/Id/PrvtId/Othr/Id"))
            purpose = " ".join(t.text.strip() for t in tx.findall("RmtInf/Ustrd") if t.text)
            booking_text = (_text(tx, "AddtlTxInf") or _text(entry, "AddtlNtryInf")
                            or (_text(entry, "BkTxCd/Prtry/Cd") or "").split("+")[0])
            out.append(BankTransaction(
                iban=account, booking_date=booked, value_date=_date(entry, "ValDt"),
                amount=amount if credit else -amount,
                currency=(amount_el.get("Ccy") if amount_el is not None else None) or currency,
                counterparty=name, counterparty_iban=_iban(_text(tx, f"RltdPties/{side}Acct/Id/IBAN")),
                purpose=purpose, bank_reference=_ref(_text(entry, "AcctSvcrRef")),
                end_to_end_id=_ref(_text(tx, "Refs/EndToEndId")), mandate_id=_ref(_text(tx, "Refs/MndtId")),
                creditor_id=creditor_id if not credit else None, booking_text=booking_text,
                pending=pending or status == "PDNG"))
    return out
