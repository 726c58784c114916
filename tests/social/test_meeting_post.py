"""Cross-domain: "post a summary of today's meeting" through ``personal-agent ask`` against mastodon-mock:
the meeting's notes summary (stored by the meetings domain) is drafted, shown whole and posted once after
the yes; without a summarised meeting of today nothing is drafted."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agents.meetings.models import MeetingNotes
from agents.meetings.store import MeetingStore
from tests.servers.mastodon import MastodonServer
from tests.social.test_ask_e2e import add_mastodon, cli, mine

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_post_a_summary_of_todays_meeting(mastodon_server: MastodonServer) -> None:
    from app.cli import common

    add_mastodon(mastodon_server)
    none = json.loads(cli("ask", "--json", "post a summary of today's meeting to Mastodon"))
    assert none["approval"] is None and "No meeting of today has a summary yet" in none["spoken"]
    store = MeetingStore(common.services().db)
    old = store.create("m-old", "Last week's planning", "mic", 1, "local", "meetings/m-old", "1",
                       started_at=datetime.now(UTC) - timedelta(days=7))
    store.update(old.id, state="done", notes=MeetingNotes(summary="Old news."))
    marker = uuid.uuid4().hex[:6]
    summary = f"We agreed to ship the beta on Friday. Anna tests the installer {marker}."
    store.create("m-today", "Team sync", "mic", 1, "local", "meetings/m-today", "1")
    store.update("m-today", state="done", notes=MeetingNotes(summary=summary))
    out = json.loads(cli("ask", "--json", "post a summary of today's meeting to Mastodon"))
    assert out["approval"]["action"] == "social.publish", out
    assert f'"Team sync: {summary}"' in out["spoken"] and "Old news" not in out["spoken"]
    assert mine(mastodon_server, f"Team sync: {summary}") == []
    assert "Posted on Mastodon." in cli("ask", "yes")
    assert len(mine(mastodon_server, f"Team sync: {summary}")) == 1
