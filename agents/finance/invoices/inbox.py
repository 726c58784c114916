"""Invoices from mail (a cross-domain workflow): when mail is read (the communication domain's unread-mail
and mail-from handlers run ``ServiceDeps.mail_read`` hooks), the attachments of each mail that may be an
e-invoice (PDF, XML) are read and checked and filed as open invoices through the same import as
``finance invoice import`` (the original through the storage adapter, duplicate-safe, nothing
half-imported). Each mail is looked at once (``fin_invoice_mails``). For the invoice due first the
assistant proposes the payment: a Finance I transfer draft parked as a pending approval (nothing goes to
the bank before the yes; for a due date still ahead the approved transfer is scheduled for that day,
``agents/finance/invoices/schedule.py``). What someone else wrote (sender, subject, the seller's name) is
named as such: the approval's provenance says which mail it came from.

A PDF without e-invoice data and an attachment that fails the checks each give one sentence, and nothing
is filed."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from io import BytesIO
from pathlib import Path
from typing import Protocol, runtime_checkable

from sqlalchemy import select

from agents.deps import AssistantDeps, MailService, ServiceError
from agents.finance.invoices.db import FinInvoiceMail
from agents.finance.invoices.read import InvoiceError, NoInvoiceData
from agents.finance.invoices.store import MAX_BYTES, Imported, OpenInvoice, import_data, open_invoices
from agents.finance.spoken import say_amount
from agents.local.phrases import tr
from agents.models import MailSummary
from agents.phrasebook import phrase
from storage.base import Backend
from storage.errors import StorageError

log = logging.getLogger(__name__)

MAX_MAILS = 20  # mails looked at per read (the unread list is at most 20 long)
_SUFFIXES = (".pdf", ".xml")
_TYPES = frozenset({"application/pdf", "application/x-pdf", "application/xml", "text/xml"})
# words an invoice without e-invoice data still has on its first page
_INVOICE_WORDS = re.compile(r"\b(rechnung|rechnungsnummer|rechnungsbetrag|invoice|amount due|fällig|iban)\b", re.I)


@runtime_checkable
class RawMail(Protocol):
    """A mail service that hands out a message's bytes (the IMAP one)."""

    def get_raw(self, message_id: str) -> bytes: ...


@dataclass(frozen=True)
class InboxConfig:
    rules_dir: Path | None
    currency: str = "EUR"
    max_bytes: int = MAX_BYTES


def mail_key(m: MailSummary) -> str:
    """A mail, once: its id in the mailbox, its sender and date (the id alone is reused across folders)."""
    return hashlib.sha256(f"{m.id}\n{m.sender}\n{m.date.isoformat()}".encode()).hexdigest()


def is_candidate(filename: str, content_type: str) -> bool:
    return filename.lower().endswith(_SUFFIXES) or content_type.lower() in _TYPES


def candidate_parts(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """(file name, decoded bytes) of each attachment of a message that may be an e-invoice."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename() or ""
        ctype = part.get_content_type()
        if not name and ctype not in _TYPES:
            continue
        if not is_candidate(name, ctype):
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            yield name or f"attachment.{part.get_content_subtype()}", data


def looks_like_invoice(pdf: bytes) -> bool:
    """A PDF whose first page has invoice words (a scanned or plain-PDF invoice)."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(BytesIO(pdf))
        text = reader.pages[0].extract_text() if reader.pages else ""
    except Exception:  # not a readable PDF: not something to file
        return False
    return bool(_INVOICE_WORDS.search(text or ""))


def _who(m: MailSummary) -> str:
    """The sender as the reply names it (someone else's text: one line, short)."""
    return " ".join((m.sender_name or m.sender).split())[:80]


def _shown(name: str) -> str:
    """An attachment's file name as the reply names it (someone else's text: one line, short)."""
    return " ".join(name.split())[:80] or "?"


class InvoiceInbox:
    """The ``MailReadHook`` of the finance domain (wired by the app with its storage and rules)."""

    def __init__(self, backend: Callable[[], Backend], config: InboxConfig) -> None:
        self._backend = backend
        self.config = config

    def mail_read(self, d: AssistantDeps, mails: list[MailSummary]) -> list[str]:
        mail = d.services.mail
        if mail is None or not isinstance(mail, RawMail):
            return []
        lines: list[str] = []
        filed: list[Imported] = []
        for m in mails[:MAX_MAILS]:
            key = mail_key(m)
            with d.memory.db.session() as s:
                if s.scalar(select(FinInvoiceMail.id).where(FinInvoiceMail.mail_key == key)) is not None:
                    continue
            try:
                found = self._attachments(mail, m)
            except ServiceError as exc:  # the mailbox failed now: the mail is looked at again next time
                log.info("mail %s not checked for invoices: %s", m.id, exc)
                continue
            outcome, invoice_id = "none", None
            for name, data in found:
                d.record_tool("finance.invoice_from_mail", {"mail": m.id, "file": name})
                done, line = self._file(d, m, name, data)
                if done is not None:
                    filed.append(done)
                    outcome, invoice_id = "filed", done.id
                    d.heard_from(f"the e-mail from {_who(m)}")
                elif outcome == "none":
                    outcome = "refused"
                lines.append(line)
            with d.memory.db.session() as s:
                s.add(FinInvoiceMail(mail_key=key, outcome=outcome, invoice_id=invoice_id))
                s.commit()
        if filed:
            lines.extend(self._propose(d, [f.id for f in filed]))
        return lines

    def _attachments(self, mail: MailService, m: MailSummary) -> list[tuple[str, bytes]]:
        """The attachments that may be e-invoices (the message's bytes fetched only when it has one)."""
        listed = getattr(mail.get(m.id), "attachments", None) or []  # the IMAP service lists them
        if not any(is_candidate(a.filename, a.content_type) for a in listed):
            return []
        assert isinstance(mail, RawMail)
        return list(candidate_parts(mail.get_raw(m.id)))

    def _file(self, d: AssistantDeps, m: MailSummary, name: str, data: bytes) -> tuple[Imported | None, str]:
        """One attachment filed (the sentence that says so) or not (the one sentence why)."""
        lang, who, cfg = d.language, _who(m), self.config
        stored_name, name = name, _shown(name)
        try:
            with d.memory.db.session() as s:
                done = import_data(s, self._backend(), stored_name, data, cfg.rules_dir, cfg.currency,
                                   cfg.max_bytes)
        except NoInvoiceData:
            if looks_like_invoice(data):
                return None, tr(lang, f"The e-mail from {who} has a PDF, {name}, that looks like an invoice but "
                                      "carries no e-invoice data, so I did not file it.",
                                f"Die Mail von {who} hat ein PDF, {name}, das wie eine Rechnung aussieht, aber keine "
                                "E-Rechnungsdaten enthält; deshalb habe ich es nicht abgelegt.")
            return None, tr(lang, f"The attachment {name} of the e-mail from {who} is not an invoice: nothing filed.",
                            f"Der Anhang {name} der Mail von {who} ist keine Rechnung: nichts abgelegt.")
        except (InvoiceError, StorageError, OSError) as exc:
            reason = str(exc).split("\n")[0]
            return None, tr(lang, f"I did not file the invoice {name} from the e-mail from {who}: {reason}.",
                            f"Die Rechnung {name} aus der Mail von {who} habe ich nicht abgelegt: {reason}.")
        inv = done.invoice
        amount = say_amount(inv.totals.due, inv.currency, lang)
        due = (tr(lang, f", due on {inv.due_date.isoformat()}", f", fällig am {inv.due_date.isoformat()}")
               if inv.due_date else "")
        return done, tr(lang, f"I filed invoice {inv.number} from {inv.seller.name} (in the e-mail from {who}): "
                              f"{amount}{due}.",
                        f"Ich habe die Rechnung {inv.number} von {inv.seller.name} (aus der Mail von {who}) "
                        f"abgelegt: {amount}{due}.")

    def _propose(self, d: AssistantDeps, ids: list[int]) -> list[str]:
        """The payment of the invoice due first among those just filed, parked for the user's yes."""
        from agents.finance import transfers
        from agents.finance.invoices import pay, schedule
        from agents.finance.transfers import TransferProblem

        lang = d.language
        with d.memory.db.session() as s:
            rows: list[OpenInvoice] = [r for r in open_invoices(s) if r.id in ids]
        payable = [r for r in rows if not r.direct_debit]
        if not payable:
            return []
        inv = payable[0]
        try:
            draft = pay.draft_for(d, inv, lang)
        except TransferProblem as exc:
            return [str(exc)]
        rec = schedule.request_invoice_payment(d, inv, draft, lang)
        dated = rec.payload["transfer"].get("execute_on")
        day = date.fromisoformat(dated) if isinstance(dated, str) else None
        said = transfers.summary(draft.model_copy(update={"execute_on": day}), lang, spoken=True)
        return [said + phrase("approval.question", lang)]

