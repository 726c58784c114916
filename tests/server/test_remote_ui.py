"""The Flet UI end to end with the RemoteEngine: `personal-agent remote pair` + `personal-agent remote ui`
in headless Chromium, talking to the live home server (typed turn, push-to-talk with a file-backed
microphone, an approval carried out on the server's real CalDAV account). Mirrors tests/e2e/test_gui.py,
whose helpers it uses."""

from __future__ import annotations

import json
import re
import time
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.e2e.browser import browser_page, ui_process
from tests.e2e.gui_helpers import (
    DESKTOP,
    by_prefix,
    click,
    fake_mic_file,
    hold,
    mic_args,
    screenshot,
    texts,
    type_into,
    wait_idle_models,
    wait_text,
)
from tests.server.live import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def remote_ui() -> AbstractContextManager[str]:
    return ui_process(lambda port: ["remote", "ui", "--port", str(port)], timeout=90)


def test_flet_ui_with_remote_engine(live_server: LiveServer, shared_audio: Path, tmp_path: Path) -> None:
    from agents.communication.calendar import CalDavCalendarService
    from agents.communication.models import CalendarServerConfig
    from app.cli.main import cli

    desktop = live_server.new_client("family")
    code = desktop.post("/api/v1/pairing/codes").json()["code"]
    res = CliRunner().invoke(cli, ["remote", "pair", live_server.url, code, "--device-name", "browser"])
    assert res.exit_code == 0, res.output
    assert CliRunner().invoke(cli, ["remote", "pair", live_server.url, code]).exit_code == 1  # one-time code

    clip = next(c for c in json.loads((shared_audio / "manifest.json").read_text())["clips"] if c["file"] == "jfk.flac")
    wav = fake_mic_file(shared_audio / "jfk.flac", tmp_path / "mic.wav", lead_s=2.0, tail_s=20.0)
    assert live_server.calendar is not None
    url, user, password = live_server.calendar
    cal = CalDavCalendarService(CalendarServerConfig(url=url, username=user), password)
    title = f"Remote dentist {desktop.username[-4:]}"

    with remote_ui() as app_url, browser_page(app_url, *DESKTOP, extra_args=mic_args(wav)) as page:
        wait_text(page, "status", "Idle", timeout=90)
        type_into(page, "message", "what time is it", submit=True)
        reply = wait_text(page, "assistant-text", "It's")
        assert re.search(r"\d{1,2}:\d{2}", reply), reply
        wait_text(page, "spoken", "Spoken", timeout=60)  # the server's speech, played by the browser
        wait_idle_models(page)
        hold(page, "ptt", 2.0 + clip["seconds"] + 1.0)
        heard = wait_text(page, "you-text", "country", timeout=120)
        assert "americans" in heard.lower()
        wait_text(page, "assistant-text", "offline", timeout=60)
        screenshot(page, "remote-conversation-1280x800")

        type_into(page, "message", f"schedule {title} tomorrow at 10", submit=True)
        by_prefix(page, "approve-").first.wait_for(timeout=60_000)
        approve = [i for i in (by_prefix(page, "approve-").nth(k).get_attribute("flt-semantics-identifier")
                               for k in range(by_prefix(page, "approve-").count())) if i and i.endswith("-dialog")]
        click(page, approve[0])
        wait_text(page, "assistant-text", "Done", timeout=60)
        assert len(texts(page, "assistant-text")) >= 3

    now = datetime.now().astimezone()
    deadline = time.monotonic() + 10
    while not [e for e in cal.events(now, now + timedelta(days=3)) if e.title == title]:
        assert time.monotonic() < deadline, "the approved event is not in the server's calendar"
        time.sleep(0.5)
    # the turns ran as the paired user on the server: the approval is gone from that user's list
    assert desktop.get("/api/v1/approvals").json() == []
    assert "browser" in [d["name"] for d in desktop.get("/api/v1/devices").json()]
