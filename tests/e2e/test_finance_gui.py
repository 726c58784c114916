"""The Finance screen in the real web UI (`personal-agent --web`) in headless Chromium, at desktop
(1280x800) and phone (390x844) width, on a seeded ledger: balances, spending bars, budgets,
subscriptions, search. Screenshots go to the artefacts folder (tests/e2e/gui_helpers.py). The phone
client's path (the same screen over the home server's API) is in tests/server/test_finance.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import (
    DESKTOP,
    PHONE,
    ROOT,
    by_id,
    by_prefix,
    nav,
    screenshot,
    type_into,
    wait_text,
)
from tests.finance.seed import seed_ledger

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def finance_app(models_dir: Path, pa_home: Path) -> Iterator[str]:
    from app.cli.common import services

    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text("[domains.finance]\nsync_interval_min = 0\n")  # no bank here: no scheduled sync
    db = services().db
    db.migrate()
    seed_ledger(db)
    # PYTHONPATH: the UI process runs this checkout's code (the shared venv's entry script may point elsewhere)
    env = {"PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin",
           "PYTHONPATH": str(ROOT)}
    with web_app(env=env) as url:
        yield url


def scroll_to(page: Any, ident: str, timeout: float = 30.0) -> None:
    """Scroll the screen (mouse wheel over it) until the control is in the semantics tree and visible."""
    deadline = time.monotonic() + timeout
    page.mouse.move(page.viewport_size["width"] / 2, page.viewport_size["height"] / 2)
    while time.monotonic() < deadline:
        el = by_id(page, ident)
        if el.count() and el.first.is_visible():
            box = el.first.bounding_box()
            if box and box["y"] + box["height"] < page.viewport_size["height"]:
                return
        page.mouse.wheel(0, 300)
        time.sleep(0.3)
    raise AssertionError(f"[{ident}] never scrolled into view")


def check_finance_screen(page: Any, balance: str, size: str, prefix: str = "finance") -> None:
    nav(page, "Finance")
    wait_text(page, "finance-balance", balance, timeout=60)
    wait_text(page, "finance-sync", "", timeout=10)
    by_prefix(page, "finance-spend-").first.wait_for(timeout=30_000)
    screenshot(page, f"{prefix}-{size}")
    scroll_to(page, "finance-subscription")
    assert by_prefix(page, "finance-budget-groceries").count() == 1
    screenshot(page, f"{prefix}-budgets-{size}")
    scroll_to(page, "finance-query")
    type_into(page, "finance-query", "rewe", submit=True)
    wait_text(page, "finance-paging", "of ", timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = by_id(page, "finance-tx").all_inner_texts()
        if rows and all("REWE" in r for r in rows):
            break
        time.sleep(0.3)
    assert rows and all("REWE" in r for r in rows), rows
    scroll_to(page, "finance-paging")
    screenshot(page, f"{prefix}-transactions-{size}")


def test_finance_screen_desktop_and_phone(finance_app: str) -> None:
    with browser_page(finance_app, *DESKTOP) as page:
        wait_text(page, "status", "Idle", timeout=90)
        check_finance_screen(page, "€4,321.09", "1280x800")
    with browser_page(finance_app, *PHONE) as page:
        wait_text(page, "status", "Idle", timeout=90)
        check_finance_screen(page, "€4,321.09", "390x844")
