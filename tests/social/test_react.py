"""Boost and like by voice through ``personal-agent ask`` against mastodon-mock and the Bluesky XRPC
server: the post is found and shown, nothing happens before the yes, one boost / like after it, none
after a no."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.servers.bluesky import LIKE, REPOST, BlueskyServer
from tests.servers.mastodon import MastodonServer
from tests.social.test_ask_e2e import add_bluesky, add_mastodon, cli

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_boost_and_like_wait_for_yes(mastodon_server: MastodonServer, bluesky_server: BlueskyServer) -> None:
    add_mastodon(mastodon_server)
    add_bluesky(bluesky_server)
    text = f"Worth sharing {uuid.uuid4().hex[:6]}"
    status = mastodon_server.client("bob").status_post(text)
    out = json.loads(cli("ask", "--json", "boost Bob's last post on Mastodon"))
    assert out["intent"] == "SocialReact" and out["approval"]["action"] == "social.react", out
    assert out["spoken"] == f'Boost Bob Baker\'s post on Mastodon: "{text}". Shall I?'
    bob = mastodon_server.client("bob")
    assert bob.status(status["id"])["reblogs_count"] == 0  # nothing before the yes
    assert "Boosted Bob Baker's post on Mastodon." in cli("ask", "yes")
    assert bob.status(status["id"])["reblogs_count"] == 1
    assert json.loads(cli("ask", "--json", "like Bob's last post on Mastodon"))["approval"]
    assert "Liked Bob Baker's post on Mastodon." in cli("ask", "yes")
    assert bob.status(status["id"])["favourites_count"] == 1
    post = bluesky_server.post_as("carol.example.com", f"Sunny day {uuid.uuid4().hex[:6]}")
    out = json.loads(cli("ask", "--json", "booste den letzten Beitrag von Carol auf Bluesky"))
    assert out["approval"] and out["spoken"].startswith("Den Beitrag von Carol Chen auf Bluesky boosten: „Sunny")
    cli("ask", "nein")
    assert bluesky_server.reactions_on(post.uri, REPOST) == []
    out = json.loads(cli("ask", "--json", "like the last post from Carol on Bluesky"))
    assert out["approval"]["action"] == "social.react" and post.value["text"] in out["spoken"]
    assert "Liked Carol Chen's post on Bluesky." in cli("ask", "yes")
    [like] = bluesky_server.reactions_on(post.uri, LIKE)
    assert like.did == bluesky_server.user("me.example.com").did
    assert bluesky_server.reactions_on(post.uri, REPOST) == []
