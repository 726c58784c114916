"""``personal-agent ... --help`` in the CLI's language: every command's help with ``PA_LANGUAGE=de`` has no English
line left (names of commands and options, product names and default values excepted), and the English help is
what the code writes (app/cli/help_language.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.cli.help_de import HELP_DE, SAME_IN_GERMAN
from app.cli.help_language import LOCALE_DIR, german, help_language
from app.cli.strings import CLI
from tests.foundation.test_user_messages import FORBIDDEN

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

# every command's --help, rendered in one process (typer reads its gettext words once per process)
RENDER = """
import contextlib, io
import typer.main
from app.cli import main
from app.cli.help_language import help_language, use_typer_words
use_typer_words(help_language())
paths = []
def walk(cmd, path):
    paths.append(path)
    for name, sub in getattr(cmd, "commands", {}).items():
        walk(sub, [*path, name])
walk(typer.main.get_command(main.cli), [])
for path in paths:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main.cli([*path, "--help"], prog_name="personal-agent")
        except SystemExit:
            pass
    print("=== " + " ".join(path))
    print(out.getvalue())
"""
# the framework's English words, none of which may be left in German
TYPER_ENGLISH = ["Usage:", "Options", "Arguments", "Commands", "Show this message", "[required]", "[default:",
                 "[OPTIONS]", "COMMAND [ARGS]"]


def _tree() -> list[typer.core.TyperCommand]:
    from app.cli.main import cli

    out, todo = [], [typer.main.get_command(cli)]
    while todo:
        cmd = todo.pop()
        out.append(cmd)
        todo.extend(getattr(cmd, "commands", {}).values())
    return out


def _help_texts() -> list[str]:
    texts = []
    for cmd in _tree():
        texts += [t for t in (cmd.help, cmd.short_help) if t]
        texts += [p.help for p in cmd.params if getattr(p, "help", None)]
    return texts


def _render(*langs: str) -> list[dict[str, str]]:
    """Every command's help per language, path -> page; one process per language, side by side."""
    procs = []
    for lang in langs:
        env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
        env.update(PA_LANGUAGE=lang, TERMINAL_WIDTH="100", LANG="C.UTF-8")
        procs.append(subprocess.Popen([sys.executable, "-c", RENDER], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr[-3000:]
        pages = {}
        for block in stdout.split("=== ")[1:]:
            path, _, page = block.partition("\n")
            pages[path] = page
        out.append(pages)
    return out


def _words(text: str) -> set[str]:
    text = re.sub(r"--?[\w-]+|<[^>]*>|\{[^}]*\}|\[Vorgabe: [^\]]*\]|https?://\S+", " ", text)
    return {w.lower() for w in re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", text)}


def test_every_help_text_has_its_german() -> None:
    texts = _help_texts()
    missing = sorted({" ".join(t.split()) for t in texts if german(t) is None})
    assert not missing, "no German in app/cli/help_de.py for:\n" + "\n".join(missing)
    same = [en for en, de in HELP_DE.items() if de == en and en not in SAME_IN_GERMAN]
    assert not same, same
    used = {" ".join(t.split()) for t in texts}
    assert not set(HELP_DE) - used, f"German for texts no command has: {sorted(set(HELP_DE) - used)}"
    bad = [f"{what}: {de!r}" for de in HELP_DE.values() for what, pattern in FORBIDDEN if pattern.search(de)]
    assert not bad, "\n".join(bad)


def test_typer_words_catalogue_is_compiled() -> None:
    with PO.open("rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id}
    with MO.open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert po == mo, "messages.mo is not messages.po compiled: pybabel compile -d app/cli/locale -D messages"
    assert all(po.values())


def test_help_language_follows_the_setting(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('language = "de"\n')
    monkeypatch.delenv("PA_LANGUAGE", raising=False)
    assert help_language() == "de"
    monkeypatch.setenv("PA_LANGUAGE", "en")
    assert help_language() == "en"
    cfg.write_text("[tts\n")  # a broken file: the environment's rule, the command says what is wrong
    monkeypatch.setenv("PA_LANGUAGE", "de")
    assert help_language() == "de"


def test_every_help_in_german_has_no_english_line() -> None:
    de_pages, en_pages = _render("de", "en")
    assert set(de_pages) == set(en_pages) and len(de_pages) > 50
    names: set[str] = set()
    for cmd in _tree():
        names |= _words(cmd.name or "") | {w for p in cmd.params for w in _words(p.name or "")}
    german_words = set()
    for de in [*HELP_DE.values(), *(v[1] for v in CLI.values())]:
        german_words |= _words(de)
    with PO.open("rb") as f:
        german_words |= {w for m in read_po(f) for w in _words(str(m.string))}
    english_words = set()
    for en in [*HELP_DE, "Usage Options Arguments Commands Show this message and exit required default"]:
        english_words |= _words(en)
    only_english = english_words - german_words - names
    left = []
    for path, page in de_pages.items():
        left += [f"{path or '(personal-agent)'}: {line.strip()}" for line in page.splitlines()
                 if _words(line) & only_english or any(w in line for w in TYPER_ENGLISH)]
    assert not left, "English left in the German help:\n" + "\n".join(left)
    for path, page in en_pages.items():  # English: the code's own texts and typer's words
        assert "Usage: personal-agent" in page and "Show this message and exit." in page, path
        assert "Aufruf" not in page and "Optionen" not in page, path
    assert "Voice-first personal assistant. Offline by default." in en_pages[""]
