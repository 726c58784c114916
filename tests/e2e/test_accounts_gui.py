"""Accounts set up without a terminal, in the real web UI on a machine without an OS keyring (and no
master password given to the process): the encrypted password store is created in Settings with a
master password typed twice; a mail account on the real Dovecot + SMTP servers is added, Test shows
ok on its row, a wrong password shows the failure on its row, both are removed; a calendar account
from a provider preset with its URL changed to the real Radicale tests ok; WhatsApp (the local Cloud
API server) and a language model key are added, tested and removed. A second start of the app finds
the store locked and unlocks it with the master password (kept for that session only). Screenshots at
1280x800 and 390x844.

The self-signed certificate of the test servers is trusted the way a system trusts a CA: the app's
process gets it as ``SSL_CERT_FILE`` (no field of the form is about certificates)."""

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
    by_id,
    click,
    field_value,
    nav,
    screenshot,
    type_into,
    wait_text,
)
from tests.servers.dovecot import DovecotServer
from tests.servers.radicale import RadicaleServer
from tests.servers.smtp import SmtpServer
from tests.servers.whatsapp import WhatsAppServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
MASTER = "blue-kettle-harbour-7"


@pytest.fixture(scope="module")
def accounts_env(tmp_path_factory: pytest.TempPathFactory, models_dir: Path,
                 dovecot_server: DovecotServer) -> dict[str, str]:
    home = tmp_path_factory.mktemp("accounts-home")
    return {"PA_HOME": str(home), "PA_KEYRING_PASSWORD": "",
            "SSL_CERT_FILE": str(dovecot_server.cert.cert), "PA_STT__MODEL": str(models_dir / "whisper-base"),
            "PA_TIMEZONE": "Europe/Berlin"}


def _all_text(page: Any) -> str:
    return str(page.evaluate(
        "() => Array.from(document.querySelectorAll('flt-semantics'))"
        ".map(e => (e.getAttribute('aria-label') || '') + ' ' + e.innerText).join(' ')"))


def _wait_words(page: Any, words: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while words not in _all_text(page):
        if time.monotonic() > deadline:
            shot = screenshot(page, "failed-accounts")
            raise AssertionError(f"{words!r} not on screen within {timeout:.0f} s; screenshot {shot}")
        time.sleep(0.3)


def _choose(page: Any, dropdown: str, item: str) -> None:
    click(page, dropdown)
    time.sleep(1.0)  # the menu opens with an animation: a click before it settled can miss the item
    page.get_by_text(item, exact=True).last.click(timeout=15_000)
    time.sleep(0.8)


def _add(page: Any, fields: dict[str, str]) -> None:
    for ident, value in fields.items():
        type_into(page, ident, value)
    click(page, "account-add")
    wait_text(page, "settings-message", "added", timeout=60)


def _test_row(page: Any, kind: str, name: str, expect: str) -> str:
    click(page, f"account-test-{kind}-{name}")
    return wait_text(page, f"account-status-{kind}-{name}", expect, timeout=90)


def _remove(page: Any, kind: str, name: str) -> None:
    click(page, f"account-remove-{kind}-{name}")
    wait_text(page, "settings-message", "removed", timeout=60)
    deadline = time.monotonic() + 30
    while by_id(page, f"account-test-{kind}-{name}").count() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not by_id(page, f"account-test-{kind}-{name}").count()


@pytest.fixture(scope="module")
def accounts_app(accounts_env: dict[str, str]) -> Iterator[str]:
    with web_app(env=accounts_env) as url:
        yield url


def test_accounts_are_set_up_tested_and_removed_in_the_gui(
        accounts_app: str, accounts_env: dict[str, str], dovecot_server: DovecotServer, smtp_server: SmtpServer,
        radicale_server: RadicaleServer, whatsapp_server: WhatsAppServer) -> None:
    mail_user = dovecot_server.add_user("gui")
    cal_user = radicale_server.add_user()
    radicale_server.seed_calendar(cal_user, "personal", [], display_name="Personal")
    with browser_page(accounts_app, *DESKTOP) as page:
        wait_text(page, "status", "")
        nav(page, "Settings")
        wait_text(page, "keyring-status", "no system password store", timeout=60)
        assert "PA_KEYRING_PASSWORD" not in _all_text(page)
        screenshot(page, "accounts-keyring-missing-1280x800")
        # the master password, typed twice; different twice is refused at the field
        type_into(page, "keyring-password", MASTER)
        type_into(page, "keyring-password2", MASTER + "x")
        click(page, "keyring-open")
        _wait_words(page, "The two passwords differ")
        type_into(page, "keyring-password2", MASTER)
        click(page, "keyring-open")
        wait_text(page, "keyring-status", "unlocked for this session", timeout=60)

        # an account with no user, server or password is refused with words at the fields
        type_into(page, "account-name", "dove")
        click(page, "account-add")
        wait_text(page, "settings-message", "not added", timeout=30)
        for words in ("Enter the user name", "Enter the mail server", "Enter the password"):
            _wait_words(page, words)
        screenshot(page, "accounts-refused-1280x800")

        # mail on the real Dovecot (IMAP) and SMTP servers: Test shows ok on its row
        mail = {"account-user": mail_user.name, "account-address": mail_user.address,
                "account-host": "127.0.0.1", "account-port": str(dovecot_server.imaps_port),
                "account-smtp-host": "127.0.0.1", "account-smtp-port": str(smtp_server.ssl_port)}
        _add(page, {"account-name": "dove", **mail, "account-secret": mail_user.password})
        ok = _test_row(page, "mail", "dove", "OK:")
        assert "IMAP" in ok and "SMTP" in ok and "login ok" in ok, ok
        # the same servers with a wrong password: the failure on that row, in words, without the password
        _add(page, {"account-name": "wrong", **mail, "account-secret": "not-the-password-5"})
        failed = _test_row(page, "mail", "wrong", "Failed:")
        assert "refused the login" in failed and "not-the-password-5" not in failed, failed
        assert "OK:" in wait_text(page, "account-status-mail-dove", "OK:")  # the other row keeps its result
        screenshot(page, "accounts-tested-1280x800")
        _remove(page, "mail", "wrong")
        _remove(page, "mail", "dove")

        # a calendar from a preset (GMX fills the URL), the URL then changed to the real Radicale
        _choose(page, "account-kind", "Calendar (CalDAV)")
        by_id(page, "account-url").first.wait_for(timeout=30_000)
        type_into(page, "account-user", cal_user.name)
        _choose(page, "account-preset", "GMX")
        click(page, "account-url")  # a field's <input> holds its value while it has the focus
        deadline = time.monotonic() + 20
        while "caldav.gmx.net" not in field_value(page, "account-url") and time.monotonic() < deadline:
            time.sleep(0.3)
        assert field_value(page, "account-url") == f"https://caldav.gmx.net/begenda/dav/{cal_user.name}/calendar"
        _add(page, {"account-name": "cal", "account-url": radicale_server.url, "account-secret": cal_user.password})
        assert "CalDAV login ok" in _test_row(page, "caldav", "cal", "OK:")

        # WhatsApp (the local Cloud API server) and a language model's API key
        _choose(page, "account-kind", "WhatsApp")
        _add(page, {"account-name": "wa", "account-phone-id": whatsapp_server.phone_number_id,
                    "account-url": whatsapp_server.base_url, "account-secret": whatsapp_server.token})
        assert whatsapp_server.verified_name in _test_row(page, "whatsapp", "wa", "OK:")
        _choose(page, "account-kind", "Language model (API key)")
        _add(page, {"account-name": "openai", "account-secret": "sk-test-key-123"})
        assert "API key stored" in _test_row(page, "llm", "openai", "OK:")
        screenshot(page, "accounts-1280x800")
        _remove(page, "whatsapp", "wa")
        _remove(page, "llm", "openai")
        by_id(page, "account-test-caldav-cal").first.wait_for(timeout=30_000)

    home = Path(accounts_env["PA_HOME"])
    for f in home.rglob("*"):  # no password (nor the master password) in any file the app wrote
        if f.is_file():
            data = f.read_bytes()
            for secret in (MASTER, mail_user.password, cal_user.password, whatsapp_server.token):
                assert secret.encode() not in data, (f, "holds a secret")


def test_a_new_session_unlocks_the_store_with_the_master_password(
        accounts_env: dict[str, str], radicale_server: RadicaleServer) -> None:
    """Run after the test above (same PA_HOME): a new process knows no master password."""
    home = Path(accounts_env["PA_HOME"])
    if not list(home.rglob("keyring.cfg")):
        pytest.skip("needs the store made by the test above")
    with web_app(env=accounts_env) as url, browser_page(url, *PHONE) as page:
        wait_text(page, "status", "")
        nav(page, "Settings")
        wait_text(page, "keyring-status", "Type its master password", timeout=60)
        assert by_id(page, "keyring-password2").count() == 0  # typed once to unlock
        screenshot(page, "accounts-keyring-locked-390x844")
        type_into(page, "keyring-password", "wrong-master-pw")
        click(page, "keyring-open")
        _wait_words(page, "Wrong master password")
        type_into(page, "keyring-password", MASTER)
        click(page, "keyring-open")
        wait_text(page, "keyring-status", "unlocked for this session", timeout=60)
        assert "CalDAV login ok" in _test_row(page, "caldav", "cal", "OK:")
        screenshot(page, "accounts-390x844")
