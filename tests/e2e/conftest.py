"""Fixtures of the web UI's tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def app_env(models_dir: Path) -> dict[str, str]:
    """The app's environment: Whisper base from the test models, Berlin time."""
    return {"PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin"}
