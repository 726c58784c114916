"""Builds CAMT.053 / CAMT.052 files (ISO 20022 bank-to-customer statements) for the tests and the
benchmark, in the element order the XSDs prescribe (checked against the official schemas)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Entry:
    booking_date: date
    amount: Decimal  # negative = debit
    name: str = ""
    iban: str | None = None
    purpose: str = ""
    reference: str | None = None
    pending: bool = False


def _bal(code: str, amount: Decimal, on: date, ccy: str, v8: bool) -> str:
    ind = "DBIT" if amount < 0 else "CRDT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{abs(amount):.2f}</Amt>"
            f"<CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>{on.isoformat()}</Dt></Dt></Bal>")


def _entry(e: Entry, ccy: str, v8: bool, tx_amount: bool) -> str:
    ind = "DBIT" if e.amount < 0 else "CRDT"
    party, acct = ("Cdtr", "CdtrAcct") if e.amount < 0 else ("Dbtr", "DbtrAcct")
    sts = ("<Sts><Cd>PDNG</Cd></Sts>" if e.pending else "<Sts><Cd>BOOK</Cd></Sts>") if v8 else (
        "<Sts>PDNG</Sts>" if e.pending else "<Sts>BOOK</Sts>")
    name = f"<Pty><Nm>{escape(e.name)}</Nm></Pty>" if v8 else f"<Nm>{escape(e.name)}</Nm>"
    parties = ""
    if e.name or e.iban:
        parties = "<RltdPties>"
        if e.name:
            parties += f"<{party}>{name}</{party}>"
        if e.iban:
            parties += f"<{acct}><Id><IBAN>{e.iban}</IBAN></Id></{acct}>"
        parties += "</RltdPties>"
    rmt = f"<RmtInf><Ustrd>{escape(e.purpose)}</Ustrd></RmtInf>" if e.purpose else ""
    ref = f"<AcctSvcrRef>{escape(e.reference)}</AcctSvcrRef>" if e.reference else ""
    amt = f"<Amt Ccy=\"{ccy}\">{abs(e.amount):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>" if tx_amount else ""
    return (f"<Ntry><Amt Ccy=\"{ccy}\">{abs(e.amount):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>{sts}"
            f"<BookgDt><Dt>{e.booking_date.isoformat()}</Dt></BookgDt><ValDt><Dt>{e.booking_date.isoformat()}</Dt></ValDt>"
            f"{ref}<BkTxCd/>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>{amt}{parties}{rmt}</TxDtls></NtryDtls></Ntry>")


def camt_chunks(iban: str, entries: Iterable[Entry], *, version: str = "camt.053.001.02", opening: Decimal = Decimal(0),
                ccy: str = "EUR", statement_id: str = "STMT-1") -> Iterator[str]:
    """The XML text in pieces (so 100,000 entries are written without building one huge string)."""
    v8 = not version.endswith(("001.02", "001.03", "001.04", "001.05", "001.06", "001.07"))
    report = version.startswith("camt.052")
    root, block = ("BkToCstmrAcctRpt", "Rpt") if report else ("BkToCstmrStmt", "Stmt")
    entries = list(entries)
    booked = [e for e in entries if not e.pending]
    days = [e.booking_date for e in entries] or [date(2026, 1, 1)]
    closing = opening + sum((e.amount for e in booked), Decimal(0))
    yield (f'<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}">'
           f"<{root}><GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>{max(days).isoformat()}T18:00:00</CreDtTm></GrpHdr>"
           f"<{block}><Id>{statement_id}</Id><CreDtTm>{max(days).isoformat()}T18:00:00</CreDtTm>"
           f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{ccy}</Ccy></Acct>")
    if not report:
        yield _bal("PRCD", opening, min(days), ccy, v8)
        yield _bal("CLBD", closing, max(days), ccy, v8)
    for e in entries:
        yield _entry(e, ccy, v8, tx_amount=version[-2:] in ("03", "04", "05", "06", "07"))
    yield f"</{block}></{root}></Document>\n"


def camt_text(iban: str, entries: Iterable[Entry], **kw: object) -> str:
    return "".join(camt_chunks(iban, entries, **kw))  # type: ignore[arg-type]
