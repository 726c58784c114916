"""The real `personal-agent` console script: config errors, accounts with the keyring, doctor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).parent / "personal-agent")


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.mark.unit
@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"PA_STT__COMPUTE_TYPE": "int3"}, "stt.compute_type"),
        ({"PA_LLM__PROVIDER": "skynet"}, "llm.provider"),
        ({"PA_UI_PORT": "not-a-port"}, "ui_port"),
        ({"PA_TIMEZONE": "Mars/Olympus"}, "timezone"),
        ({"PA_STT__EARLY_END_MS": "10"}, "stt.early_end_ms"),
    ],
)
def test_bad_env_value_is_one_line_and_exit_2(env: dict[str, str], key: str) -> None:
    res = run("doctor", env=env)
    assert res.returncode == 2, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert key in lines[0] and "Traceback" not in res.stderr


@pytest.mark.unit
def test_bad_config_file_value_and_broken_toml(pa_home: Path) -> None:
    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[tts]\nlength_scale = "fast"\n')
    res = run("accounts", "list")
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "tts.length_scale" in res.stderr
    cfg.write_text("[tts\nvoice=\n")
    res = run("accounts", "list")
    assert res.returncode == 2 and "not valid TOML" in res.stderr and "Traceback" not in res.stderr
    cfg.write_text('[stt]\nlanguage = "de"\nbeam_size = 2\n')
    from app.settings import load_settings

    s = load_settings()
    assert s.stt.language == "de" and s.stt.beam_size == 2


@pytest.mark.unit
def test_env_overrides_file(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('language = "de"\n[llm]\nprovider = "openai"\n')
    monkeypatch.setenv("PA_LLM__PROVIDER", "anthropic")
    from app.settings import load_settings

    s = load_settings()
    assert s.language == "de" and s.llm.provider == "anthropic"


@pytest.mark.integration
def test_accounts_add_list_remove_secret_only_in_keyring(pa_home: Path) -> None:
    secret = "Sup3r-Secret-Pa55word-äö"
    res = run("accounts", "add", "gmx", "--kind", "mail", "--host", "imap.gmx.net", "--port", "993",
              "--username", "me@gmx.de", "--password-stdin", stdin=secret + "\n")
    assert res.returncode == 0, res.stderr
    assert secret not in res.stdout + res.stderr

    res = run("accounts", "list")
    assert res.returncode == 0
    assert "gmx" in res.stdout and "me@gmx.de" in res.stdout and "secret=yes" in res.stdout
    assert secret not in res.stdout

    # the secret is in the keyring backend (an encrypted file here), and in no file the app wrote in clear
    from app import secrets

    secrets.reset_backend()
    assert "cryptfile" in secrets.backend_name()
    assert secrets.get_secret("mail", "gmx") == secret
    needle = secret.encode()
    for f in pa_home.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert needle not in data and secret.encode("utf-16-le") not in data, f"secret found in {f}"

    # wrong master password: clear error, no traceback
    res = run("accounts", "list", env={"PA_KEYRING_PASSWORD": "wrong"})
    assert "Traceback" not in res.stderr
    assert "secret=yes" not in res.stdout

    # duplicate names are refused
    res = run("accounts", "add", "gmx", "--kind", "mail", "--no-secret")
    assert res.returncode == 1 and "exists already" in res.stderr

    res = run("accounts", "remove", "gmx")
    assert res.returncode == 0
    secrets.reset_backend()
    assert secrets.get_secret("mail", "gmx") is None
    assert "gmx" not in run("accounts", "list").stdout

    from app.services import build_services

    actions = [(e.action, e.outcome) for e in build_services().audit.recent(10)]
    assert ("account.add", "ok") in actions and ("account.remove", "ok") in actions


@pytest.mark.integration
def test_accounts_test_reports_unreachable_server_clearly(pa_home: Path) -> None:
    from tests.servers.base import free_port

    port = free_port()  # nothing listens here
    res = run("accounts", "add", "box", "--kind", "mail", "--host", "127.0.0.1", "--port", str(port),
              "--username", "u", "-o", "security=plain", "--password-stdin", stdin="pw\n")
    assert res.returncode == 0, res.stderr
    res = run("accounts", "test", "box", "--timeout", "3")
    assert res.returncode == 1
    assert res.stdout.startswith("fail:") and "Traceback" not in res.stderr and "pw" not in res.stdout.split(":", 1)[1].split()


@pytest.mark.slow
def test_doctor_prints_one_line_per_check() -> None:
    res = run("setup-models")
    assert res.returncode == 0, res.stderr
    res = run("doctor")
    lines = res.stdout.splitlines()
    names = " ".join(lines)
    for part in ("speech model", "voice (piper)", "vad", "database", "keyring", "accounts", "storage"):
        assert part in names, res.stdout
    assert all(ln.startswith(("[OK  ]", "[WARN]", "[FAIL]")) for ln in lines)
    assert res.returncode == (1 if any(ln.startswith("[FAIL]") for ln in lines) else 0)
    assert "[OK  ] speech model" in res.stdout


@pytest.mark.slow
def test_doctor_fails_on_missing_voice() -> None:
    res = run("doctor", env={"PA_TTS__VOICE": "/nonexistent/de_DE-thorsten.onnx"})
    assert res.returncode == 1
    assert "[FAIL]" in res.stdout and "de_DE-thorsten" in res.stdout


@pytest.mark.unit
def test_cli_errors_are_said_in_german_when_the_app_speaks_german(pa_home: Path) -> None:
    """The errors raised below the CLI carry a German text (storage/bilingual.py): a German app says them."""
    res = run("doctor", env={"PA_LANGUAGE": "de", "PA_TIMEZONE": "Mars/Olympus"})
    assert res.returncode == 2 and res.stderr.startswith("Einstellungsfehler: timezone"), res.stderr
    res = run("accounts", "test", "nope", env={"PA_LANGUAGE": "de"})
    assert res.returncode == 1 and res.stderr.strip() == "kein Konto namens 'nope'", res.stderr
    res = run("accounts", "test", "nope", env={"PA_LANGUAGE": "en"})
    assert res.stderr.strip() == "no account named 'nope'", res.stderr
