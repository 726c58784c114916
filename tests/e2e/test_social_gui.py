"""The Social screen in the real web UI (`personal-agent --web`) in headless Chromium, at desktop (1280x800)
and phone (390x844) width, with a Mastodon account on mastodon-mock: compose → the live count and preview →
Post → the approval card → approve → the status exists once on the server (and not before the yes).
Screenshots go to the artefacts folder (tests/e2e/gui_helpers.py). The phone client's path (the same screen
over the home server's API) is in tests/server/test_social.py."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import DESKTOP, PHONE, ROOT, by_id, nav, screenshot, type_into, wait_text
from tests.servers.mastodon import MastodonServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def social_app(models_dir: Path, pa_home: Path, mastodon_server: MastodonServer) -> Iterator[str]:
    from app.cli.main import cli

    res = CliRunner().invoke(cli, ["accounts", "add", "mast", "--kind", "mastodon", "-o",
                                   f"base_url={mastodon_server.base_url}", "--password-stdin"],
                             input=mastodon_server.token() + "\n")
    assert res.exit_code == 0, res.output
    env = {"PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin",
           "PYTHONPATH": str(ROOT)}
    with web_app(env=env) as url:
        yield url


def _mine(server: MastodonServer, text: str) -> list[str]:
    return [str(s["id"]) for s in server.statuses() if s["content"] == f"<p>{text}</p>"]


def compose_and_post(page: Any, server: MastodonServer, size: str) -> None:
    text = f"Hello from the Social screen {uuid.uuid4().hex[:8]} 🇩🇪"
    nav(page, "Social")
    wait_text(page, "social-accounts", "Connected: Mastodon", timeout=60)
    type_into(page, "social-text", text)
    wait_text(page, "social-count-mastodon", f"Mastodon: {len(text) - 1} / 500", timeout=30)  # the flag: 1
    wait_text(page, "social-part-mastodon", text, timeout=10)
    screenshot(page, f"social-compose-{size}")
    by_id(page, "social-post").first.click()
    approve = page.locator("[flt-semantics-identifier^='approve-'][flt-semantics-identifier$='-dialog']").first
    approve.wait_for(timeout=60_000)  # the same approval card as every action
    wait_text(page, "approval-summary", text, timeout=10)
    screenshot(page, f"social-approval-{size}")
    assert _mine(server, text) == []  # nothing before the yes
    time.sleep(0.5)
    approve.click()
    wait_text(page, "social-status", "Posted on Mastodon", timeout=60)
    assert len(_mine(server, text)) == 1
    screenshot(page, f"social-posted-{size}")


def test_compose_preview_post_approve_desktop_and_phone(social_app: str, mastodon_server: MastodonServer) -> None:
    with browser_page(social_app, *DESKTOP) as page:
        wait_text(page, "status", "Idle", timeout=90)
        compose_and_post(page, mastodon_server, "1280x800")
    with browser_page(social_app, *PHONE) as page:
        wait_text(page, "status", "Idle", timeout=90)
        compose_and_post(page, mastodon_server, "390x844")
