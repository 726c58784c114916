"""Creating and sending an invoice by voice/text, each behind the user's yes: "create an invoice to Müller
GmbH for 8 hours consulting at 95 euros" (and the German sentence) through `personal-agent ask` in process
(the app's own wiring: storage, rules, settings), and "send invoice 2026-0001" on the real SMTP server:
nothing is created or sent before the yes; the mail carries the stored PDF and XRechnung XML."""

from __future__ import annotations

import email
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from agents.approvals import ApprovalStore
from agents.assistant import Assistant
from agents.communication.mail import ImapMailService
from agents.deps import ServiceDeps
from agents.finance.invoices.customers import add_customer
from agents.finance.invoices.issued_db import FinIssuedInvoice
from agents.finance.invoices.read import read_bytes
from agents.finance.settings import FinanceSettings
from agents.memory import Memory
from app.cli.main import cli
from storage.audit import AuditLog
from storage.db.engine import Database
from storage.local import LocalBackend
from tests.communication.conftest import mail_config
from tests.finance.invoice_files import RULES
from tests.finance.test_invoice_create import SELLER
from tests.servers.dovecot import DovecotServer
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.unit
N1 = f"{date.today().year}-0001"  # the first number of the year the test runs in
runner = CliRunner()


def ask(*args: str) -> dict[str, Any]:
    res = runner.invoke(cli, ["ask", "--json", *args])
    assert res.exit_code == 0, res.output
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_create_by_voice_waits_for_the_yes_en_and_de(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_DOMAINS__FINANCE__INVOICE_RULES_DIR", str(RULES))
    for k, v in SELLER.items():
        monkeypatch.setenv(f"PA_DOMAINS__FINANCE__{k.upper()}", v)
    res = runner.invoke(cli, ["finance", "customer", "add", "Müller GmbH", "--city", "München", "--email",
                              "buchhaltung@mueller.example"])
    assert res.exit_code == 0, res.output

    de = ask("erstelle eine Rechnung an Müller GmbH über 8 Stunden Beratung zu 95 Euro")
    assert de["intent"] == "FinanceCreateInvoice" and de["language"] == "de", de
    assert de["spoken"] == ("Eine Rechnung an Müller GmbH erstellen: 8 Stunden Beratung zu 95,00 €; 760,00 € zuzüglich "
                            "19 % Umsatzsteuer = 904,40 €. Soll ich?"), de
    no = ask("--deny", str(de["approval"]["id"]))
    assert no["spoken"] == "Okay, I won't do it."
    assert not list(pa_home.rglob("*.pdf"))  # nothing created after the no

    en = ask("create an invoice to Müller GmbH for 8 hours consulting at 95 euros")
    assert en["intent"] == "FinanceCreateInvoice" and en["approval"], en
    assert en["spoken"].startswith("Create an invoice to Müller GmbH: 8 hours Consulting at 95.00 €; 760.00 € plus 19 % "
                                   "VAT = 904.40 €."), en
    assert not list(pa_home.rglob("*.pdf"))  # nothing before the yes
    yes = ask("--approve", str(en["approval"]["id"]))
    assert f"invoice {N1} to Müller GmbH" in yes["spoken"], yes
    pdf = next(p for p in pa_home.rglob("*.pdf"))
    got = read_bytes(pdf.read_bytes()).invoice
    assert (got.buyer.name, got.totals.due, got.lines[0].name) == ("Müller GmbH", Decimal("904.40"), "Consulting")

    unknown = ask("create an invoice to Meier AG for 2 hours at 80 euros")
    assert unknown["intent"] == "FinanceCreateInvoice" and unknown["approval"] is None
    assert unknown["spoken"].startswith("No customer named"), unknown


def _attachments(raw: bytes) -> dict[str, bytes]:
    msg: Message = email.message_from_bytes(raw)
    return {str(p.get_filename()): bytes(p.get_payload(decode=True))  # type: ignore[arg-type]
            for p in msg.walk() if p.get_filename()}


def test_send_by_mail_after_the_yes_on_the_smtp_server(db: Database, tmp_path: Path, dovecot_server: DovecotServer,
                                                        smtp_server: SmtpServer) -> None:
    me = dovecot_server.add_user("freelancer")
    mail = ImapMailService(mail_config(dovecot_server, smtp_server, me), me.password)
    blobs = LocalBackend(tmp_path / "blobs")
    with db.session() as s:
        add_customer(s, "Müller GmbH", "Marktplatz 5", "80331", "München", email="buchhaltung@mueller.example")
    assistant = Assistant(memory=Memory(db), approvals=ApprovalStore(db, AuditLog(db)),
                          services=ServiceDeps(mail=mail, files=lambda: blobs, invoice_rules=RULES), tz=UTC,
                          domain_settings={"finance": FinanceSettings.model_validate(SELLER)})
    try:
        draft = assistant.ask("create an invoice to Müller for 8 hours consulting at 95 euros")
        assert draft.approval is not None, draft
        assert assistant.ask("yes").spoken.startswith(f"Created invoice {N1}"), "created"
        before = len(smtp_server.relayed)
        send = assistant.ask(f"send invoice {N1} to the customer")
        assert send.intent == "FinanceSendInvoice" and send.approval is not None, send
        assert "buchhaltung@mueller.example" in send.spoken and f"{N1}.pdf" in send.spoken
        assert len(smtp_server.relayed) == before  # nothing sent before the yes
        done = assistant.ask("yes")
        assert f"Sent invoice {N1} to buchhaltung@mueller.example" in done.spoken, done
        sent = [e for e in smtp_server.relayed[before:] if "buchhaltung@mueller.example" in e.rcpt_tos]
        assert len(sent) == 1
        files = _attachments(sent[0].data)
        with db.session() as s:
            row = s.scalars(select(FinIssuedInvoice)).one()
            assert row.status == "sent" and row.sent_at is not None
            assert files == {f"{N1}.pdf": blobs.load(row.pdf_key),
                             f"{N1}-xrechnung.xml": blobs.load(row.xml_key)}
            assert s.scalar(select(func.count()).select_from(FinIssuedInvoice)) == 1
        assert read_bytes(files[f"{N1}.pdf"]).invoice.totals.due == Decimal("904.40")
        assert datetime.now(UTC) >= row.sent_at.replace(tzinfo=UTC)
    finally:
        mail.close()
