"""`personal-agent finance customer add|list` and `finance invoice create` (the real command; bad input in
process through the same command object): the
created Factur-X PDF and XRechnung XML are written and stored; bad input (negative hours, an unknown
customer, missing seller details, a VAT rate that is not German) is one line on stderr, exit 1, and nothing
is created."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.finance.invoices.read import read_bytes
from app.cli.main import cli
from tests.finance.conftest import ROOT
from tests.finance.invoice_files import RULES
from tests.finance.test_invoice_import import one_error_line

pytestmark = pytest.mark.unit
runner = CliRunner()
N1 = f"{date.today().year}-0001"  # the first number of the year the test runs in
SELLER_ENV = {"SELLER_NAME": "Anna Beispiel", "SELLER_STREET": "Hauptstraße 1", "SELLER_POSTCODE": "10115",
              "SELLER_CITY": "Berlin", "SELLER_EMAIL": "anna@example.org", "SELLER_PHONE": "+49 30 1234567",
              "SELLER_IBAN": "DE89370400440532013000", "SELLER_VAT_ID": "DE123456789"}


def run(home: Path, *args: str, seller: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PA_HOME": str(home), "PYTHONPATH": str(ROOT),
           "PA_DOMAINS__FINANCE__INVOICE_RULES_DIR": str(RULES)}
    if seller:
        env.update({f"PA_DOMAINS__FINANCE__{k}": v for k, v in SELLER_ENV.items()})
    return subprocess.run([sys.executable, "-m", "app.cli.main", "finance", *args], capture_output=True, text=True,
                          timeout=300, env=env, cwd=str(ROOT))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the module (each command is a new process: a few seconds each)."""
    return tmp_path_factory.mktemp("fincreate") / "home"


def stored(home: Path) -> list[Path]:
    return sorted(p for p in home.rglob("*") if p.suffix in (".pdf", ".xml"))


def test_create_an_invoice_from_the_command_line(home: Path, tmp_path: Path) -> None:
    res = run(home, "customer", "add", "Müller GmbH", "--street", "Marktplatz 5", "--postcode", "80331", "--city",
              "München", "--email", "buchhaltung@mueller.example")
    assert res.returncode == 0 and "added customer #1 Müller GmbH" in res.stdout, res.stderr
    out = tmp_path / "out"
    out.mkdir()
    res = run(home, "invoice", "create", "--customer", "Müller", "--description", "Beratung", "--hours", "8",
              "--rate", "95", "--lang", "de", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert f"created invoice {N1} to Müller GmbH: 904.40 EUR incl. 19% VAT" in res.stdout, res.stdout
    assert "fontTools" not in res.stderr and "Traceback" not in res.stderr, res.stderr
    pdf = next(out.glob("*.pdf"))
    got = read_bytes(pdf.read_bytes()).invoice
    assert (got.buyer.name, got.totals.due, got.lines[0].name) == ("Müller GmbH", Decimal("904.40"), "Beratung")
    assert next(out.glob("*-xrechnung.xml")).is_file()
    assert any(p.name == pdf.name for p in home.rglob("*.pdf") if "issued" in str(p))  # stored through the backend


@pytest.fixture
def in_process(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The same command in this process (a new process costs seconds on a loaded machine)."""
    monkeypatch.setenv("PA_DOMAINS__FINANCE__INVOICE_RULES_DIR", str(RULES))
    for k, v in SELLER_ENV.items():
        monkeypatch.setenv(f"PA_DOMAINS__FINANCE__{k}", v)
    assert runner.invoke(cli, ["finance", "customer", "add", "Müller GmbH"]).exit_code == 0
    return pa_home


def invoke(*args: str) -> subprocess.CompletedProcess[str]:
    res = runner.invoke(cli, ["finance", "invoice", "create", *args])
    return subprocess.CompletedProcess(args, res.exit_code, res.stdout, res.stderr)


@pytest.mark.parametrize(("case", "args", "words"), [
    ("negative hours", ["--hours", "-8", "--rate", "95"], "quantity must be more than 0"),
    ("unknown customer", ["--customer", "Meier AG", "--hours", "8", "--rate", "95"], "no customer named 'Meier AG'"),
    ("a foreign VAT rate", ["--hours", "8", "--rate", "95", "--vat", "16"], "19 or 7"),
    ("a VAT rate that is no number", ["--hours", "8", "--rate", "95", "--vat", "lots"], "19, 7 or none"),
    ("an item without a price", ["--item", "Beratung:8"], "DESCRIPTION:QUANTITY:PRICE"),
    ("no work named, and no terminal to ask on", [], "name the customer (--customer) and the work"),
])
def test_bad_input_is_one_line(in_process: Path, case: str, args: list[str], words: str) -> None:
    full = args if "--customer" in args else ["--customer", "Müller", *args]
    line = one_error_line(invoke(*full), words, "no invoice created")
    assert "Traceback" not in line
    assert stored(in_process) == []


def test_missing_seller_details_are_one_line(in_process: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in SELLER_ENV:
        monkeypatch.delenv(f"PA_DOMAINS__FINANCE__{k}")
    from app.cli import common

    common.reset()  # the settings are read again
    line = one_error_line(invoke("--customer", "Müller", "--hours", "8", "--rate", "95"),
                          "seller details are incomplete", "your name", "your IBAN")
    assert "SELLER" not in line and "seller_" not in line
    assert stored(in_process) == []
