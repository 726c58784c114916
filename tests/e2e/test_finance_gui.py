"""The Finance screen in the real web UI (`personal-agent --web`) in headless Chromium, at desktop
(1280x800) and phone (390x844) width, on a seeded ledger: balances, spending bars, budgets,
subscriptions, search. Screenshots go to the artefacts folder (tests/e2e/gui_helpers.py). The phone
client's path (the same screen over the home server's API) is in tests/server/test_finance.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
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



@pytest.fixture
def bank_app(request: pytest.FixtureRequest, models_dir: Path, pa_home: Path, fints_bank: Any) -> Iterator[str]:
    """The web UI with a connection to the fake bank by the TAN method ``request.param`` (902 photoTAN,
    911 chipTAN optical), the ledger synced from it (Anna Schmidt's IBAN is known from her bookings)."""
    from typer.testing import CliRunner

    from app.cli.main import cli

    cfg = pa_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('[domains.finance]\nfints_product_id = "9FA6681DEC0CF3046BFC2F8A6"\nsync_days = 70\n'
                   "sync_interval_min = 0\n")
    runner = CliRunner()
    res = runner.invoke(cli, ["accounts", "add", "giro", "--kind", "bank", "--password-stdin", "--username",
                              fints_bank.user_id, "-o", f"bank_code={fints_bank.blz}", "-o", f"url={fints_bank.url}",
                              "-o", f"tan_method={request.param}", "-o", f"iban={fints_bank.accounts[0].iban}"],
                        input=fints_bank.pin + "\n")
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["finance", "sync", "--account", "giro"])
    assert res.exit_code == 0, res.output
    env = {"PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin",
           "PYTHONPATH": str(ROOT)}
    with web_app(env=env) as url:
        yield url


@pytest.mark.parametrize(("bank_app", "size", "shown"), [("902", PHONE, "tan-image"), ("911", DESKTOP, "tan-flicker")],
                         indirect=["bank_app"], ids=["photoTAN-phone", "chipTAN-optical-desktop"])
def test_a_transfer_shows_the_banks_tan_challenge(bank_app: str, fints_bank: Any, size: tuple[int, int],
                                                  shown: str) -> None:
    """Issue 19: the bank's photoTAN image (phone width) or chipTAN flicker code (desktop) is shown under
    the reply that asks for the TAN; the TAN typed into the card executes the transfer, once."""
    with browser_page(bank_app, *size) as page:
        wait_text(page, "status", "Idle", timeout=90)
        type_into(page, "message", "transfer 50 euros to Anna for the concert tickets", submit=True)
        approve = page.locator("[flt-semantics-identifier^='approve-'][flt-semantics-identifier$='-dialog']").first
        approve.wait_for(timeout=60_000)  # the approval card opens over the conversation
        time.sleep(0.5)
        approve.click()
        wait_text(page, "assistant-text", "asks for a TAN", timeout=60)
        el = by_id(page, shown).first
        el.wait_for(timeout=30_000)
        screenshot(page, f"{shown}-{size[0]}x{size[1]}")
        if shown == "tan-flicker":  # the bars change: the code is played, not a still picture
            box = el.bounding_box()
            assert box is not None
            shots = set()
            until = time.monotonic() + 8.0  # a busy machine renders few frames: look for a change for up to 8 s
            while len(shots) < 2 and time.monotonic() < until:
                shots.add(page.screenshot(clip=box))
                time.sleep(0.07)
            assert len(shots) > 1, "the flicker code does not flicker"
        type_into(page, "tan-field", fints_bank.last_task.tan)
        by_id(page, "tan-send").first.click()
        wait_text(page, "assistant-text", "Done: the bank has executed the transfer", timeout=60)
        time.sleep(0.5)
        assert by_id(page, shown).count() == 0  # the card went with the waiting
    assert [(t.payee, t.amount, t.approved_by) for t in fints_bank.transfers] == [
        ("Anna Schmidt", Decimal("50.00"), "tan")]
