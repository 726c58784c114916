"""The accounts port without a browser: the encrypted keyring created and unlocked with a master password
that is kept in memory only, a draft without user, server or password refused in plain words per field,
the provider presets filling the form."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.engine import AccountDraft, EngineError
from app.engine.account_rules import draft_from_form, preset_values

MASTER = "correct-horse-battery"
PLAIN_WORDS_ONLY = ("PA_", "config", "personal-agent", "--", "-o ", "keyring.cfg")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def engine(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from app import secrets
    from app.engine.local import LocalEngine
    from app.services import build_services

    monkeypatch.delenv("PA_KEYRING_PASSWORD")  # a machine without an OS keyring and no password given
    secrets.reset_backend()
    eng = LocalEngine(build_services(), speech_output="off")
    yield eng
    run(eng.close())
    secrets.reset_backend()


def test_the_keyring_is_created_then_unlocked_with_the_master_password_kept_in_memory_only(
        engine: Any, pa_home: Path) -> None:
    from app import secrets
    from app.paths import app_paths

    assert run(engine.keyring()).state == "missing"
    draft = AccountDraft(kind="caldav", name="cal", username="me", secret="calendar-pw-1",
                         options={"url": "https://dav.example.org/"})
    with pytest.raises(EngineError, match="create one with a master password"):
        run(engine.add_account(draft))
    with pytest.raises(EngineError, match="at least 8"):
        run(engine.open_keyring("short", create=True))
    view = run(engine.open_keyring(MASTER, create=True))
    assert (view.state, view.where) == ("ready", "encrypted-file")
    run(engine.add_account(draft))
    assert [a.has_secret for a in run(engine.accounts())] == [True]
    # a new process: locked until the master password is typed; nothing is known without it
    secrets.reset_backend()
    assert run(engine.keyring()).state == "locked"
    assert [a.has_secret for a in run(engine.accounts())] == [None]
    with pytest.raises(EngineError, match=r"^Wrong master password\.$"):
        run(engine.open_keyring("not-the-master-pw"))
    with pytest.raises(EngineError, match="already"):
        run(engine.open_keyring(MASTER, create=True))
    assert run(engine.open_keyring(MASTER)).state == "ready"
    assert secrets.get_secret("caldav", "cal") == "calendar-pw-1"
    for f in pa_home.rglob("*"):  # neither the master password nor the secret is written in clear
        if f.is_file():
            data = f.read_bytes()
            assert MASTER.encode() not in data and b"calendar-pw-1" not in data, f
    assert app_paths().keyring_file.exists()


def test_an_account_without_user_server_or_password_is_refused_in_plain_words(engine: Any) -> None:
    run(engine.open_keyring(MASTER, create=True))
    for draft, words in (
            (AccountDraft(kind="mail", name="m", host="imap.example.org", secret="pw",
                          options={"smtp_host": "smtp.example.org", "address": "a@b.de"}), "user name"),
            (AccountDraft(kind="mail", name="m", username="a@b.de", secret="pw",
                          options={"smtp_host": "smtp.example.org"}), "mail server"),
            (AccountDraft(kind="mail", name="m", username="a@b.de", host="imap.example.org",
                          options={"smtp_host": "smtp.example.org"}), "password"),
            (AccountDraft(kind="caldav", name="c", username="me", secret="pw"), "calendar address")):
        with pytest.raises(EngineError, match=words) as err:
            run(engine.add_account(draft))
        assert not any(w in str(err.value) for w in PLAIN_WORDS_ONLY), err.value
    assert run(engine.accounts()) == []


def test_the_form_marks_each_missing_field_and_presets_fill_the_servers() -> None:
    draft, problems = draft_from_form("mail", {"name": "my mail", "port": "99999"})
    assert draft is None
    assert set(problems) == {"name", "user", "host", "smtp_host", "address", "secret", "port"}
    assert not any(w in " ".join(problems.values()) for w in PLAIN_WORDS_ONLY), problems
    gmx = preset_values("gmx", "mail")
    assert gmx == {"host": "imap.gmx.net", "port": "993", "smtp_host": "mail.gmx.net", "smtp_port": "587"}
    draft, problems = draft_from_form("mail", {"name": "gmx", "user": "me@gmx.de", "secret": "pw ",
                                               "preset": "gmx", **gmx})
    assert problems == {} and draft is not None
    assert (draft.host, draft.port, draft.secret) == ("imap.gmx.net", 993, "pw ")
    assert draft.options == {"security": "ssl", "smtp_host": "mail.gmx.net", "smtp_port": 587,
                             "smtp_security": "starttls", "address": "me@gmx.de", "preset": "gmx"}
    for key in ("gmail", "webde", "icloud"):
        assert preset_values(key, "caldav", "me")["url"].startswith("https://")
    assert preset_values("gmx", "caldav", "me") == {"url": "https://caldav.gmx.net/begenda/dav/me/calendar"}
    draft, problems = draft_from_form("caldav", {"name": "cal", "user": "me", "secret": "pw",
                                                 "url": "caldav.example.org"})
    assert draft is None and problems == {"url": "The calendar address starts with https:// (or http://)."}
