"""Finance by voice and text, the whole way through `personal-agent ask` (typer's runner, in process):
the ledger filled by a real `finance sync` from the fake FinTS bank, a real SQLite database in PA_HOME,
no language model. A transfer runs only after the user's yes, then the bank's TAN step; the fake bank
records what it executed."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agents.finance.spoken import say_amount
from agents.memory import Memory
from app.cli.common import services
from app.cli.main import cli
from tests.servers.fints_bank import FintsBank

pytestmark = pytest.mark.integration
runner = CliRunner()
PRODUCT = "9FA6681DEC0CF3046BFC2F8A6"


def ask(text: str) -> dict[str, Any]:
    res = runner.invoke(cli, ["ask", "--json", text])
    assert res.exit_code == 0, res.output
    out: dict[str, Any] = json.loads(res.stdout)
    return out


@pytest.fixture
def bank(fints_bank: FintsBank, pa_home: Path) -> FintsBank:
    """A bank account for the fake bank (chipTAN, the current account as the default for transfers) and
    the ledger synced from it (70 days: all of last month)."""
    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[domains.finance]\nfints_product_id = "{PRODUCT}"\nsync_days = 70\n'
                   'transfer_limit_per_transfer = 500\ntransfer_limit_per_day = 600\n')
    main = fints_bank.accounts[0].iban
    res = runner.invoke(cli, ["accounts", "add", "fake", "--kind", "bank", "--password-stdin", "--username",
                              fints_bank.user_id, "-o", f"bank_code={fints_bank.blz}", "-o", f"url={fints_bank.url}",
                              "-o", "tan_method=912", "-o", f"iban={main}"], input=fints_bank.pin + "\n")
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["finance", "sync", "--account", "fake"])
    assert res.exit_code == 0, res.output
    return fints_bank


def _anna(bank: FintsBank) -> str:
    return next(iban for iban, name in bank.payees.items() if name == "Anna Schmidt")


def test_balance_and_spending_are_read_from_the_ledger(bank: FintsBank) -> None:
    out = ask("what's my balance")
    assert out["intent"] == "FinanceBalance" and out["source"] == "local"
    main = bank.accounts[0]
    assert say_amount(main.balance, "EUR", "en") in out["spoken"]
    assert f"{main.balance:,.2f}" in out["text"]  # the screen: Babel's English format
    out = ask("wie ist mein Kontostand")
    assert out["language"] == "de" and say_amount(main.balance, "EUR", "de") in out["spoken"]

    first = date.today().replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    groceries = -sum((t.amount for t in main.transactions if start <= t.booking_date < first
                      and t.counterparty in ("REWE Markt GmbH", "EDEKA Zentrale AG")), Decimal(0))
    out = ask("how much did I spend on groceries last month")
    assert out["intent"] == "FinanceSpending"
    assert out["spoken"] == f"You spent {say_amount(groceries, 'EUR', 'en')} on groceries last month."
    out = ask("Was habe ich letzten Monat für Lebensmittel ausgegeben?")
    assert say_amount(groceries, "EUR", "de") in out["spoken"] and "Lebensmittel" in out["spoken"]


def test_transfer_waits_for_yes_then_the_tan_and_the_bank_records_one(bank: FintsBank) -> None:
    out = ask("transfer 50 euros to Anna for the concert tickets")
    assert out["intent"] == "FinanceTransfer" and out["approval"] is not None, out
    assert "fifty euros" in out["spoken"] and "Anna Schmidt" in out["spoken"] and out["spoken"].endswith("Shall I?")
    details = out["approval"]["details"]
    assert details["IBAN"] == _anna(bank) and details["Amount"] == "50.00" and details["Payee"] == "Anna Schmidt"
    assert bank.transfers == [] and bank.tasks == {}  # nothing went to the bank before the yes

    out = ask("yes")
    assert "TAN" in out["spoken"] and out["error"] is None, out
    assert bank.transfers == [] and len(bank.tasks) == 1
    out = ask(f"the TAN is {bank.last_task.tan}")
    assert out["intent"] == "TransferTan" and out["spoken"].startswith("Done"), out
    assert len(bank.transfers) == 1
    t = bank.transfers[0]
    assert (t.payee, t.iban, t.amount, t.purpose, t.from_iban) == (
        "Anna Schmidt", _anna(bank), Decimal("50.00"), "Concert tickets", bank.accounts[0].iban)
    out = ask(f"the TAN is {bank.last_task.tan}")  # again: nothing is sent twice
    assert out["error"] and len(bank.transfers) == 1
    actions = [r.action for r in reversed(services().audit.recent(100))]
    for step in ("approval.finance.transfer", "finance.transfer", "finance.transfer.started", "bank.transfer.sent",
                 "finance.transfer.tan_sent", "bank.transfer.done"):
        assert step in actions, (step, actions)  # every step is in the audit log
    assert all(bank.last_task.tan not in (r.detail or "") for r in services().audit.recent(100))  # never the TAN
    stored = " ".join(t.text for t in Memory(services().db).recent_turns(20))
    assert bank.last_task.tan not in stored and "the TAN is ••••••" in stored  # nor in the kept conversation


def test_german_transfer_no_records_nothing(bank: FintsBank) -> None:
    out = ask("überweise Anna 50 Euro für die Konzertkarten")
    assert out["approval"] is not None and "fünfzig Euro" in out["spoken"] and out["spoken"].endswith("Soll ich?")
    out = ask("nein")
    assert out["intent"] == "Reject"
    assert bank.transfers == [] and bank.tasks == {}


def test_limits_and_unknown_payees_are_refused_in_one_sentence(bank: FintsBank) -> None:
    out = ask("transfer 800 euros to Anna for rent")
    assert out["approval"] is None and "limit for one transfer is €500.00" in out["spoken"]
    out = ask("transfer 50 euros to Bertram for the bike")
    assert out["approval"] is None and "IBAN" in out["spoken"] and "Bertram" in out["spoken"]
    assert ask("yes")["approval"] is None
    assert bank.tasks == {} and bank.transfers == []


def test_payee_check_then_app_approval_by_done(bank: FintsBank) -> None:
    """pushTAN (app approval) and a name the bank finds close but not exact: the payee check is a second
    yes/no, then "done" asks the bank whether the app approved it."""
    res = runner.invoke(cli, ["accounts", "add", "push", "--kind", "bank", "--password-stdin", "--username",
                              bank.user_id, "-o", f"bank_code={bank.blz}", "-o", f"url={bank.url}", "-o",
                              "tan_method=921", "-o", f"iban={bank.accounts[0].iban}", "-o", "default=true"],
                        input=bank.pin + "\n")
    assert res.exit_code == 0, res.output
    out = ask(f"transfer 30 euros to Anna Schmitt IBAN {_anna(bank)} for dinner")
    assert out["approval"] is not None and out["approval"]["details"]["Payee"] == "Anna Schmitt", out
    out = ask("yes")
    assert "close but not exact" in out["spoken"] and "Anna Schmidt" in out["spoken"], out
    assert out["approval"] is not None and bank.transfers == []  # the payee check is asked about first
    out = ask("yes")
    assert "banking app" in out["spoken"] and bank.transfers == [], out
    out = ask("done")
    assert out["intent"] == "TransferAppDone" and "not seen your approval" in out["spoken"], out
    bank.approve_decoupled()
    out = ask("done")
    assert out["spoken"].startswith("Done"), out
    assert [(t.payee, t.amount, t.approved_by) for t in bank.transfers] == [("Anna Schmitt", Decimal("30.00"), "decoupled")]


def _flicker_hex(frames: list[str]) -> str:
    """The data a TAN generator reads from the flicker frames (decoded here, not with python-fints): after
    the sync frames, each half-byte is a frame with the clock bar lit and one without it, data bits LSB
    first; the two half-bytes of each byte come low one first."""
    assert frames[:7] == ["10000", "00000", "11111", "01111", "11111", "01111", "11111"]
    lit = frames[7::2]
    assert all(f[0] == "1" for f in lit) and all(f[0] == "0" for f in frames[8::2])
    nibbles = "".join(f"{sum(int(b) << i for i, b in enumerate(f[1:])):X}" for f in lit)
    return "".join(nibbles[i + 1] + nibbles[i] for i in range(0, len(nibbles) - 1, 2))


@pytest.mark.parametrize(("method", "shown"), [("911", "flicker"), ("902", "image")])
def test_chiptan_optical_and_phototan_show_the_banks_challenge(bank: FintsBank, method: str, shown: str) -> None:
    """The bank's flicker code or photoTAN image reaches the reply (what the screen shows), exactly as the
    bank sent it; the TAN then executes the transfer once."""
    res = runner.invoke(cli, ["accounts", "add", f"m{method}", "--kind", "bank", "--password-stdin", "--username",
                              bank.user_id, "-o", f"bank_code={bank.blz}", "-o", f"url={bank.url}", "-o",
                              f"tan_method={method}", "-o", f"iban={bank.accounts[0].iban}", "-o", "default=true"],
                        input=bank.pin + "\n")
    assert res.exit_code == 0, res.output
    ask("transfer 50 euros to Anna for the concert tickets")
    out = ask("yes")
    challenge = out["tan_challenge"]
    assert challenge is not None and "TAN" in out["spoken"] and bank.transfers == [], out
    sent = bank.last_task.challenge_hhduc
    assert sent is not None
    if shown == "flicker":
        data = _flicker_hex(challenge["flicker"])
        start = f"{int(bank.last_task.reference[1:7]):08d}"
        assert start in data and "35302C3030" in data  # the start code (BCD) and "50,00" (ASCII)
        assert challenge["image_b64"] is None and "flickering bars" in out["text"]
    else:
        png = base64.b64decode(challenge["image_b64"])
        assert challenge["image_type"] == "image/png" and png.startswith(b"\x89PNG") and sent.endswith(png)
        assert challenge["flicker"] == [] and "Scan the image" in out["text"]
    out = ask(f"TAN {bank.last_task.tan}")
    assert out["spoken"].startswith("Done") and out["tan_challenge"] is None, out
    assert [(t.payee, t.amount, t.approved_by) for t in bank.transfers] == [("Anna Schmidt", Decimal("50.00"), "tan")]


def test_a_dropped_connection_after_the_tan_is_never_sent_again(bank: FintsBank) -> None:
    ask("transfer 20 euros to Anna for lunch")
    assert "TAN" in ask("ja")["spoken"]
    tan = bank.last_task.tan
    bank.fail_on("HKTAN", "drop_after")  # the bank executes it, the answer never arrives
    out = ask(f"the TAN is {tan}")
    assert "don't know whether the bank executed" in out["spoken"] and out["error"], out
    out = ask(f"the TAN is {tan}")  # nothing waits any more: not sent again
    assert out["spoken"] == "No transfer is waiting for a TAN." and len(bank.transfers) == 1


@pytest.mark.e2e
def test_without_a_bank_connection_a_transfer_is_one_sentence() -> None:
    out = ask("überweise Anna 50 Euro für die Konzertkarten")
    assert out["approval"] is None and out["error"] == "transfer not drafted"
    assert out["spoken"].startswith("Es ist keine Bankverbindung eingerichtet") and "personal-agent" not in out["spoken"]
    res = runner.invoke(cli, ["ask", "the TAN is 123456"])
    assert res.exit_code == 0 and "No transfer is waiting for a TAN." in res.stdout and "Traceback" not in res.output
