"""The GUI end to end: the real web UI (`personal-agent --web`) in headless Chromium, real speech
models, a file-backed microphone (Chromium's fake capture device playing a real recording), a real
CalDAV server for the approvals. Screenshots at 1280x800 and 390x844 go to the artefacts folder."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import (
    DESKTOP,
    PHONE,
    by_id,
    by_prefix,
    click,
    fake_mic_file,
    field_value,
    has_focus,
    hold,
    loading,
    mic_args,
    nav,
    screenshot,
    texts,
    type_into,
    wait_idle_models,
    wait_text,
    wait_visible,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def app_url(app_env: dict[str, str]) -> Iterator[str]:
    with web_app(env=app_env) as url:
        yield url


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def test_conversation_typed_and_push_to_talk(app_url: str, shared_audio: Path, tmp_path: Path) -> None:
    import json

    import jiwer

    clip = next(c for c in json.loads((shared_audio / "manifest.json").read_text())["clips"] if c["file"] == "jfk.flac")
    wav = fake_mic_file(shared_audio / "jfk.flac", tmp_path / "mic.wav", lead_s=2.0, tail_s=20.0)
    with browser_page(app_url, *DESKTOP, extra_args=mic_args(wav)) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        # typed turn: the local answer appears and is spoken (the browser played it to the end)
        type_into(page, "message", "what time is it", submit=True)
        reply = wait_text(page, "assistant-text", "It's")
        assert re.search(r"\d{1,2}:\d{2}", reply), reply
        spoken = wait_text(page, "spoken", "Spoken", timeout=60)
        assert float(re.findall(r"[\d.]+", spoken)[0]) > 0.3
        # push-to-talk: hold the button while the fake microphone plays the 11 s JFK recording
        wait_idle_models(page)
        hold(page, "ptt", 2.0 + clip["seconds"] + 1.0)
        heard = wait_text(page, "you-text", "country", timeout=90)
        wer = jiwer.wer(_norm(clip["reference"]), _norm(heard))
        assert wer < 0.35, (wer, heard)
        wait_text(page, "assistant-text", "offline", timeout=60)  # no LLM: the honest offline answer
        assert len(texts(page, "assistant-text")) >= 2
        deadline = time.monotonic() + 60
        while len(texts(page, "spoken")) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert len(texts(page, "spoken")) >= 2, "the push-to-talk reply was not played"
        screenshot(page, "conversation-1280x800")
    with browser_page(app_url, *PHONE) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        type_into(page, "message", "what's the date today", submit=True)
        wait_text(page, "assistant-text", "today", timeout=60)
        screenshot(page, "conversation-390x844")


def test_hands_free_wake_phrase_in_the_browser(app_env: dict[str, str], shared_audio: Path, tmp_path: Path) -> None:
    """Hands-free on: the fake microphone plays JFK, whose first words are set as the wake phrase; the
    request after them becomes a turn and is answered, without touching the push-to-talk button."""
    wav = fake_mic_file(shared_audio / "jfk.flac", tmp_path / "mic.wav", lead_s=1.0, tail_s=30.0)
    env = {**app_env, "PA_STT__WAKE_PHRASE": "and so my fellow Americans", "PA_STT__LANGUAGE": "en"}
    with web_app(env=env) as url, browser_page(url, *DESKTOP, extra_args=mic_args(wav)) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        wait_idle_models(page)
        switch = by_id(page, "hands-free").first
        switch.wait_for(timeout=30_000)
        label = page.evaluate("e => e.innerText + ' ' + e.outerHTML", switch.element_handle())
        assert "and so my fellow Americans" in label, label  # the wake phrase is shown
        switch.click()
        # JFK pauses after the wake phrase: the request is what follows it ("ask not what your country
        # can do for you": under load the short "ask not" may come out as its own fragment or be missed)
        heard = wait_text(page, "you-text", "country", timeout=120)
        assert not heard.lower().startswith("and so"), heard  # the wake phrase is not part of the request
        wait_text(page, "assistant-text", "offline", timeout=60)  # the request was answered (no LLM)
        screenshot(page, "hands-free-1280x800")


def test_typing_while_the_models_load_keeps_focus_and_text(app_url: str) -> None:
    """A fresh page loads its models in the background and shows a progress line above the turns.
    Typing meanwhile must not lose the focus or a keystroke when that line appears or goes away (it
    did: Flutter web rebuilt the column's semantics, the field's <input> left the DOM, and the rest
    of the message went nowhere)."""
    with browser_page(app_url, *DESKTOP) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        deadline = time.monotonic() + 60
        while not loading(page) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert loading(page), "no model was loading after the page opened (nothing to type through)"
        field = by_id(page, "message").first
        field.click()
        typed = ""
        words = iter(["what", "time", "is", "it", "in", "the", "middle", "of", "loading", "the", "speech", "models"])
        while loading(page) or len(typed) < 20:  # type through the end of loading (the line goes away)
            word = next(words, "again")
            page.keyboard.type(word + " ", delay=40)
            typed += word + " "
            assert time.monotonic() < deadline + 120, "the models never finished loading"
        time.sleep(1.0)  # the last change reaches the browser
        assert has_focus(page, "message"), "the message field lost the keyboard focus"
        assert field_value(page, "message") == typed


def test_phone_tab_then_field_keeps_focus_and_text(app_url: str) -> None:
    """At phone width, with a mouse: click a tab, then a text field, and type. The tab's tooltip (shown
    while the pointer rested on it) went away when the pointer left, Flutter web re-parented the page's
    semantics tree ~0.15-0.35 s after the click, and the rest of the typing went nowhere (the meeting
    search held 'cou' of 'country'). The tabs have no tooltips now."""
    with browser_page(app_url, *PHONE) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        nav(page, "Meetings")
        time.sleep(1.5)  # the pointer rests on the tab
        by_id(page, "meeting-query").first.click()
        page.keyboard.type("country budget", delay=60)  # ~0.9 s: through the moment the tree changed
        time.sleep(0.5)
        assert has_focus(page, "meeting-query"), "the search field lost the keyboard focus"
        assert field_value(page, "meeting-query") == "country budget"


def test_typed_empty_message_is_refused_and_keeps_nothing(app_url: str) -> None:
    with browser_page(app_url, *DESKTOP) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        click(page, "send")
        page.get_by_text("Type something first.", exact=False).first.wait_for(timeout=20_000)
        assert texts(page, "you-text") == []


@pytest.fixture
def calendar_account(radicale_server: object) -> tuple[object, object]:
    from tests.servers.radicale import RadicaleServer

    assert isinstance(radicale_server, RadicaleServer)
    user = radicale_server.add_user()
    radicale_server.seed_calendar(user, "personal", [], display_name="Personal")
    from app.cli.main import cli

    res = CliRunner().invoke(cli, ["accounts", "add", "cal", "--kind", "caldav", "--username", user.name,
                                   "-o", f"url={radicale_server.url}", "--password-stdin"], input=user.password + "\n")
    assert res.exit_code == 0, res.output
    return radicale_server, user


def _calendar_text(server: object, user: object) -> str:
    root = server.root / "collections" / "collection-root" / user.name / "personal"  # type: ignore[attr-defined]
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*.ics"))


def test_approval_approved_runs_and_denied_does_not(calendar_account: tuple[object, object],
                                                   app_env: dict[str, str]) -> None:
    server, user = calendar_account
    with web_app(env=app_env) as url:
        _approve_and_deny(url, server, user)
        with browser_page(url, *PHONE) as page:
            wait_text(page, "status", "")  # the page is up (the models may still load)
            nav(page, "Approvals")
            wait_text(page, "approval-summary", "Team lunch", timeout=30)
            screenshot(page, "approvals-390x844")
    assert "Team lunch" not in _calendar_text(server, user)


def _approve_and_deny(url: str, server: object, user: object) -> None:
    with browser_page(url, *DESKTOP) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        type_into(page, "message", "schedule dentist appointment tomorrow at 10", submit=True)
        by_prefix(page, "approve-").first.wait_for(timeout=60_000)
        dialog_text = page.locator("flt-semantics").all_inner_texts()
        assert any("Dentist" in t for t in dialog_text), dialog_text  # the title: "dentist" (the kind is no title)
        screenshot(page, "approval-dialog-1280x800")
        approve = [i for i in (by_prefix(page, "approve-").nth(k).get_attribute("flt-semantics-identifier")
                               for k in range(by_prefix(page, "approve-").count())) if i and i.endswith("-dialog")]
        click(page, approve[0])
        wait_text(page, "assistant-text", "Done", timeout=60)
        assert re.search(r"^SUMMARY:Dentist\r?$", _calendar_text(server, user), re.M)

        type_into(page, "message", "schedule haircut tomorrow at 15", submit=True)
        by_prefix(page, "deny-").first.wait_for(timeout=60_000)
        deny = [i for i in (by_prefix(page, "deny-").nth(k).get_attribute("flt-semantics-identifier")
                            for k in range(by_prefix(page, "deny-").count())) if i and i.endswith("-dialog")]
        click(page, deny[0])
        wait_text(page, "assistant-text", "won't", timeout=60)
        cal = _calendar_text(server, user)
        assert "Haircut" not in cal and "SUMMARY:Dentist" in cal

        # the approvals screen lists what still waits: leave one pending for the screenshots
        type_into(page, "message", "schedule team lunch tomorrow at 12", submit=True)
        by_prefix(page, "approve-").first.wait_for(timeout=60_000)
        click(page, by_prefix(page, "later-").first.get_attribute("flt-semantics-identifier") or "later")
        time.sleep(0.5)
        tabs = page.evaluate("() => Array.from(document.querySelectorAll('flt-semantics'))"
                             ".map(e => (e.getAttribute('aria-label') || '') + ' ' + e.innerText)"
                             ".filter(t => t.includes('Approvals'))")
        assert any("Approvals (1)" in t for t in tabs), f"the Approvals tab shows no count: {tabs!r}"  # one waits
        nav(page, "Approvals")
        wait_text(page, "approval-summary", "Team lunch", timeout=30)
        screenshot(page, "approvals-1280x800")


def test_meeting_started_and_stopped_shows_transcript(app_env: dict[str, str], shared_audio: Path,
                                                      tmp_path: Path) -> None:
    wav = fake_mic_file(shared_audio / "jfk.flac", tmp_path / "meeting.wav", tail_s=6.0)
    with web_app(env=app_env) as url, browser_page(url, *DESKTOP, extra_args=mic_args(wav)) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        nav(page, "Meetings")
        type_into(page, "meeting-title", "Budget review")
        click(page, "meeting-start")
        wait_text(page, "meeting-state", "Recording", timeout=120, exact=True)  # audio flows now
        time.sleep(12)
        timer = by_id(page, "meeting-timer").first.inner_text()
        assert timer != "00:00", timer
        screenshot(page, "meeting-recording-1280x800")
        click(page, "meeting-stop")
        line = wait_text(page, "meeting-line", "country", timeout=180)
        assert "ask not" in " ".join(texts(page, "meeting-line")).lower() or "country" in line.lower()
        wait_text(page, "meeting-state", "Finished", timeout=60)
        wait_visible(page, "Budget review", name="budget-review")
        screenshot(page, "meeting-done-1280x800")
    # the meeting is stored: a new session at phone width lists it and finds it by a word
    with web_app(env=app_env) as url2, browser_page(url2, *PHONE) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        nav(page, "Meetings")
        wait_visible(page, "Budget review", name="budget-review")
        type_into(page, "meeting-query", "country", submit=True)
        wait_text(page, "meeting-hit", "country", timeout=30)
        screenshot(page, "meetings-390x844")
        # playback from the hit: the page plays the recording (every media element that plays is noted)
        page.evaluate(PLAY_SPY)
        click(page, by_prefix(page, "play-").first.get_attribute("flt-semantics-identifier") or "play-")
        played = _wait_played(page)
        assert played["duration"] > 1.0 and played["currentTime"] > 0.3, played
        # export from the hit: pick a format, the browser downloads the file (no path on the server)
        click(page, by_prefix(page, "export-").first.get_attribute("flt-semantics-identifier") or "export-")
        with page.expect_download(timeout=60_000) as got:
            click(page, "export-srt")
        download = got.value
        content = Path(download.path()).read_text()
        assert download.suggested_filename.endswith(".srt"), download.suggested_filename
        assert "-->" in content and "country" in content.lower(), content[:500]
        wait_visible(page, "Downloaded", name="meeting-export")
        click(page, by_prefix(page, "export-").first.get_attribute("flt-semantics-identifier") or "export-")
        with page.expect_download(timeout=60_000) as got:
            click(page, "export-md")
        content = Path(got.value.path()).read_text()
        assert "Budget review" in content and "country" in content.lower(), content[:500]
        # the meeting opens: its transcript, a speaker given a name everywhere, play from a line
        click(page, by_prefix(page, "open-").first.get_attribute("flt-semantics-identifier") or "open-")
        wait_text(page, "meeting-detail-line", "country", timeout=30)
        screenshot(page, "meeting-view-390x844")
        type_into(page, "speaker-name-0", "John")
        click(page, "speaker-rename-0")
        wait_text(page, "meeting-detail-line", "John: ", timeout=30)
        page.evaluate("() => { window.__played = []; }")
        click(page, "play-line-0")
        assert _wait_played(page)["currentTime"] > 0.3
        click(page, "meeting-back")
        wait_visible(page, "Budget review", name="budget-review-back")


PLAY_SPY = """() => {
  if (window.__played) return;
  window.__played = [];
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (...args) { window.__played.push(this); return play.apply(this, args); };
}"""


def _wait_played(page: object, timeout: float = 30.0) -> dict[str, float]:
    """The first media element the page played, once it has played a little: its duration and position."""
    deadline = time.monotonic() + timeout
    got: dict[str, float] = {}
    while time.monotonic() < deadline:
        got = page.evaluate(  # type: ignore[attr-defined]
            "() => (window.__played || []).map(m => ({duration: m.duration || 0, currentTime: m.currentTime}))[0] || {}")
        if got and got.get("currentTime", 0) > 0.3:
            return got
        time.sleep(0.3)
    raise AssertionError(f"nothing played in the page within {timeout:.0f} s: {got!r}")


def test_settings_add_account_and_bad_input(app_url: str) -> None:
    with browser_page(app_url, *DESKTOP) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        nav(page, "Settings")
        by_id(page, "account-name").first.wait_for(timeout=30_000)
        # bad input: a name with a space is refused, nothing is added
        type_into(page, "account-name", "my mail")
        click(page, "account-add")
        wait_text(page, "settings-message", "not added", timeout=30)
        type_into(page, "account-name", "work")
        type_into(page, "account-user", "me@example.org")
        type_into(page, "account-host", "imap.example.org")
        type_into(page, "account-port", "993")
        type_into(page, "account-smtp-host", "smtp.example.org")
        type_into(page, "account-secret", "s3cret-pass")
        click(page, "account-add")
        wait_text(page, "settings-message", "added", timeout=30)
        by_id(page, "account-test-mail-work").first.wait_for(timeout=30_000)
        screenshot(page, "settings-1280x800")
    with browser_page(app_url, *PHONE) as page:
        wait_text(page, "status", "")  # the page is up (the models may still load)
        nav(page, "Settings")
        by_id(page, "account-test-mail-work").first.wait_for(timeout=30_000)
        screenshot(page, "settings-390x844")
    from app import secrets
    from app.cli import common

    common.reset()
    secrets.reset_backend()
    accounts = common.services().accounts.list()
    assert [(a.kind, a.name, a.has_secret) for a in accounts] == [("mail", "work", True)]
    assert secrets.get_secret("mail", "work") == "s3cret-pass"
