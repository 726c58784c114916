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


def test_the_last_receipt_by_voice_en_and_de() -> None:
    from agents.finance.receipts.db import FinReceipt

    none = ask("how much was my last receipt")
    assert none["intent"] == "FinanceLastReceipt" and none["spoken"] == "You have no receipts yet."
    year = date.today().year
    with services().db.session() as s:
        for i, (day, minor) in enumerate(((date(year, 1, 2), 1999), (date(year, 1, 3), 368))):
            s.add(FinReceipt(vendor="REWE Markt GmbH", amount_minor=minor, currency="EUR", receipt_date=day,
                             media="jpeg", text="", file_name=f"{i}.jpg", file_key=f"k/{i}.jpg", file_sha256=str(i) * 64))
        s.commit()
    en = ask("how much was my last receipt")
    assert en["spoken"].startswith("Your last receipt on ") and en["spoken"].endswith(
        "is from REWE Markt GmbH: three euros sixty-eight."), en
    de = ask("wie viel war mein letzter Kassenbon")
    assert de["intent"] == "FinanceLastReceipt" and de["language"] == "de"
    assert de["spoken"].startswith("Dein letzter Beleg vom ") and "drei Euro achtundsechzig" in de["spoken"], de
