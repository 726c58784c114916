"""User-facing text names no config keys, environment variables or shell commands (the team's rule;
issue 17): every message that can reach a user is scanned in the source. The technical detail
(which key, which variable) belongs in the logs and in docs/.

What counts as user-facing: the text of a raised exception (errors reach the user as one line), of
``fail``/``echo`` (CLI), ``reply``/``tr`` (spoken answers), HTTPException (server) and of GUI texts,
labels and hints. The CLI may name its own subcommands (its user is at a shell); nothing else may
name a ``personal-agent`` command."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from app.settings import Settings

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
SINK_CALLS = {"fail", "echo", "secho", "reply", "tr", "Text", "SnackBar", "HTTPException", "print"}
SINK_KEYWORDS = {"label", "hint_text", "tooltip", "helper_text", "error_text", "detail", "spoken", "text"}


def _config_keys() -> set[str]:
    keys = set()
    for name, f in Settings.model_fields.items():
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys |= {f"{name}.{sub}" for sub in ann.model_fields}
    return keys


KEYS = _config_keys()
FORBIDDEN = [
    ("config file name", re.compile(r"config\.toml")),
    ("environment variable", re.compile(r"\bPA_[A-Z]")),
    ("pip command", re.compile(r"\bpip3? install\b")),
    ("python -m command", re.compile(r"\bpython3? -m\b")),
    ("config key", re.compile(r"(?<![\w./-])(" + "|".join(re.escape(k) for k in sorted(KEYS)) + r")(?![\w-])")),
]
CLI_COMMAND = re.compile(r"\bpersonal-agent [a-z]")


def _texts(node: ast.AST) -> Iterator[str]:
    """The literal text in an expression: strings, f-string parts, concatenations, conditionals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    elif isinstance(node, ast.BinOp):
        yield from _texts(node.left)
        yield from _texts(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def user_messages(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        calls: list[ast.Call] = []
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            calls.append(node.exc)
        elif isinstance(node, ast.Call) and _name(node.func) in SINK_CALLS:
            calls.append(node)
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in SINK_KEYWORDS:
                    for t in _texts(kw.value):
                        yield node.lineno, t
        for call in calls:
            for arg in [*call.args, *(kw.value for kw in call.keywords)]:
                for t in _texts(arg):
                    yield call.lineno, t


def _sources() -> list[Path]:
    return sorted(p for pkg in ("app", "agents", "audio", "storage") for p in (ROOT / pkg).rglob("*.py")
                  if "migrations" not in p.parts)


def test_the_scan_finds_the_messages() -> None:
    found = {t for p in _sources() for _, t in user_messages(p)}
    assert len(found) > 300
    assert {"stt.model", "tts.voices", "server.login_attempts"} <= KEYS
    assert FORBIDDEN[-1][1].search("set tts.voices.de") and not FORBIDDEN[-1][1].search("the server.log file")


def test_no_user_message_names_a_config_key_an_env_var_or_a_shell_command() -> None:
    bad = []
    for path in _sources():
        rel = path.relative_to(ROOT)
        in_cli = rel.parts[:2] == ("app", "cli")
        for line, text in user_messages(path):
            for what, pattern in FORBIDDEN:
                if pattern.search(text):
                    bad.append(f"{rel}:{line}: {what}: {text!r}")
            if not in_cli and CLI_COMMAND.search(text):
                bad.append(f"{rel}:{line}: shell command: {text!r}")
    assert not bad, "\n".join(bad)
