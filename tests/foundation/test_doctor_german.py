"""``personal-agent doctor`` in the CLI's language: the human lines in German with ``PA_LANGUAGE=de`` (labels,
details and hints from app/doctor_text.py; content such as paths as it is), English unchanged; ``--json`` keeps
its stable keys (``name`` is the English label) and gains ``label`` per language and the German detail and hint."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from app.doctor import Check, _check, _say
from app.doctor_text import DOCTOR
from tests.foundation.test_user_messages import FORBIDDEN

pytestmark = pytest.mark.unit


def test_the_doctor_catalogue_is_complete_and_its_german_names_no_setting() -> None:
    assert DOCTOR.problems() == []
    bad = [f"{key}: {what}" for key, (_en, de) in DOCTOR.items() for what, pattern in FORBIDDEN if pattern.search(de)]
    assert not bad, bad


def test_a_check_line_in_each_language() -> None:
    check = _check(_say("label.encryption"), "warn", _say("encryption.off"), _say("encryption.off_hint"))
    assert check.line() == ("[WARN] encryption at rest: off  -> turn it on with `personal-agent security encrypt` "
                            "(docs/SECURITY.md)")
    assert check.line("de") == ("[WARNUNG] Verschlüsselung der Daten: aus  -> mit `personal-agent security encrypt` "
                                "einschalten (docs/SECURITY.md)")
    path = _check(_say("label.piper"), "ok", "/models/joe.onnx")  # content: the same in both
    assert (path.line(), path.line("de")) == ("[OK  ] voice (piper): /models/joe.onnx",
                                              "[OK  ] Stimme (Piper): /models/joe.onnx")
    plain = Check(name="speech models", status="fail", detail="incomplete")  # a check without German: English
    assert plain.line("de") == "[FEHLER] speech models: incomplete"


def test_doctor_in_german_and_its_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import common
    from app.cli.main import cli

    runner = CliRunner()
    monkeypatch.setenv("PA_LANGUAGE", "de")
    common.reset()
    res = runner.invoke(cli, ["doctor"])
    lines = res.stdout.splitlines()
    assert lines and all(ln.startswith(("[OK  ]", "[WARNUNG]", "[FEHLER]")) for ln in lines), res.stdout
    for label in ("Datenbank", "Schlüsselbund", "Speicher (local)", "Verschlüsselung der Daten"):
        assert any(f"] {label}: " in ln for ln in lines), res.stdout
    assert "Verschlüsselung der Daten: aus  -> mit `personal-agent security encrypt` einschalten" in res.stdout
    res = runner.invoke(cli, ["doctor", "--json"])
    checks = json.loads(res.stdout)["checks"]
    names = {c["name"]: c for c in checks}
    assert {"database", "keyring", "storage (local)", "encryption at rest"} <= set(names), names
    enc = names["encryption at rest"]
    assert enc["label"] == {"en": "encryption at rest", "de": "Verschlüsselung der Daten"}
    assert (enc["detail"], enc["detail_de"]) == ("off", "aus")
    assert set(enc) == {"name", "status", "detail", "hint", "label", "detail_de", "hint_de"}
    common.reset()  # English lines: test_a_check_line_in_each_language, tests/foundation/test_cli.py
