"""Clients of the social networks against the real local servers (mastodon-mock, the XRPC stand-in)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.social.bluesky_client import BlueskyClient
from agents.social.config import BlueskyConfig, MastodonConfig
from agents.social.mastodon_client import MastodonClient
from tests.servers.bluesky import BlueskyServer
from tests.servers.mastodon import MastodonServer


@pytest.fixture
def mastodon(mastodon_server: MastodonServer) -> Iterator[MastodonClient]:
    mastodon_server.clear_faults()
    client = MastodonClient(MastodonConfig(base_url=mastodon_server.base_url, max_wait_s=5), mastodon_server.token(),
                            sleep=lambda s: None)
    yield client
    client.close()
    mastodon_server.clear_faults()


@pytest.fixture
def bluesky(bluesky_server: BlueskyServer) -> BlueskyClient:
    bluesky_server.fail_next.clear()
    me = bluesky_server.user("me.example.com")
    return BlueskyClient(BlueskyConfig(base_url=bluesky_server.base_url, handle=me.handle, max_wait_s=5),
                         me.password, sleep=lambda s: None)
