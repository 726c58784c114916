"""Scheduled posts on a real `personal-agent serve` process with a Mastodon account (mastodon-mock): a post
parked over the API waits for approve, then in the user's database; the server is killed with SIGKILL
before its time and started again, and the post exists on the server exactly once afterwards. Listing and
cancelling over the API; bad input is a 4xx."""

from __future__ import annotations

import signal
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.server.live import as_home, start_server, stop_server
from tests.servers.mastodon import MastodonServer

pytestmark = [pytest.mark.integration]
ENV = {"PA_SERVER__ALARM_SWEEP_S": "0.5", "PA_TIMEZONE": "Europe/Berlin"}


def _mine(server: MastodonServer, text: str) -> list[str]:
    return [str(s["id"]) for s in server.statuses() if f"<p>{text}</p>" == s["content"]]


def test_a_scheduled_post_survives_kill_9_and_goes_out_once(tmp_path: Path, mastodon_server: MastodonServer) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with as_home(home):
        from app.cli.main import cli

        res = CliRunner().invoke(cli, ["accounts", "add", "mast", "--kind", "mastodon", "-o",
                                       f"base_url={mastodon_server.base_url}", "--password-stdin"],
                                 input=mastodon_server.token() + "\n")
        assert res.exit_code == 0, res.output
    server = start_server(home, ENV)
    try:
        c = server.new_client("sched")
        text = f"Survives a kill {uuid.uuid4().hex[:6]}"
        at = datetime.now(UTC) + timedelta(seconds=8)
        base = {"networks": ["mastodon"], "language": "en"}
        # bad input: a past time, a time without its zone, no text, a network without an account
        assert c.post("/api/v1/social/scheduled", json={**base, "text": "x", "at": "2020-01-01T09:00:00+00:00"}
                      ).status_code == 422
        assert c.post("/api/v1/social/scheduled", json={**base, "text": "x", "at": "2030-01-01T09:00:00"}
                      ).status_code == 422
        assert c.post("/api/v1/social/scheduled", json={**base, "text": "", "at": at.isoformat()}).status_code == 422
        assert c.post("/api/v1/social/scheduled", json={"networks": ["bluesky"], "text": "x", "at": at.isoformat()}
                      ).status_code == 409
        later = c.post("/api/v1/social/scheduled", json={**base, "text": f"cancelled {text}",
                                                         "at": (at + timedelta(days=1)).isoformat()})
        r = c.post("/api/v1/social/scheduled", json={**base, "text": text, "at": at.isoformat()})
        assert r.status_code == 201 and later.status_code == 201, r.text
        assert f'"{text}"' in r.json()["summary"] and "Mastodon" in r.json()["summary"]
        assert c.get("/api/v1/social/scheduled").json() == []  # nothing waits before the yes
        for rid in (r.json()["approval_id"], later.json()["approval_id"]):
            assert c.post(f"/api/v1/approvals/{rid}/approve").status_code == 200
        waiting = c.get("/api/v1/social/scheduled").json()
        assert [p["text"] for p in waiting] == [text, f"cancelled {text}"]
        assert c.delete(f"/api/v1/social/scheduled/{waiting[1]['id']}").status_code == 204
        assert c.delete(f"/api/v1/social/scheduled/{waiting[1]['id']}").status_code == 404
        server.proc.send_signal(signal.SIGKILL)  # before its time
        server.proc.wait(10)
    except BaseException:
        stop_server(server)
        raise
    assert _mine(mastodon_server, text) == []
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()))  # its time comes while no server runs
    server = start_server(home, ENV)
    try:
        deadline = time.monotonic() + 90
        while not _mine(mastodon_server, text) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # several more sweeps
        assert len(_mine(mastodon_server, text)) == 1
        c = server.login(c.username)
        done = {p["text"]: p for p in c.get("/api/v1/social/scheduled", params={"done": True}).json()}
        assert done[text]["state"] == "sent" and done[f"cancelled {text}"]["state"] == "cancelled"
        assert _mine(mastodon_server, f"cancelled {text}") == []
    finally:
        stop_server(server)
