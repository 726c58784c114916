"""The web UI in German (language = "de"): the tabs, the state line, the talk screen's texts and
Settings come up in German in a real browser; a screenshot of each."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import DESKTOP, by_id, nav, screenshot, wait_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _all_text(page: object) -> str:
    return str(page.evaluate(  # type: ignore[attr-defined]
        "() => Array.from(document.querySelectorAll('flt-semantics'))"
        ".map(e => (e.getAttribute('aria-label') || '') + ' ' + e.innerText).join(' ')"))


def test_the_app_shows_german(tmp_path: Path, models_dir: Path) -> None:
    env = {"PA_HOME": str(tmp_path / "home"), "PA_KEYRING_PASSWORD": "test-master-password",
           "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_LANGUAGE": "de"}
    with web_app(env=env) as url, browser_page(url, *DESKTOP) as page:
        wait_text(page, "status", "Bereit", timeout=180)
        by_id(page, "send").first.wait_for(timeout=30_000)
        shown = _all_text(page)
        for words in ("Sprechen", "Freigaben", "Einstellungen", "Drücken zum Sprechen", "Senden"):
            assert words in shown, (words, shown)
        for english in ("Talk", "Approvals", "Hold to talk", "Type a message"):
            assert english not in shown, (english, shown)
        screenshot(page, "german-talk")
        nav(page, "Einstellungen")
        wait_text(page, "settings-save", "Einstellungen speichern", timeout=60)
        wait_text(page, "keyring-status", "Passw", timeout=60)  # Settings has loaded
        shown = _all_text(page)
        assert "Sprache" in shown and "Konten" in shown and "Save settings" not in shown, shown
        page.wait_for_timeout(500)  # type: ignore[attr-defined]
        screenshot(page, "german-settings")
