"""'how much did I spend on craftsmen this year for the tax return' / 'wie viel habe ich dieses Jahr für
Handwerker ausgegeben' answered offline by the local intent, the whole way through `personal-agent ask`
(in process, a real SQLite database in PA_HOME, no model), from bookings of this year."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from agents.finance.ledger import import_items
from agents.finance.models import BankTransaction
from app.cli.common import services
from app.cli.main import cli

pytestmark = pytest.mark.unit
runner = CliRunner()
GIRO = "DE89370400440532013000"


def ask(text: str) -> dict[str, Any]:
    res = runner.invoke(cli, ["ask", "--json", text])
    assert res.exit_code == 0, res.output
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_craftsmen_this_year_by_voice_en_and_de() -> None:
    empty = ask("how much did I spend on craftsmen this year for the tax return")
    assert empty["intent"] == "FinanceTaxSpending" and empty["source"] == "local"
    assert empty["spoken"] == "I found nothing for craftsmen this year."
    year = date.today().year
    with services().db.session() as s:
        import_items(s, [
            BankTransaction(iban=GIRO, booking_date=date(year, 1, 15), amount=Decimal("-250.00"),
                            counterparty="Malermeister Krause", purpose="Rechnung 12"),
            BankTransaction(iban=GIRO, booking_date=date(year - 1, 12, 20), amount=Decimal("-99.00"),
                            counterparty="Elektro Schulz", purpose="last year"),
            BankTransaction(iban=GIRO, booking_date=date(year, 1, 16), amount=Decimal("-30.00"),
                            counterparty="REWE Markt GmbH", purpose="Einkauf"),
        ], "test", "test")
    en = ask("how much did I spend on craftsmen this year for the tax return")
    assert en["spoken"].startswith("This year you spent two hundred fifty euros on craftsmen (1 item)."), en
    assert "For 1 of them I have no invoice naming the labour share." in en["spoken"]
    de = ask("wie viel habe ich dieses Jahr für Handwerker ausgegeben")
    assert de["intent"] == "FinanceTaxSpending" and de["language"] == "de"
    assert de["spoken"].startswith("Du hast dieses Jahr zweihundertfünfzig Euro für Handwerker ausgegeben (1 Posten)."), de
    assert "Malermeister Krause" in de["text"] and "Elektro Schulz" not in de["text"]
