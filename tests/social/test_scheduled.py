"""Scheduled posts through ``personal-agent ask`` against mastodon-mock and the Bluesky XRPC server: the
approval reads back the text, networks and time; after the yes the post waits in the app's database and
the app's clock (``publish_due``, the alarm-clock source) sends it once at its time; listed and cancelled
by voice; a failed post and one whose sending was cut off are marked and never sent again."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agents.social.hub import SocialHub
from agents.social.scheduled import STALE_AFTER, publish_due, scheduled
from storage.db.engine import Database
from tests.servers.bluesky import BlueskyServer
from tests.servers.mastodon import MastodonServer
from tests.social.test_ask_e2e import add_bluesky, add_mastodon, cli, mine

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _app() -> tuple[Database, SocialHub | None]:
    from app.cli import common

    sv = common.services()
    return sv.db, sv.social


def test_scheduled_post_waits_for_its_time_and_goes_out_once(mastodon_server: MastodonServer) -> None:
    add_mastodon(mastodon_server)
    text = f"Good morning from the schedule {uuid.uuid4().hex[:6]}"
    out = json.loads(cli("ask", "--json", f"post '{text}' to Mastodon tomorrow at 9"))
    assert out["approval"]["action"] == "social.schedule", out
    spoken = out["spoken"]
    assert spoken.startswith("Scheduled tomorrow at 09:00: Post on Mastodon") and f'"{text}"' in spoken
    assert spoken.endswith("Shall I?")
    assert "Scheduled: it goes out on Mastodon tomorrow at 09:00." in cli("ask", "yes")
    assert text in cli("ask", "which posts are scheduled")
    db, hub = _app()
    [post] = scheduled(db)
    assert post.state == "waiting" and post.networks == ["mastodon"]
    assert publish_due(db, hub, post.due_at - timedelta(seconds=1)) == []
    assert mine(mastodon_server, text) == []
    [said] = publish_due(db, hub, post.due_at + timedelta(seconds=5))
    assert said.kind == "social" and f'Your scheduled post "{text}" went out on Mastodon.' == said.text
    assert publish_due(db, hub, post.due_at + timedelta(minutes=5)) == []
    assert len(mine(mastodon_server, text)) == 1
    [done] = scheduled(db, include_done=True)
    assert done.state == "sent" and done.result.startswith("mastodon: posted ")
    assert "No posts are scheduled." in cli("ask", "which posts are scheduled")
    assert "Shall I?" in cli("ask", "post to Mastodon tomorrow at 9: never scheduled")
    cli("ask", "no")  # a no keeps nothing
    assert scheduled(db) == []
    out = json.loads(cli("ask", "--json", "post 'too late' to Mastodon today at 0:01"))
    assert out["approval"] is None and "has already passed: nothing was scheduled." in out["spoken"]
    now_text = f"lunch at 12 was great {uuid.uuid4().hex[:4]}"  # a time inside the quoted text: posted now
    now = json.loads(cli("ask", "--json", f"post '{now_text}' to Mastodon"))
    assert now["approval"]["action"] == "social.publish"
    cli("ask", "no")


def test_german_schedule_to_both_networks_and_cancel(mastodon_server: MastodonServer,
                                                      bluesky_server: BlueskyServer) -> None:
    add_mastodon(mastodon_server)
    add_bluesky(bluesky_server)
    text = f"Guten Morgen {uuid.uuid4().hex[:6]}"
    out = json.loads(cli("ask", "--json", f"poste das morgen um 9 auf Mastodon und Bluesky: {text}"))
    assert out["language"] == "de" and out["approval"]["action"] == "social.schedule", out
    assert out["spoken"].startswith("Geplant morgen um 09:00 Uhr: Beitrag auf Mastodon und Bluesky")
    assert f"„{text}“" in out["spoken"]
    assert "Geplant: er erscheint morgen um 09:00 Uhr auf Mastodon und Bluesky." in cli("ask", "ja")
    listed = json.loads(cli("ask", "--json", "welche beiträge sind geplant"))
    assert listed["intent"] == "SocialScheduled" and text in listed["spoken"]
    asked = json.loads(cli("ask", "--json", "lösche meine geplanten beiträge"))
    assert asked["intent"] == "SocialCancelScheduled" and asked["approval"] and text in asked["spoken"]
    assert "1 geplanter Beitrag gestrichen." in cli("ask", "ja")
    db, hub = _app()
    assert publish_due(db, hub, datetime.now(UTC) + timedelta(days=2)) == []
    assert mine(mastodon_server, text) == []
    assert not [r for r in bluesky_server.posts_of("me.example.com") if r.value["text"] == text]


def test_a_failed_or_cut_off_post_is_marked_and_never_sent_again(mastodon_server: MastodonServer) -> None:
    from sqlalchemy import update

    from agents.social.db import SocialScheduledPost
    from agents.social.hub import make_draft
    from agents.social.scheduled import schedule

    add_mastodon(mastodon_server)
    db, hub = _app()
    at = datetime.now(UTC) + timedelta(days=1)
    texts = [f"refused {uuid.uuid4().hex[:6]}", f"sent {uuid.uuid4().hex[:6]}", f"cut off {uuid.uuid4().hex[:6]}"]
    for i, t in enumerate(texts):
        schedule(db, make_draft(t, ["mastodon"]), at + timedelta(hours=i), f"Post: {t}", "en")
    first, second, cut = scheduled(db)
    mastodon_server.fault("/api/v1/statuses", {"type": "status", "status": 422}, count=1)
    try:
        [refused] = publish_due(db, hub, first.due_at + timedelta(seconds=1))
    finally:
        mastodon_server.clear_faults()
    assert "was not posted on Mastodon" in refused.text and "will not be tried again" in refused.text
    [sent] = publish_due(db, hub, second.due_at + timedelta(seconds=1))
    assert "went out on Mastodon" in sent.text
    with db.session() as s:  # a process was killed after its claim
        s.execute(update(SocialScheduledPost).where(SocialScheduledPost.id == cut.id)
                  .values(state="sending", claimed_at=cut.due_at))
    assert publish_due(db, hub, cut.due_at + STALE_AFTER / 2) == []  # maybe still being sent
    [told] = publish_due(db, hub, cut.due_at + STALE_AFTER + timedelta(seconds=1))
    assert "may or may not have gone out" in told.text and "will not send it again" in told.text
    assert publish_due(db, hub, cut.due_at + 2 * STALE_AFTER) == []
    states = {p.text: p.state for p in scheduled(db, include_done=True)}
    assert states == {texts[0]: "failed", texts[1]: "sent", texts[2]: "unclear"}
    assert mine(mastodon_server, texts[0]) == [] and mine(mastodon_server, texts[2]) == []
    assert len(mine(mastodon_server, texts[1])) == 1


@pytest.mark.parametrize(("request_text", "scheduled_for"), [
    ("Poste auf Mastodon: Heute gibt es Kuchen im Büro", None),  # a time right after the colon is the text's
    ("post on Mastodon: tomorrow I'll be at the fair", None),
    ("post to Mastodon tomorrow at 9: hello", "2026-03-05 09:00"),
    ("poste morgen um 8 auf Mastodon: Guten Morgen", "2026-03-05 08:00"),
])
def test_a_time_after_the_colon_belongs_to_the_text(request_text: str, scheduled_for: str | None) -> None:
    from agents.social.schedule_intents import due_time, scheduled_time

    now = datetime(2026, 3, 4, 11, 20, tzinfo=UTC)
    found = scheduled_time(request_text, now)
    assert (f"{due_time(found[0]):%Y-%m-%d %H:%M}" if found else None) == scheduled_for
