"""Paying an imported invoice, the whole way: `finance invoice import` (a real Factur-X PDF) -> "pay the
invoice from ..." -> a transfer draft waiting for the yes -> yes -> TAN -> the fake FinTS bank executes
exactly one transfer with the invoice's IBAN, amount and reference -> the next `finance sync` books it ->
the invoice is marked paid. Also: the matching rules of ``settle_invoices`` on a plain ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from agents.finance.invoices.db import FinInvoice
from agents.finance.invoices.store import import_invoice, open_invoices
from agents.finance.ledger import import_items
from agents.finance.models import BankTransaction
from storage.db.engine import Database
from storage.local import LocalBackend
from tests.finance.invoice_files import INVOICES, RULES
from tests.finance.test_voice_cli import ask, bank, runner  # noqa: F401  (the fake bank and its synced ledger)
from tests.servers.fints_bank import FintsBank

PHYSIO = INVOICES / "cii" / "EN16931_Physiotherapeut.cii.xml"  # 380.00 EUR to DE02120300000000202051, R18-31
OWN = "DE89370400440532013000"


@pytest.mark.integration
def test_pay_an_invoice_after_yes_then_the_sync_marks_it_paid(bank: FintsBank, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from app.cli.main import cli

    monkeypatch.setenv("PA_DOMAINS__FINANCE__INVOICE_RULES_DIR", str(RULES))
    res = runner.invoke(cli, ["finance", "invoice", "import", str(INVOICES / "fx" / "EN16931_OEPNV.pdf")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["finance", "invoice", "import", str(PHYSIO)])
    assert res.exit_code == 0, res.output

    out = ask("pay the invoice")  # two are open: which one?
    assert out["approval"] is None and "Which invoice" in out["spoken"] and "Physiotherapeutin" in out["spoken"]
    out = ask("pay the invoice from Physiotherapeutin")
    assert out["intent"] == "FinancePayInvoice" and out["approval"] is not None, out
    details = out["approval"]["details"]
    assert (details["IBAN"], details["Amount"], details["Payee"]) == ("DE02120300000000202051", "380.00",
                                                                      "Physiotherapeutin")
    assert out["spoken"].endswith("Shall I?") and bank.transfers == []  # nothing sent before the yes

    out = ask("yes")
    # the bank's payee check knows no holder for this IBAN (a fake bank's payee): a second yes/no
    assert "could not check the name" in out["spoken"] and bank.transfers == [], out
    out = ask("yes")
    assert "TAN" in out["spoken"], out
    out = ask(f"the TAN is {bank.last_task.tan}")
    assert out["spoken"].startswith("Done"), out
    assert len(bank.transfers) == 1
    t = bank.transfers[0]
    assert (t.iban, t.amount, t.purpose) == ("DE02120300000000202051", Decimal("380.00"), "Invoice R18-31")

    listed = runner.invoke(cli, ["finance", "invoice", "list"])
    assert "Physiotherapeutin" in listed.stdout  # still open: the bank has not booked it yet in our ledger
    res = runner.invoke(cli, ["finance", "sync", "--account", "fake"])
    assert res.exit_code == 0, res.output
    listed = runner.invoke(cli, ["finance", "invoice", "list"])
    assert "Physiotherapeutin" not in listed.stdout and "Verkehrsbetriebe GmbH" in listed.stdout, listed.stdout
    out = ask("do I have unpaid invoices")
    assert out["spoken"].startswith("You have 1 open invoice, nine euros in total."), out


def _booking(amount: str, on: date, purpose: str = "", iban: str | None = None) -> BankTransaction:
    return BankTransaction(iban=OWN, booking_date=on, amount=Decimal(amount), counterparty="Someone",
                           counterparty_iban=iban, purpose=purpose)


@pytest.mark.unit
def test_settle_matches_amount_and_reference_or_iban(db: Database, tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "blobs")
    with db.session() as s:
        import_invoice(s, backend, PHYSIO, RULES)  # 380.00, IBAN DE02120300000000202051, number R18-31
        import_invoice(s, backend, INVOICES / "ubl" / "EN16931_OEPNV.ubl.xml", RULES)  # 9.00, DE12123456789012345678
    with db.session() as s:  # the right amount, but neither the reference nor the IBAN: stays open
        import_items(s, [_booking("-380.00", date(2018, 11, 1), "Behandlung", "DE89370400440532013000")], "a", "test")
        # the reference in the purpose (spaces and case do not matter) pays it
        import_items(s, [_booking("-9.00", date(2018, 9, 10), "Rechnung e2018 0920 118 04"),  # before the issue date
                         _booking("-9.00", date(2018, 9, 25), "Fahrkarte E20180920118 04")], "b", "test")
    with db.session() as s:
        assert [r.seller for r in open_invoices(s)] == ["Physiotherapeutin"]
        import_items(s, [_booking("-380.00", date(2018, 11, 20), "", "DE02 1203 0000 0000 2020 51".replace(" ", ""))],
                     "c", "test")
    with db.session() as s:
        assert open_invoices(s) == []
        paid = {r.number: (r.status, r.paid_at) for r in s.scalars(select(FinInvoice))}
    assert paid == {"R18-31": ("paid", date(2018, 11, 20)), "E2018092011804": ("paid", date(2018, 9, 25))}
