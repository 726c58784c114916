"""The browser part of the sign-in in real Chromium (Playwright): the local authorization server's login page,
its consent page, and the redirect to the app's loopback listener, which answers the browser and hands the
code over; the tokens that come out work (introspection says active)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agents.communication.oauth import OAuthClient, OAuthFailure, sign_in_browser
from tests.e2e.browser import CHROMIUM_ARGS, chromium_path
from tests.servers.oauth import OAuthServer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _chromium_user(browser: Any, username: str, password: str, decision: str, seen: dict[str, Any]) -> Any:
    """``open_browser`` for sign_in_browser: a user who signs in and answers the consent page in Chromium."""

    def open_browser(url: str) -> None:
        context = browser.new_context()  # a fresh profile: no cookies of an earlier sign-in
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(url)
            seen["login_title"] = page.title()
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("button", name="Allow").wait_for()
            seen["consent"] = page.inner_text("body")
            page.get_by_role("button", name="Allow" if decision == "allow" else "Deny").click()
            page.wait_for_url("http://127.0.0.1:*/callback?*")
            page.wait_for_selector("h1")
            seen["final_url"] = page.url
            seen["final_text"] = page.inner_text("h1")
        finally:
            context.close()

    return open_browser


@pytest.fixture
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def test_chromium_signs_in_through_login_consent_and_loopback(oauth_server: OAuthServer, chromium: Any) -> None:
    password = oauth_server.add_user("chris@example.test")
    client = OAuthClient.for_provider("microsoft", "mail", oauth_server.add_client(), issuer=oauth_server.issuer,
                                      timeout_s=20)
    seen: dict[str, Any] = {}
    tokens = sign_in_browser(client, _chromium_user(chromium, "chris@example.test", password, "allow", seen),
                             timeout_s=120)
    assert seen["login_title"] == "Sign in"
    assert "IMAP.AccessAsUser.All" in seen["consent"] and "SMTP.Send" in seen["consent"]
    assert seen["final_url"].startswith("http://127.0.0.1:") and "/callback?code=" in seen["final_url"]
    assert seen["final_text"] == "Signed in: you can close this window."
    assert tokens.refresh_token and oauth_server.active(tokens.access_token) is not None

    denied: dict[str, Any] = {}
    with pytest.raises(OAuthFailure, match="access_denied"):
        sign_in_browser(client, _chromium_user(chromium, "chris@example.test", password, "deny", denied),
                        timeout_s=120)
    assert denied["final_text"] == "The sign-in did not complete: you can close this window."
