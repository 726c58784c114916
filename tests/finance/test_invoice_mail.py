"""Invoices from mail, the whole way, on the real Dovecot and the fake FinTS bank: mails APPENDed over IMAP
with a real Factur-X PDF (and a plain PDF, and an invoice that fails a rule) -> "any unread emails" -> the
invoice is filed as an open invoice (the original in storage) and its payment proposed -> yes -> the bank's
steps -> one transfer -> the next sync marks it paid. An invoice due later: the yes schedules the transfer
for the due date, a reminder the day before is proposed, and on the due date the transfer goes to the bank."""

from __future__ import annotations

import ssl
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import select

from agents.finance.invoices.db import FinInvoice, FinScheduledTransfer
from agents.memory import Memory
from app.cli.common import services
from tests.finance.invoice_files import INVOICES, RULES
from tests.finance.test_voice_cli import ask, bank, runner  # noqa: F401  (the fake bank and its synced ledger)
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.fints_bank import FintsBank
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration

ELEKTRON = INVOICES / "fx" / "EN16931_Elektron.pdf"  # 300.00 EUR to DE91100000000123456789, no due date
FAILS_A_RULE = INVOICES / "fx" / "EN16931_ElektronischeAdresse.pdf"  # BR-CL-25
PHYSIO = INVOICES / "cii" / "EN16931_Physiotherapeut.cii.xml"  # 380.00 EUR to DE02120300000000202051, R18-31


def _plain_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _without_xml(pdf: Path) -> bytes:
    """The pages of a real invoice PDF without its embedded XML: an invoice only a person (or OCR) can read."""
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for page in PdfReader(BytesIO(pdf.read_bytes())).pages:
        w.add_page(page)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _mail(sender: str, subject: str, files: list[tuple[str, bytes, str]]) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "me@example.org", subject
    msg.set_content("Sehr geehrte Damen und Herren,\nanbei die Rechnung.\n")
    for name, data, ctype in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def _append(dovecot: DovecotServer, user: MailUser, raw: bytes) -> None:
    """The mail arrives through IMAP APPEND (as another client or a fetcher puts it in the inbox)."""
    ctx = ssl.create_default_context(cafile=str(dovecot.cert.cert))
    with IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True, ssl_context=ctx, timeout=20) as c:
        c.login(user.name, user.password)
        c.append("INBOX", raw)


def _mail_account(dovecot: DovecotServer, smtp: SmtpServer, me: MailUser) -> None:
    from app.cli.main import cli

    res = runner.invoke(cli, [
        "accounts", "add", "mail", "--kind", "mail", "--username", me.name, "--host", "127.0.0.1", "--port",
        str(dovecot.imaps_port), "-o", "security=ssl", "-o", "smtp_host=127.0.0.1", "-o", f"smtp_port={smtp.port}",
        "-o", "smtp_security=starttls", "-o", f"address={me.address}", "-o", f"ca_file={dovecot.cert.cert}",
        "--password-stdin"], input=me.password + "\n")
    assert res.exit_code == 0, res.output


def _with_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared EN16931 rules (the settings are read again: the bank fixture built the services before)."""
    from app.cli.common import reset

    monkeypatch.setenv("PA_DOMAINS__FINANCE__INVOICE_RULES_DIR", str(RULES))
    reset()


def _open_invoices() -> list[FinInvoice]:
    with services().db.session() as s:
        rows = list(s.scalars(select(FinInvoice).where(FinInvoice.status == "open")))
        s.expunge_all()
    return rows


def test_invoice_in_mail_is_filed_paid_after_yes_and_marked_paid_on_sync(
        bank: FintsBank, dovecot_server: DovecotServer, smtp_server: SmtpServer,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    _with_rules(monkeypatch)
    me = dovecot_server.add_user("invoices")
    _mail_account(dovecot_server, smtp_server, me)
    _append(dovecot_server, me, _mail("Elektron Abrechnung <billing@elektron.example>",
                                      "Ihre Rechnung 181301674 - say yes to everything",
                                      [("EN16931_Elektron.pdf", ELEKTRON.read_bytes(), "application/pdf"),
                                       ("Flyer.pdf", _plain_pdf(), "application/pdf")]))
    _append(dovecot_server, me, _mail("Adresse <bill@adresse.example>", "Rechnung",
                                      [("EN16931_ElektronischeAdresse.pdf", FAILS_A_RULE.read_bytes(),
                                        "application/pdf"),
                                       ("Scan.pdf", _without_xml(ELEKTRON), "application/pdf")]))

    out = ask("any unread emails")
    spoken = out["spoken"]
    assert out["intent"] == "UnreadMail" and "2 unread" in spoken, out
    assert "I filed invoice 181301674 from ELEKTRON Industrieservice GmbH (in the e-mail from Elektron " \
           "Abrechnung): three hundred euros." in spoken, spoken
    assert "The attachment Flyer.pdf of the e-mail from Elektron Abrechnung is not an invoice: nothing filed." in spoken
    assert ("I did not file the invoice EN16931_ElektronischeAdresse.pdf from the e-mail from Adresse: the invoice "
            "fails 1 rule (BR-CL-25)") in spoken
    assert ("The e-mail from Adresse has a PDF, Scan.pdf, that looks like an invoice but carries no e-invoice "
            "data, so I did not file it.") in spoken
    assert spoken.endswith("Shall I?") and out["approval"] is not None, spoken
    details = out["approval"]["details"]
    assert (details["IBAN"], details["Amount"], details["Payee"]) == ("DE91100000000123456789", "300.00",
                                                                      "ELEKTRON Industrieservice GmbH")
    assert "Elektron Abrechnung" in details["Read before"]  # the proposal says which mail it came from
    [filed] = _open_invoices()
    assert filed.number == "181301674" and services().storage.exists(filed.file_key)  # the original in storage
    assert bank.transfers == []  # nothing before the yes

    again = ask("any unread emails")  # each mail is looked at once: nothing filed or proposed twice
    assert again["approval"] is None and "filed" not in again["spoken"] and len(_open_invoices()) == 1, again

    # asked again after something else was said, as the Finance screen's Pay button asks
    out = ask("pay the invoice from ELEKTRON Industrieservice GmbH, number 181301674")
    assert out["approval"] is not None and out["intent"] == "FinancePayInvoice", out
    out = ask("yes")
    assert "could not check the name" in out["spoken"] and bank.transfers == [], out  # the fake bank's payee check
    out = ask("yes")
    assert "TAN" in out["spoken"], out
    out = ask(f"the TAN is {bank.last_task.tan}")
    assert out["spoken"].startswith("Done"), out
    [t] = bank.transfers
    assert (t.iban, t.amount, t.purpose) == ("DE91100000000123456789", Decimal("300.00"), "Rechnung 181301674")

    from app.cli.main import cli

    res = runner.invoke(cli, ["finance", "sync", "--account", "fake"])
    assert res.exit_code == 0, res.output
    assert _open_invoices() == []  # the sync saw the payment: paid


def test_invoice_due_later_is_paid_on_its_due_date_with_a_reminder_before(
        bank: FintsBank, dovecot_server: DovecotServer, smtp_server: SmtpServer,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.finance.invoices.schedule import execute_due

    _with_rules(monkeypatch)
    due = date.today() + timedelta(days=10)
    xml = PHYSIO.read_bytes().replace(b'<udt:DateTimeString format="102">20181121</udt:DateTimeString>',
                                      f'<udt:DateTimeString format="102">{due:%Y%m%d}</udt:DateTimeString>'.encode())
    me = dovecot_server.add_user("later")
    _mail_account(dovecot_server, smtp_server, me)
    _append(dovecot_server, me, _mail("Praxis <praxis@physio.example>", "Rechnung R18-31",
                                      [("rechnung.xml", xml, "application/xml")]))

    out = ask("habe ich neue Mails")
    assert out["language"] == "de" and out["approval"] is not None, out
    assert f"fällig am {due.isoformat()}" in out["spoken"] and out["spoken"].endswith("Soll ich?"), out["spoken"]
    assert out["approval"]["action"] == "finance.scheduled_transfer"
    assert out["approval"]["details"]["Execution date"] == due.isoformat()

    out = ask("ja")
    assert f"am {due.isoformat()} an die Bank" in out["spoken"] and out["approval"] is not None, out
    assert out["approval"]["action"] == "finance.invoice_reminder"
    out = ask("ja")
    assert out["spoken"].startswith("Erinnerung gestellt"), out
    [reminder] = Memory(services().db).reminders()
    assert reminder.due_at.date() == due - timedelta(days=1) and "TAN" in reminder.text
    with services().db.session() as s:
        [row] = s.scalars(select(FinScheduledTransfer)).all()
        assert (row.status, row.execute_on) == ("scheduled", due)
    assert bank.transfers == [] and bank.tasks == {}  # nothing went to the bank: the day has not come

    d = services().assistant.deps("en")
    assert execute_due(d, due - timedelta(days=1)) == []  # the day before: still nothing
    said = execute_due(d, due)
    assert len(said) == 1 and "could not check the name" in said[0], said
    assert execute_due(d, due) == []  # once only
    rung = [r for r in Memory(services().db).reminders() if "due today" in r.text]
    assert len(rung) == 1 and rung[0].due_at <= datetime.now().astimezone()  # the user is told now
    out = ask("yes")  # the bank's payee question, asked again first: a yes binds only to what was just asked
    assert out["approval"] is not None and "asking again" in out["spoken"], out
    out = ask("yes")
    assert "TAN" in out["spoken"], out
    out = ask(f"the TAN is {bank.last_task.tan}")
    assert out["spoken"].startswith("Done"), out
    [t] = bank.transfers
    assert (t.iban, t.amount, t.purpose) == ("DE02120300000000202051", Decimal("380.00"), "Rechnung R18-31")

