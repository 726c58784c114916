"""The web client's page: Flet's own index.html with the typing and click guards loaded before Flutter starts."""

from __future__ import annotations

from pathlib import Path

import pytest

import app.gui.web
from app.gui.web import SCRIPTS, web_assets_dir

pytestmark = pytest.mark.unit


def test_the_page_loads_the_guards_before_flutter(tmp_path: Path) -> None:
    d = web_assets_dir(tmp_path / "web")
    page = (d / "index.html").read_text(encoding="utf-8")
    assert set(SCRIPTS) == {"typing_guard.js", "click_guard.js", "clear_guard.js", "notifications.js", "call_audio.js"}
    for name in SCRIPTS:
        assert f'<script src="{name}"></script>' in page
        assert page.index(name) < page.index("flutter_bootstrap.js")
    assert "var flet" in page  # Flet's page (its config is patched in at serve time), not our own
    for name in SCRIPTS:
        assert (d / name).read_text(encoding="utf-8") == (Path(app.gui.web.__file__).parent / name).read_text(encoding="utf-8")


def test_writing_it_again_gives_the_same_page(tmp_path: Path) -> None:
    first = (web_assets_dir(tmp_path / "web") / "index.html").read_text(encoding="utf-8")
    assert (web_assets_dir(tmp_path / "web") / "index.html").read_text(encoding="utf-8") == first
    assert all(first.count(name) == 1 for name in SCRIPTS)
