"""The hang watch (tests/e2e/hang_watch.py) on a real Chromium: a page whose script never yields makes
the next query fail with BrowserHung within seconds, instead of waiting for ever."""

from __future__ import annotations

import time

import pytest

from tests.e2e.browser import CHROMIUM_ARGS, chromium_path
from tests.e2e.hang_watch import BrowserHung, browser_processes, watched

pytestmark = [pytest.mark.e2e]


def test_a_page_that_stops_answering_fails_the_call_in_time() -> None:
    from playwright.sync_api import sync_playwright

    with watched(limit=3.0), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content("<button>Finance</button>")
        assert page.get_by_role("button").count() == 1  # a call that returns is not touched
        page.evaluate("setTimeout(() => { for (;;) {} }, 50)")
        time.sleep(0.3)
        started = time.monotonic()
        with pytest.raises(BrowserHung, match=r"did not answer Locator\.count for \d+ s.*renderer \d+ %"):
            page.get_by_role("button").count()
        assert time.monotonic() - started < 30
        assert not browser_processes()  # ended
