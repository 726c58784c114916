"""The `personal-agent` command speaks German when the app does: every line a user reads comes from one
EN+DE catalogue (app/cli/strings.py, or the phrasebook for what the assistant says everywhere), and a German
run of a representative set of commands shows no line that is not a German catalogue text (values such as
names, paths and numbers fill its placeholders)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.i18n import Catalogue
from agents.phrasebook import PHRASES
from app.cli.strings import CLI
from tests.foundation.test_user_messages import FORBIDDEN

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
# the calls that put a line in front of the user; their literal text must come from the catalogue
LINE_CALLS = {"fail", "echo", "secho", "prompt", "confirm", "add_task"}


def _template(text: str) -> re.Pattern[str] | None:
    """A catalogue text as a pattern for a whole line (each placeholder: any text); None when its own words
    are no words at all (a row such as "{id}  {title}": content, not proof of the catalogue)."""
    parts = re.split(r"\{[^{}]*\}", text)
    if not any(c.isalpha() for p in parts for c in p):
        return None
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


def _patterns(catalogues: Iterable[Catalogue], lang: int) -> list[re.Pattern[str]]:
    out = []
    for cat in catalogues:
        for texts in cat.values():
            for line in texts[lang].split("\n"):  # a text of two lines is two lines on the terminal
                pattern = _template(line)
                if pattern is not None:
                    out.append(pattern)
    return out


GERMAN = _patterns([CLI, PHRASES], 1)


def test_the_cli_catalogue_is_complete_and_names_no_setting() -> None:
    assert CLI.problems() == []
    bad = [f"{key}: {what}: {text!r}" for key, texts in CLI.items() for text in texts
           for what, pattern in FORBIDDEN if pattern.search(text)]
    assert not bad, "\n".join(bad)
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "app" / "cli").glob("*.py") if p.name != "strings.py")
    unused = [k for k in CLI if f'"{k}"' not in code and f"'{k}'" not in code]
    # keys built from a name in the code (models.col_*, a label key passed on) are looked up there
    assert not [k for k in unused if not k.startswith("models.col_")], unused


def _literal_words(node: ast.expr) -> Iterable[str]:
    """The literal text of an argument (strings, f-string parts, concatenations, conditionals) that has words."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        texts = [node.value]
    elif isinstance(node, ast.JoinedStr):
        texts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    elif isinstance(node, ast.BinOp):
        yield from _literal_words(node.left)
        yield from _literal_words(node.right)
        return
    elif isinstance(node, ast.IfExp):
        yield from _literal_words(node.body)
        yield from _literal_words(node.orelse)
        return
    else:
        return
    yield from (t for t in texts if any(c.isalpha() for c in t))


def test_no_cli_module_writes_a_line_of_its_own() -> None:
    """An AST check: no `fail`, `echo`, `prompt`, `confirm` or progress label in app/cli is given words of its
    own (only `line(...)`, the phrasebook, an error's `said_line`, or content)."""
    bad = []
    for path in sorted((ROOT / "app" / "cli").glob("*.py")):
        if path.name == "strings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in LINE_CALLS:
                continue
            for arg in [*node.args, *(kw.value for kw in node.keywords if kw.arg in (None, "text", "default"))]:
                bad += [f"{path.name}:{node.lineno}: {t!r}" for t in _literal_words(arg)]
    assert not bad, "\n".join(bad)


# what the runs below put in (names, addresses, places) and the German error from below that they expect:
# content, not catalogue text
CONTENT = ("kein Konto namens 'nope'", "Müller GmbH", "rechnung@example.org", "Berlin", "DE")


def _english_only(line: str) -> bool:
    if any(p.fullmatch(line) for p in GERMAN):
        return False
    for value in CONTENT:
        line = line.replace(value, "")
    return any(c.isalpha() for c in line)


def test_german_cli_lines_come_from_the_catalogue(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from app.cli import common
    from app.cli.main import cli

    monkeypatch.setenv("PA_LANGUAGE", "de")
    common.reset()
    runner = CliRunner()
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    runs: list[tuple[list[str], str | None, int]] = [  # arguments, standard input, exit code
        (["ask"], None, 2),
        (["accounts", "list"], None, 0),
        (["accounts", "add", "x", "--kind", "mail", "-o", "novalue"], None, 2),
        (["accounts", "add", "gmx", "--kind", "mail", "--host", "imap.example.org", "--username", "me@example.org",
          "--no-secret"], None, 0),  # (no secret: the keyring's first unlock would cost half a minute here)
        (["accounts", "list"], None, 0),
        (["accounts", "add", "g", "--kind", "mail", "--oauth", "--provider", "google"], None, 2),
        (["accounts", "client-secret", "microsoft"], None, 2),
        (["accounts", "remove", "gmx"], None, 0),
        (["accounts", "remove", "nope"], None, 1),
        (["models", "list", "--kind", "bogus"], None, 2),
        (["models", "remove", "no-such-model"], None, 2),
        (["transcribe", str(empty)], None, 1),
        (["say", " "], None, 2),
        (["security", "status"], None, 0),
        (["security", "rotate-key"], None, 1),
        (["backup", "list"], None, 0),
        (["backup", "restore", "b1", "--key-stdin"], "\n", 2),
        (["storage", "status"], None, 0),
        (["storage", "migrate", "--from", "local", "--to", "local"], None, 2),
        (["meeting", "forget-voice", "Anna"], None, 2),
        (["finance", "balance"], None, 0),
        (["finance", "subscriptions"], None, 0),
        (["finance", "budget", "show"], None, 0),
        (["finance", "invoice", "list"], None, 0),
        (["finance", "customer", "list"], None, 0),
        (["finance", "customer", "add", "Müller GmbH", "--city", "Berlin", "--email", "rechnung@example.org"], None, 0),
        (["finance", "customer", "list"], None, 0),
        (["finance", "invoice", "create", "--customer", "Müller GmbH", "--hours", "3"], None, 1),
        (["finance", "invoice", "create", "--customer", "Müller GmbH", "--item", "Beratung:zwei:100"], None, 1),
        (["finance", "receipt", "list"], None, 0),
        (["finance", "sync"], None, 1),
        (["finance", "sync", "--since", "gestern"], None, 2),
        (["finance", "import", str(tmp_path / "fehlt.sta")], None, 1),
        (["finance", "spending", "--from", "2026-13-01"], None, 1),
        (["finance", "tax-export", "1999"], None, 2),
        (["finance", "tax-category", "thing", "1", "household"], None, 2),
    ]
    english: list[str] = []
    for args, stdin, code in runs:
        res = runner.invoke(cli, args, input=stdin)
        assert res.exit_code == code, (args, res.exit_code, res.output, res.exception)
        lines = [ln for ln in res.output.splitlines() if ln.strip()]
        assert lines or args[:2] in (["security", "status"],), (args, "said nothing")
        english += [f"{' '.join(args)}: {ln!r}" for ln in lines
                    if any(c.isalpha() for c in ln) and _english_only(ln)]
    assert not english, "lines that are no German catalogue text:\n" + "\n".join(english)
    # the words of errors from below come in German too (storage/bilingual.py)
    assert runner.invoke(cli, ["accounts", "remove", "nope"]).output.strip() == "kein Konto namens 'nope'"
