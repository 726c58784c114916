"""`personal-agent accounts add --kind bank` (IBAN/BIC/BLZ/URL checked, PIN to the keyring) and
`personal-agent finance sync` against the fake bank, in process (typer's runner)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from tests.servers.fints_bank import FintsBank

runner = CliRunner()
PRODUCT = "9FA6681DEC0CF3046BFC2F8A6"


def add(name: str, *args: str, pin: str = "58203") -> tuple[int, str, str]:
    res = runner.invoke(cli, ["accounts", "add", name, "--kind", "bank", "--password-stdin", *args], input=pin + "\n")
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.unit
@pytest.mark.parametrize(("args", "words"), [
    (["--username", "u", "-o", "bank_code=10020030", "-o", "url=https://fints.example.de", "-o",
      "iban=DE02120300000000202052"], "not a valid IBAN"),
    (["--username", "u", "-o", "bic=NOTABIC", "-o", "url=https://fints.example.de"], "not a valid BIC"),
    (["--username", "u", "-o", "bank_code=1002003", "-o", "url=https://fints.example.de"], "8 digits"),
    (["--username", "u", "-o", "bank_code=10020030", "-o", "url=http://fints.example.de"], "https"),
    (["--username", "u", "-o", "bank_code=10020030"], "FinTS address"),
    (["--username", "u", "-o", "url=https://fints.example.de"], "bank code"),
    (["-o", "bank_code=10020030", "-o", "url=https://fints.example.de"], "user id"),
    (["--username", "u", "-o", "bank_code=12030000", "-o", "url=https://fints.example.de", "-o",
      "iban=DE89370400440532013000"], "belongs to bank code 37040044"),
])
def test_bad_bank_account_is_one_line(args: list[str], words: str) -> None:
    code, out, err = add("mybank", *args)
    assert code == 2, (out, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in err, err


@pytest.mark.unit
def test_bic_gives_the_bank_code_and_pin_goes_to_the_keyring() -> None:
    code, out, err = add("comdirect", "--username", "12345678", "-o", "bic=COBADEHD001", "-o",
                         "url=https://fints.comdirect.de/fints", "-o", "iban=de91 2004 1133 0123 4567 00")
    assert code == 0, err
    assert "secret in keyring: yes" in out
    res = runner.invoke(cli, ["accounts", "list", "--json"])
    acc = next(a for a in json.loads(res.stdout) if a["name"] == "comdirect")
    assert acc["kind"] == "bank" and acc["options"]["bank_code"] == "20041133"
    assert acc["options"]["iban"] == "DE91200411330123456700" and acc["host"] == "fints.comdirect.de"
    assert acc["has_secret"] is True and "58203" not in res.stdout


@pytest.mark.integration
def test_finance_sync_without_product_id_is_one_sentence(fints_bank: FintsBank) -> None:
    code, _, err = add("fake", "--username", fints_bank.user_id, "-o", f"bank_code={fints_bank.blz}", "-o",
                       f"url={fints_bank.url}")
    assert code == 0, err
    res = runner.invoke(cli, ["finance", "sync"])
    assert res.exit_code == 1
    assert "product ID" in res.stderr and "Traceback" not in res.stderr
    assert len([ln for ln in res.stderr.splitlines() if ln.strip()]) == 1, res.stderr
    assert fints_bank.requests == []  # nothing was sent to the bank


@pytest.mark.integration
def test_finance_sync_against_the_fake_bank(fints_bank: FintsBank, pa_home: Path) -> None:
    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[domains.finance]\nfints_product_id = "{PRODUCT}"\nsync_days = 60\n')
    code, _, err = add("fake", "--username", fints_bank.user_id, "-o", f"bank_code={fints_bank.blz}", "-o",
                       f"url={fints_bank.url}", "-o", "tan_method=pushTAN", pin=fints_bank.pin)
    assert code == 0, err
    res = runner.invoke(cli, ["accounts", "test", "fake"])
    assert res.exit_code == 0 and "ok: FinTS login ok: 2 account(s), TAN method pushTAN 2.0" in res.stdout, res.output
    res = runner.invoke(cli, ["finance", "sync", "--account", "fake"])
    assert res.exit_code == 0, res.stderr
    expected = sum(1 for a in fints_bank.accounts for t in a.transactions
                   if t.booking_date >= date.today() - timedelta(days=60))
    assert f"synced bank 'fake': 2 account(s), 2 balance(s), {expected:,} transaction(s)" in res.stdout
    assert fints_bank.products == [PRODUCT] * len(fints_bank.products)
    res = runner.invoke(cli, ["finance", "sync", "--account", "fake"])  # again: the ledger knows them all
    assert res.exit_code == 0 and f"{expected:,} transaction(s) (0 new)" in res.stdout, res.output
    fints_bank.down = True
    res = runner.invoke(cli, ["finance", "sync", "--account", "fake"])
    assert res.exit_code == 1 and "Traceback" not in res.stderr
    assert "bank 'fake': the bank at" in res.stderr and "not reachable" in res.stderr
    res = runner.invoke(cli, ["finance", "sync", "--account", "nope"])
    assert res.exit_code == 1 and "no bank account named 'nope'" in res.stderr
