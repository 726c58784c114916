"""In the browser, Settings does not offer the server's microphones and speakers (issue 18, item 10): the
web UI records and plays on the browser's own devices, so it says so instead of listing devices that it
does not use. Saving there leaves the machine's device settings as they were. Screenshots at both sizes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import DESKTOP, PHONE, by_id, click, nav, screenshot, wait_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def devices_app(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("devices-home")
    env = {"PA_HOME": str(home), "PA_KEYRING_PASSWORD": "test-master-password",
           "PA_STT__MODEL": str(models_dir / "whisper-base")}
    with web_app(env=env) as url:
        yield url, home


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_the_browser_uses_its_own_microphone_and_speaker(devices_app: tuple[str, Path],
                                                         size: tuple[int, int]) -> None:
    url, home = devices_app
    whose = "this browser's"  # a phone-sized Chromium on Linux is still a desktop browser
    with browser_page(url, *size) as page:
        wait_text(page, "status", "")
        nav(page, "Settings")
        note = wait_text(page, "setting-audio-devices", whose, timeout=30)
        assert "server" not in note
        by_id(page, "setting-wake_phrase").first.wait_for(timeout=30_000)
        time.sleep(0.5)
        assert by_id(page, "setting-input_device").count() == 0, "the server's microphones are offered"
        assert by_id(page, "setting-output_device").count() == 0, "the server's speakers are offered"
        screenshot(page, f"settings-devices-{size[0]}x{size[1]}")
        click(page, "settings-save")
        wait_text(page, "settings-message", "Settings saved", timeout=30)
    config = home / "config" / "config.toml"
    saved = config.read_text() if config.exists() else ""
    assert "input_device" not in saved and "output_device" not in saved, saved
