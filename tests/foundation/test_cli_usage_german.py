"""A usage error of the command line in the CLI's language (app/cli/usage_language.py): a missing argument, an
unknown option, an extra argument, an unknown command; English as typer's click copy words it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.cli import common

pytestmark = pytest.mark.unit

CASES = [  # arguments, German, English
    (["models", "install"], "Argument 'entry_id' fehlt.", "Missing argument 'entry_id'."),
    (["models", "list", "--bogus"], "Keine solche Option: --bogus", "No such option: --bogus"),
    (["models", "remove", "a", "b"], "Unerwartete zusätzliche Argumente (b)", "Got unexpected extra argument(s) (b)"),
    (["nonsense"], "Kein Befehl namens 'nonsense'.", "No such command 'nonsense'."),
    (["--bogus"], "Keine solche Option: --bogus", "No such option: --bogus"),
]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_usage_errors_in_the_clis_language(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli.main import cli

    monkeypatch.setenv("PA_LANGUAGE", lang)
    monkeypatch.setenv("TERMINAL_WIDTH", "200")
    common.reset()
    for args, de, en in CASES:
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 2, (args, res.output)
        shown = " ".join(res.output.split())
        assert (de if lang == "de" else en) in shown, (args, res.output)
        assert "Traceback" not in res.output
    common.reset()
