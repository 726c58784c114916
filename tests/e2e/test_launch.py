"""The run command's app starts and shows its name and the assistant's state in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, web_app


@pytest.mark.e2e
@pytest.mark.slow
def test_web_ui_shows_name_and_status(tmp_path: Path) -> None:
    with web_app() as url, browser_page(url) as page:
        page.get_by_text("Personal Agent", exact=True).first.wait_for(timeout=60_000)
        status = page.get_by_text("Idle", exact=True).first
        status.wait_for(timeout=120_000)  # "Loading…" until the speech models are loaded
        page.screenshot(path=str(tmp_path / "launch.png"))
        assert (tmp_path / "launch.png").stat().st_size > 1000
