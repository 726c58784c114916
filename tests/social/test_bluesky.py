"""Bluesky through the unmodified ``atproto`` client against the local XRPC server: session create,
refresh and reuse, posts validated against the lexicon models, facets for links and mentions, threads,
replies, notifications, delete, and one post only after a lost answer (record keys fixed per draft)."""

from __future__ import annotations

import uuid

import pytest

from agents.deps import ServiceError
from agents.social.bluesky_client import BlueskyClient, tid
from agents.social.config import BlueskyConfig
from agents.social.hub import make_draft
from tests.servers.bluesky import BlueskyServer

pytestmark = pytest.mark.integration


def test_tid_shape() -> None:
    t = tid(1_700_000_000_000_000, 5)
    assert len(t) == 13 and t[0] in "234567abcdefghij" and tid(1_700_000_000_000_001, 5) > t


def test_login_bad_password_and_session_reuse(bluesky_server: BlueskyServer) -> None:
    me = bluesky_server.user("me.example.com")
    bad = BlueskyClient(BlueskyConfig(base_url=bluesky_server.base_url, handle=me.handle), "wrong-pass-77")
    with pytest.raises(ServiceError, match="refused") as err:
        bad.check_login()
    assert "wrong-pass-77" not in str(err.value)
    saved: list[str] = []
    first = BlueskyClient(BlueskyConfig(base_url=bluesky_server.base_url, handle=me.handle), me.password,
                          save_session=saved.append)
    assert me.did in first.check_login() and saved
    bluesky_server.calls.clear()
    again = BlueskyClient(BlueskyConfig(base_url=bluesky_server.base_url, handle=me.handle), "not-needed",
                          load_session=lambda: saved[-1])
    assert again.own_posts(1) is not None
    assert "POST com.atproto.server.createSession" not in bluesky_server.calls  # the stored session was used


def test_expiring_session_is_refreshed_and_stored(bluesky_server: BlueskyServer) -> None:
    me = bluesky_server.user("me.example.com")
    bluesky_server.access_ttl_s = 60  # inside the client's 15-minute refresh window
    try:
        saved: list[str] = []
        c = BlueskyClient(BlueskyConfig(base_url=bluesky_server.base_url, handle=me.handle), me.password,
                          save_session=saved.append)
        c.login()
        bluesky_server.calls.clear()
        c.timeline()
        assert bluesky_server.calls[0] == "POST com.atproto.server.refreshSession" and len(saved) == 2
    finally:
        bluesky_server.access_ttl_s = 7200


def test_post_with_link_and_mention_facets(bluesky: BlueskyClient, bluesky_server: BlueskyServer) -> None:
    marker = uuid.uuid4().hex[:8]
    text = f"Thanks @bob.example.com, slides at https://example.org/talk?id=1 ✨ {marker}"
    d = make_draft(text, ["bluesky"], language="en")
    res = bluesky.publish(d, d.parts["bluesky"])
    assert res.ok, res.error
    rec = bluesky_server.records[res.ids[0]].value
    facets = {f["features"][0]["$type"].rsplit("#", 1)[1]: f for f in rec["facets"]}
    raw = rec["text"].encode()
    link = facets["link"]["index"]
    assert raw[link["byteStart"]:link["byteEnd"]].decode() == "https://example.org/talk?id=1"
    assert facets["link"]["features"][0]["uri"] == "https://example.org/talk?id=1"
    mention = facets["mention"]["index"]
    assert raw[mention["byteStart"]:mention["byteEnd"]].decode() == "@bob.example.com"
    assert facets["mention"]["features"][0]["did"] == bluesky_server.user("bob.example.com").did
    assert rec["langs"] == ["en"]
    notes = [n for n in bluesky_server.notifications if n["uri"] == res.ids[0]]
    assert [n["reason"] for n in notes] == ["mention"]


def test_thread_of_300_graphemes_and_reply_refs(bluesky: BlueskyClient, bluesky_server: BlueskyServer) -> None:
    marker = uuid.uuid4().hex[:8]
    text = " ".join(f"Point {i}: the plan for {marker} holds up well." for i in range(14))
    d = make_draft(text, ["bluesky"])
    parts = d.parts["bluesky"]
    assert len(parts) >= 2 and parts[-1].endswith(f"({len(parts)}/{len(parts)})")
    res = bluesky.publish(d, parts)
    assert res.ok, res.error
    first, second = (bluesky_server.records[u].value for u in res.ids[:2])
    assert "reply" not in first
    assert second["reply"]["root"]["uri"] == res.ids[0] and second["reply"]["parent"]["uri"] == res.ids[0]


def test_server_rejects_a_post_over_300_graphemes(bluesky: BlueskyClient) -> None:
    d = make_draft("x", ["bluesky"])
    res = bluesky.publish(d, ["y" * 301])  # parts not split: the lexicon's limit answers
    assert not res.ok and "300 graphemes" in res.error and not res.ambiguous


def test_mentions_timeline_reply_delete(bluesky: BlueskyClient, bluesky_server: BlueskyServer) -> None:
    marker = uuid.uuid4().hex[:8]
    asked = bluesky_server.post_as("bob.example.com", f"@me.example.com lunch tomorrow? {marker}",
                                   mention="me.example.com")
    notes = [n for n in bluesky.mentions() if n.post and marker in n.post.text]
    assert len(notes) == 1 and notes[0].author == "Bob Baker" and notes[0].kind == "mention"
    assert any(marker in p.text for p in bluesky.timeline())
    d = make_draft(f"Sure {marker}", ["bluesky"], reply_to={"bluesky": asked.uri})
    res = bluesky.publish(d, d.parts["bluesky"])
    assert res.ok, res.error
    rec = bluesky_server.records[res.ids[0]].value
    ref = {"$type": "com.atproto.repo.strongRef", "uri": asked.uri, "cid": asked.cid}
    assert rec["reply"]["parent"] == ref and rec["reply"]["root"] == ref
    assert bluesky.own_posts(1)[0].id == res.ids[0]
    bluesky.delete(res.ids[0])
    assert res.ids[0] not in bluesky_server.records


def test_lost_answer_and_rate_limit_post_once(bluesky: BlueskyClient, bluesky_server: BlueskyServer) -> None:
    waited: list[float] = []
    bluesky._sleep = waited.append
    bluesky_server.fail_next[:] = ["rate_limit", "stored_then_500"]  # the third try: "already exists"
    marker = uuid.uuid4().hex[:8]
    d = make_draft(f"once only {marker}", ["bluesky"])
    res = bluesky.publish(d, d.parts["bluesky"])
    assert res.ok, res.error
    assert waited[0] == 1.0
    assert [r.uri for r in bluesky_server.posts_of("me.example.com") if marker in r.value["text"]] == res.ids


def test_persistent_failure_is_ambiguous(bluesky: BlueskyClient, bluesky_server: BlueskyServer) -> None:
    bluesky_server.fail_next[:] = ["unavailable"] * 3
    d = make_draft(f"maybe {uuid.uuid4().hex[:8]}", ["bluesky"])
    res = bluesky.publish(d, d.parts["bluesky"])
    assert not res.ok and res.ambiguous
