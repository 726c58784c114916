"""The account form's rules for Mastodon and Bluesky (app/engine/account_rules.py): what each needs, in
plain words by field, and the record it makes."""

from __future__ import annotations

import pytest

from app.engine.account_rules import draft_from_form

pytestmark = pytest.mark.unit


def _form(**kw: str) -> dict[str, str]:
    base = {"name": "", "user": "", "secret": "", "url": "", "host": "", "port": "", "smtp_host": "", "smtp_port": "",
            "address": "", "preset": "", "phone_number_id": ""}
    return {**base, **kw}


def test_mastodon_needs_its_server_and_token() -> None:
    draft, problems = draft_from_form("mastodon", _form(name="mast"))
    assert draft is None and "Mastodon server" in problems["url"] and "access token" in problems["secret"]
    bad, problems = draft_from_form("mastodon", _form(name="mast", url="mastodon.social", secret="t"))
    assert bad is None and "https://" in problems["url"]
    ok, problems = draft_from_form("mastodon", _form(name="mast", url="https://mastodon.social", secret="t"))
    assert problems == {} and ok is not None and ok.options == {"base_url": "https://mastodon.social"}


def test_bluesky_needs_a_handle_and_an_app_password() -> None:
    draft, problems = draft_from_form("bluesky", _form(name="sky"))
    assert draft is None and "handle" in problems["user"] and "app password" in problems["secret"]
    ok, problems = draft_from_form("bluesky", _form(name="sky", user="me.bsky.social", secret="abcd-efgh"))
    assert problems == {} and ok is not None and ok.username == "me.bsky.social" and ok.options == {}
