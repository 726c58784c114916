"""Mastodon through Mastodon.py against mastodon-mock on 127.0.0.1: post, CW, visibility, reply, thread,
delete, notifications, and one post only after a 429 (Retry-After) or 5xx (Idempotency-Key)."""

from __future__ import annotations

import uuid

import pytest

from agents.deps import ServiceError
from agents.social.hub import make_draft
from agents.social.mastodon_client import MastodonClient
from agents.social.models import Draft
from tests.servers.mastodon import MastodonServer

pytestmark = pytest.mark.integration


def _mine(server: MastodonServer, marker: str) -> list[dict[str, object]]:
    return [s for s in server.statuses() if marker in str(s["content"])]


def draft(text: str, **kw: object) -> Draft:
    return make_draft(text, ["mastodon"], **kw)  # type: ignore[arg-type]


def test_login_check(mastodon: MastodonClient, mastodon_server: MastodonServer) -> None:
    assert "@me" in mastodon.check_login()
    from agents.social.config import MastodonConfig

    bad = MastodonClient(MastodonConfig(base_url=mastodon_server.base_url), "not-a-token")
    with pytest.raises(ServiceError, match="refused the access token") as err:
        bad.check_login()
    assert "not-a-token" not in str(err.value)


def test_post_with_cw_visibility_language(mastodon: MastodonClient, mastodon_server: MastodonServer) -> None:
    marker = uuid.uuid4().hex[:8]
    d = draft(f"Spoilers for the finale {marker}", visibility="unlisted", cw="TV spoilers", language="de")
    res = mastodon.publish(d, d.parts["mastodon"])
    assert res.ok and len(res.ids) == 1
    [s] = _mine(mastodon_server, marker)
    assert s["spoiler_text"] == "TV spoilers" and s["visibility"] == "unlisted" and s["sensitive"]
    assert s["language"] == "de"


def test_long_text_becomes_a_numbered_thread(mastodon: MastodonClient, mastodon_server: MastodonServer) -> None:
    marker = uuid.uuid4().hex[:8]
    text = " ".join(f"Sentence number {i} of the long post {marker} says a little more." for i in range(20))
    d = draft(text)
    parts = d.parts["mastodon"]
    assert len(parts) == 3 and parts[0].endswith("(1/3)") and parts[2].endswith("(3/3)")
    res = mastodon.publish(d, parts)
    assert res.ok and len(res.ids) == 3
    posted = {str(s["id"]): s for s in _mine(mastodon_server, marker)}
    assert len(posted) == 3
    assert str(posted[res.ids[1]]["in_reply_to_id"]) == res.ids[0]
    assert str(posted[res.ids[2]]["in_reply_to_id"]) == res.ids[1]


def test_mentions_reply_and_delete(mastodon: MastodonClient, mastodon_server: MastodonServer) -> None:
    marker = uuid.uuid4().hex[:8]
    bob = mastodon_server.client("bob")
    asked = bob.status_post(f"@me are you coming tonight? {marker} https://example.org/party")
    notes = [n for n in mastodon.mentions() if n.post and marker in n.post.text]
    assert len(notes) == 1 and notes[0].author == "Bob Baker" and notes[0].kind == "mention"
    d = draft(f"Yes, see you there {marker}", reply_to={"mastodon": str(asked["id"])})
    res = mastodon.publish(d, d.parts["mastodon"])
    assert res.ok
    [mine] = _mine(mastodon_server, f"see you there {marker}")
    assert str(mine["in_reply_to_id"]) == str(asked["id"])
    assert mastodon.own_posts(1)[0].id == res.ids[0]
    mastodon.delete(res.ids[0])
    assert _mine(mastodon_server, f"see you there {marker}") == []
    with pytest.raises(ServiceError, match="not on Mastodon"):
        mastodon.delete(res.ids[0])


def test_rate_limit_waits_retry_after_and_posts_once(mastodon: MastodonClient,
                                                     mastodon_server: MastodonServer) -> None:
    waited: list[float] = []
    mastodon._sleep = waited.append
    mastodon_server.fault("/api/v1/statuses", {"type": "ratelimit", "headers": {"Retry-After": "2"}})
    marker = uuid.uuid4().hex[:8]
    d = draft(f"after the limit {marker}")
    res = mastodon.publish(d, d.parts["mastodon"])
    assert res.ok and waited == [2.0]
    assert len(_mine(mastodon_server, marker)) == 1


def test_rate_limit_too_long_is_refused_not_ambiguous(mastodon: MastodonClient,
                                                      mastodon_server: MastodonServer) -> None:
    mastodon_server.fault("/api/v1/statuses", {"type": "ratelimit", "headers": {"Retry-After": "3600"}})
    marker = uuid.uuid4().hex[:8]
    d = draft(f"too soon {marker}")
    res = mastodon.publish(d, d.parts["mastodon"])
    assert not res.ok and not res.ambiguous and "wait" in res.error
    assert _mine(mastodon_server, marker) == []


def test_server_errors_retry_with_the_same_key_and_post_once(mastodon: MastodonClient,
                                                             mastodon_server: MastodonServer) -> None:
    mastodon_server.fault("/api/v1/statuses", {"type": "status", "status": 503}, count=2)
    marker = uuid.uuid4().hex[:8]
    d = draft(f"through the outage {marker}")
    res = mastodon.publish(d, d.parts["mastodon"])
    assert res.ok
    assert len(_mine(mastodon_server, marker)) == 1
    again = mastodon.publish(d, d.parts["mastodon"])  # the same draft a second time: the same status
    assert again.ids == res.ids and len(_mine(mastodon_server, marker)) == 1


def test_persistent_5xx_is_ambiguous(mastodon: MastodonClient, mastodon_server: MastodonServer) -> None:
    mastodon_server.fault("/api/v1/statuses", {"type": "status", "status": 500}, count=3)
    d = draft(f"never lands {uuid.uuid4().hex[:8]}")
    res = mastodon.publish(d, d.parts["mastodon"])
    assert not res.ok and res.ambiguous and res.ids == []
