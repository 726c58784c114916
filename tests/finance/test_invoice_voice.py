"""'do I have unpaid invoices' / 'welche Rechnungen sind noch offen' answered offline by the local intent,
the whole way through `personal-agent ask` (in process, a real SQLite database in PA_HOME, no model),
after real invoices were imported with `personal-agent finance invoice import`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from tests.finance.invoice_files import INVOICES, RULES

pytestmark = pytest.mark.unit
runner = CliRunner()


def ask(text: str) -> dict[str, Any]:
    res = runner.invoke(cli, ["ask", "--json", text])
    assert res.exit_code == 0, res.output
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_open_invoices_by_voice_en_and_de(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_DOMAINS__FINANCE__INVOICE_RULES_DIR", str(RULES))
    none = ask("do I have unpaid invoices")
    assert none["intent"] == "FinanceOpenInvoices" and none["source"] == "local"
    assert none["spoken"] == "You have no open invoices."
    for rel in ("ubl/EN16931_OEPNV.ubl.xml", "fx/EN16931_Einfach_DueDate.pdf"):
        res = runner.invoke(cli, ["finance", "invoice", "import", str(INVOICES / rel)])
        assert res.exit_code == 0, res.output
    en = ask("do I have unpaid invoices")
    assert en["intent"] == "FinanceOpenInvoices"
    assert en["spoken"].startswith("You have 2 open invoices, five hundred thirty-eight euros eighty-seven in total. "
                                 "The next is due on Wednesday, 3 October 2018: Verkehrsbetriebe GmbH, nine euros."), en
    de = ask("welche Rechnungen sind noch offen")
    assert de["intent"] == "FinanceOpenInvoices" and de["language"] == "de"
    assert de["spoken"].startswith("Du hast 2 offene Rechnungen, zusammen fünfhundertachtunddreißig Euro "
                                 "siebenundachtzig."), de
    assert "Lieferant GmbH, Rechnung 471102: 529,87\xa0€, fällig am" in de["text"]
