"""Mastodon's OAuth login from the CLI (``accounts add NAME --kind mastodon --server URL`` without a token)
against mastodon-mock, which serves ``/api/v1/apps``, ``/oauth/authorize`` (an account picker that shows the
code for the out-of-band redirect) and ``/oauth/token``: the app is registered, the browser (here a small
HTTP client that picks the account like a user) is opened on the authorize address, the code it shows is
typed in, the token lands in the keyring and works; a wrong code or a bad address stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.servers.mastodon import MastodonServer, authorize_in_browser

pytestmark = [pytest.mark.integration]


def cli(*args: str, code: int = 0) -> str:
    from app.cli.main import cli as app

    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    return res.output


class Browser:
    """What the user does in the browser: open the address, allow access as ``me``, read the code."""

    def __init__(self, user: str = "me") -> None:
        self.user = user
        self.opened: list[str] = []
        self.codes: list[str] = []

    def open(self, url: str, *args: object, **kw: object) -> bool:
        self.opened.append(url)
        self.codes.append(authorize_in_browser(url, self.user))
        return True

    def typed(self, *args: object, **kw: object) -> str:
        return self.codes.pop() if self.codes else ""


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, pa_home: Path) -> Browser:
    import typer

    b = Browser()
    monkeypatch.setenv("BROWSER", "test-browser")  # not headless: the address is opened
    monkeypatch.setattr("webbrowser.open", b.open)
    monkeypatch.setattr(typer, "prompt", b.typed)  # the user types the code the browser showed
    return b


def test_sign_in_registers_the_app_and_keeps_only_the_token(browser: Browser, mastodon_server: MastodonServer,
                                                            pa_home: Path) -> None:
    out = cli("accounts", "add", "mast", "--kind", "mastodon", "--server", mastodon_server.base_url)
    assert "signed in: added mastodon account 'mast'" in out
    (url,) = browser.opened
    assert url.startswith(f"{mastodon_server.base_url}/oauth/authorize?") and url in out
    assert "client_id=" in url and "client_secret" not in url and "scope=read+write" in url
    assert cli("accounts", "test", "mast").startswith("ok: Mastodon login ok: @me")
    from app.accounts import AccountOut
    from app.cli.common import services

    sv = services()
    (acc,) = [a for a in sv.accounts.list() if a.name == "mast"]
    token = sv.accounts.secret(AccountOut.model_validate(acc))
    assert token and token not in out and acc.options["base_url"] == mastodon_server.base_url
    for f in pa_home.rglob("*"):
        if f.is_file() and f.name != "keyring.cfg":
            assert token.encode() not in f.read_bytes(), f


def test_a_wrong_code_or_a_bad_address_stores_nothing(browser: Browser, mastodon_server: MastodonServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    monkeypatch.setattr(typer, "prompt", lambda *a, **k: "mockcode_nobody")
    out = cli("accounts", "add", "wrong", "--kind", "mastodon", "--server", mastodon_server.base_url, code=1)
    assert out.strip().splitlines()[-1] == ("not signed in: the Mastodon server did not accept the authorization "
                                            "code (copy it again, whole, or start the sign-in again)")
    assert "mockcode_nobody" not in out
    out = cli("accounts", "add", "plain", "--kind", "mastodon", "--server", "http://mastodon.example.org", code=2)
    assert "must start with https://" in out
    out = cli("accounts", "add", "gone", "--kind", "mastodon", "--server", "http://127.0.0.1:9", code=1)
    assert out.startswith("not signed in: cannot reach the Mastodon server")
    out = cli("accounts", "add", "nowhere", "--kind", "mastodon", code=2)
    assert "server address" in out
    listed = cli("accounts", "list")
    assert not any(n in listed for n in ("wrong", "plain", "gone", "nowhere"))
