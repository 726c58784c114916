"""Issue 23, online calls in the browser: a call in another tab recorded with the meeting. A headed
Chromium on Xvfb (headless Chromium shares a tab's sound as silence) with its fake microphone playing the
TIMIT sentence in a loop (the user) and a second tab playing JFK (the far side of the call), as
tests/meetings/test_call_capture.py does for the desktop. The user ticks "Record a call in another tab
too" and starts; the browser's picker takes the call's tab (the ``--auto-select-tab-capture-source-by-title``
switch chooses it as a user would, tab audio included). The meeting has two channels and the two sides
never mix: TIMIT's words only under Speaker 1 (the microphone), JFK's only under the far side's speakers.

(The roles are not swapped on purpose: a far side that is one 2.9 s recording played over and over came
out as two speakers, its two halves: exact repeats make each half's voice vectors alike only to
themselves. The user's channel keeps one voice unless clearly two, so the loop belongs there.)"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import (
    DESKTOP,
    click,
    fake_mic_file,
    mic_args,
    nav,
    screenshot,
    texts,
    type_into,
    wait_text,
)
from tests.servers.base import unavailable
from tests.servers.xvfb import Xvfb

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def call_tab(shared_audio: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A page that plays the far side's voice in a loop, as a call's tab does: (its URL, its title)."""
    site = tmp_path / "call"
    site.mkdir()
    fake_mic_file(shared_audio / "jfk.flac", site / "voice.wav", lead_s=0.5, tail_s=4.0)
    title = f"Call-{uuid.uuid4().hex[:8]}"
    (site / "index.html").write_text(f'<!doctype html><html><head><title>{title}</title></head><body>'
                                     '<audio id="voice" src="voice.wav" autoplay loop></audio></body></html>')
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html", title
    finally:
        server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _by_speaker(lines: list[str]) -> dict[str, str]:
    """'[00:05] Speaker 1: text' lines: each speaker's words."""
    out: dict[str, str] = {}
    for line in lines:
        speaker, _, text = line.split("] ", 1)[1].partition(": ")
        out[speaker] = f"{out.get(speaker, '')} {text.lower()}"
    return out


def test_a_call_in_another_tab_is_recorded_as_its_own_speaker(app_env: dict[str, str], shared_audio: Path,
                                                             call_tab: tuple[str, str], tmp_path: Path) -> None:
    if shutil.which("Xvfb") is None:
        unavailable("install the Debian package xvfb (scripts/apt-packages.txt)")
    call_url, title = call_tab
    mic = fake_mic_file(shared_audio / "timit_ldc93s1.wav", tmp_path / "mic.wav", tail_s=1.0)
    screen = Xvfb().start()
    try:
        args = [*mic_args(mic), f"--auto-select-tab-capture-source-by-title={title}"]
        with web_app(env=app_env) as url, browser_page(url, *DESKTOP, extra_args=args, display=screen.display) as page:
            call = page.context.new_page()
            call.goto(call_url)
            call.wait_for_function("document.getElementById('voice').currentTime > 0.5", timeout=30_000)
            page.bring_to_front()
            wait_text(page, "status", "")  # the page is up (the models may still load)
            nav(page, "Meetings")
            type_into(page, "meeting-title", "Call with Lena")
            click(page, "meeting-call-audio")
            click(page, "meeting-start")
            wait_text(page, "meeting-state", "Recording", timeout=120, exact=True)  # audio flows now
            shared = page.evaluate("() => window.__callAudio")
            assert shared["tab"] == "shared", shared  # the picker gave the call's tab with its sound
            time.sleep(15)
            screenshot(page, "meeting-call-recording-1280x800")
            click(page, "meeting-stop")
            wait_text(page, "meeting-state", "Finished", timeout=180)
            lines = texts(page, "meeting-line")
            assert page.evaluate("() => window.__callAudio.tab") == "none"  # the sharing ended with the recording
            screenshot(page, "meeting-call-done-1280x800")
    finally:
        screen.stop()
    words = _by_speaker(lines)
    print(words)
    # the channels decide the sides: Speaker 1 is the microphone, every other speaker the tab. How many speakers
    # the far side's one voice becomes is the channel diarizer's (tests/meetings/test_call_capture.py): in one of
    # three runs the looped JFK came out as Speakers 2, 3 and 4, so it is not asserted here
    assert "Speaker 1" in words and len(words) >= 2, lines
    user = words["Speaker 1"]
    far = " ".join(text for speaker, text in words.items() if speaker != "Speaker 1")
    assert "suit" in user or "greasy" in user or "wash" in user, lines  # TIMIT, from the microphone
    assert "country" in far or "ask not" in far, lines  # JFK, from the call's tab
    assert "country" not in user and "fellow" not in user, lines  # the sides never mix
    assert not any(w in far for w in ("greasy", "suit", "wash water")), lines
