"""Japanese (and Chinese, Korean) text is drawn offline in the web UI (issue 18, item 7): Whisper on
"auto" may write it, and Flutter web, which fetches fonts for such characters from a CDN, showed empty
boxes. The app serves Noto Sans CJK itself (app/gui/fonts.py).

How "drawn" is checked: two replies that differ only in five Japanese characters are cut out of a
screenshot. Drawn, the two pictures differ; as empty boxes ("tofu") every character is the same box,
so the two pictures are the same. The font must also have come from the app itself."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.gui.fonts import cjk_font
from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import (
    DESKTOP,
    PHONE,
    artefacts_dir,
    by_id,
    click,
    screenshot,
    type_into,
    wait_text,
)
from tests.servers.base import unavailable

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# two replies per size, five characters each, no character shared (the sizes share one app and its history)
WORDS = {DESKTOP: ("東京タワー", "大阪城公園"), PHONE: ("京都御所前", "奈良の鹿島")}


@pytest.fixture(scope="module")
def scripts_app(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[str]:
    if cjk_font() is None:
        unavailable("Noto Sans CJK is not installed (Debian fonts-noto-cjk, scripts/apt-runtime.txt)")
    env = {"PA_HOME": str(tmp_path_factory.mktemp("scripts-home")), "PA_KEYRING_PASSWORD": "test-master-password",
           "PA_STT__MODEL": str(models_dir / "whisper-base")}
    with web_app(env=env) as url:
        yield url


def _gray(page: Any, words: str, name: str) -> np.ndarray:
    """The newest reply, which contains ``words``, cut out of a screenshot, as grey levels (and saved)."""
    from PIL import Image

    time.sleep(1.0)  # the list scrolls to the new turn
    box = None
    deadline = time.monotonic() + 30
    while box is None and time.monotonic() < deadline:  # the list may rebuild its nodes meanwhile
        try:
            node = by_id(page, "assistant-text").filter(has_text=words).last
            node.wait_for(state="visible", timeout=5_000)
            box = node.bounding_box(timeout=5_000)
        except Exception:  # the node was replaced between finding and measuring it
            time.sleep(0.5)
    view = page.viewport_size
    assert box and box["width"] > 20 and box["y"] >= 0 and box["y"] + box["height"] <= view["height"], \
        f"reply with {words!r} not on screen: {box}"
    png = page.screenshot(clip=box)
    (artefacts_dir() / f"{name}.png").write_bytes(png)
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_japanese_reply_is_drawn_offline(scripts_app: str, size: tuple[int, int]) -> None:
    font_responses: list[tuple[str, int]] = []
    tag = f"{size[0]}x{size[1]}"
    with browser_page(scripts_app, *size) as page:
        page.on("response", lambda r: font_responses.append((r.url, r.status)) if "NotoSansCJK" in r.url else None)
        wait_text(page, "status", "")
        if by_id(page, "onboarding-done").count():
            click(page, "onboarding-done")  # room for the turns on a phone
        crops = []
        for i, words in enumerate(WORDS[size]):
            type_into(page, "message", f"remember that {words}", submit=True)
            wait_text(page, "assistant-text", words, timeout=60)
            wait_text(page, "you-text", words, timeout=30)  # the typed Japanese is shown in the user's turn too
            crops.append(_gray(page, words, f"japanese-reply-{i}-{tag}"))
        screenshot(page, f"japanese-{tag}")
        # the page's own record of what it loaded: the font may have been fetched before the listener was
        # attached (the phone's page opens on the desktop run's Japanese turns and draws them at once)
        font_responses += page.evaluate(
            "() => performance.getEntriesByType('resource').filter(e => e.name.includes('NotoSansCJK'))"
            ".map(e => [e.name, e.responseStatus || 0])")
    first, second = crops
    assert first.min() < 128 and second.min() < 128, "a reply was not drawn at all"
    h, w = min(first.shape[0], second.shape[0]), min(first.shape[1], second.shape[1])
    differs = float(np.abs(first[:h, :w] - second[:h, :w]).mean())
    print(f"{tag}: mean grey-level difference of the two replies {differs:.2f}")
    # empty boxes draw the same pixels for both (difference ~0); drawn characters differ
    assert differs > 1.0, f"{WORDS[size]} look the same ({differs:.2f}): empty boxes, no font"
    assert any(status == 200 and url.startswith("http://127.0.0.1:") for url, status in font_responses), \
        f"the CJK font did not come from the app: {font_responses}"
    assert all(url.startswith("http://127.0.0.1:") for url, _ in font_responses), \
        f"a CJK font came from elsewhere: {font_responses}"
