"""Social media over the API, against a real `personal-agent serve` with Mastodon (mastodon-mock) and
Bluesky (the local XRPC server) accounts: mentions and the digest read, a draft is only an approval
(previewed per network with grapheme counts) and posts once after approve; bad input is a 4xx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.engine import EngineError
from tests.server.live import LiveServer, as_home, start_server, stop_server
from tests.servers.bluesky import BlueskyServer
from tests.servers.mastodon import MastodonServer

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def social_server(tmp_path_factory: pytest.TempPathFactory, mastodon_server: MastodonServer,
                  bluesky_server: BlueskyServer) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("social-server")
    me = bluesky_server.user("me.example.com")
    with as_home(home):
        from app.cli.main import cli

        for args, secret in (
                (["accounts", "add", "mast", "--kind", "mastodon", "-o", f"base_url={mastodon_server.base_url}"],
                 mastodon_server.token()),
                (["accounts", "add", "sky", "--kind", "bluesky", "--username", me.handle,
                  "-o", f"base_url={bluesky_server.base_url}"], me.password)):
            res = CliRunner().invoke(cli, [*args, "--password-stdin"], input=secret + "\n")
            assert res.exit_code == 0, res.output
    server = start_server(home)
    yield server
    stop_server(server)


def test_read_mentions_and_digest(social_server: LiveServer, mastodon_server: MastodonServer,
                                  bluesky_server: BlueskyServer) -> None:
    marker = uuid.uuid4().hex[:6]
    mastodon_server.client("bob").status_post(f"@me hello from the API test {marker}")
    bluesky_server.post_as("carol.example.com", f"Digest me {marker}")
    c = social_server.new_client("social")
    assert c.get("/api/v1/social/networks").json() == {"networks": ["mastodon", "bluesky"]}
    got = c.get("/api/v1/social/mentions", params={"network": "mastodon"})
    assert got.status_code == 200 and any(marker in n["post"]["text"] for n in got.json())
    top = c.get("/api/v1/social/digest", params={"network": "bluesky", "top": 3})
    assert top.status_code == 200 and 1 <= len(top.json()) <= 3
    assert c.get("/api/v1/social/digest", params={"network": "myspace"}).status_code == 422
    assert c.get("/api/v1/social/digest", params={"top": 0}).status_code == 422


def test_draft_waits_for_approve_and_posts_once(social_server: LiveServer, mastodon_server: MastodonServer) -> None:
    c = social_server.new_client("social")
    text = f"From the phone {uuid.uuid4().hex[:6]}. " + "A longer sentence follows here. " * 20
    r = c.post("/api/v1/social/drafts", json={"text": text, "networks": ["mastodon", "bluesky"],
                                               "visibility": "unlisted", "language": "en"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert len(out["parts"]["mastodon"]) == 2 and len(out["parts"]["bluesky"]) == 3
    assert all(p["graphemes"] <= 300 for p in out["parts"]["bluesky"])
    assert out["limits"] == {"mastodon": 500, "bluesky": 300}
    marker = text.split(".")[0]
    assert not [s for s in mastodon_server.statuses() if marker in str(s["content"])]
    done = c.post(f"/api/v1/approvals/{out['approval_id']}/approve")
    assert done.status_code == 200, done.text

    def thread() -> list[str]:
        statuses = mastodon_server.statuses()
        first = [str(s["id"]) for s in statuses if marker in str(s["content"])]
        return first + [str(s["id"]) for s in statuses if str(s["in_reply_to_id"]) in first]

    assert len(thread()) == 2
    again = c.post(f"/api/v1/approvals/{out['approval_id']}/approve")
    assert again.status_code == 409
    assert len(thread()) == 2


def test_bad_drafts_are_4xx(social_server: LiveServer) -> None:
    c = social_server.new_client("social")
    for body in ({"text": "", "networks": ["mastodon"]}, {"text": "x", "networks": []},
                 {"text": "x", "networks": ["twitter"]}, {"text": "x", "networks": ["mastodon"], "language": "english"},
                 {"text": "x" * 5001, "networks": ["mastodon"]}):
        r = c.post("/api/v1/social/drafts", json=body)
        assert r.status_code == 422, (body, r.text)
    assert social_server.http().get("/api/v1/social/mentions").status_code == 401


def test_the_phone_screens_source_reads_drafts_and_posts_once(social_server: LiveServer,
                                                              mastodon_server: MastodonServer) -> None:
    """The Social screen on a phone (app/social/source.py ``RemoteSocial`` over a RemoteEngine): the same
    reads, a draft that is the server's approval, and the approval card's yes posting once."""
    import asyncio

    from app.engine import EngineError
    from app.engine.remote import RemoteEngine
    from app.social.source import RemoteSocial, social_source
    from tests.server.live import PASSWORD

    name = social_server.add_user("phone")
    marker = uuid.uuid4().hex[:6]
    mastodon_server.client("carol").status_post(f"@me see you at the phone test {marker}")

    async def run() -> None:
        eng = await RemoteEngine.sign_in(social_server.url, name, PASSWORD, speech_output="off")
        source = social_source(eng)
        assert isinstance(source, RemoteSocial)
        assert await source.networks() == ["mastodon", "bluesky"]
        assert any(m.post is not None and marker in m.post.text for m in await source.mentions())
        assert await source.digest()
        view = await source.draft(f"Posted from the phone screen {marker}", ["mastodon"], "unlisted", "", "en")
        assert view.action == "social.publish" and "unlisted" in view.summary
        assert [a.id for a in await eng.approvals()] == [view.id]
        outcome = await eng.decide(view.id, True)
        assert outcome.status == "done" and "Posted on Mastodon" in outcome.message
        # a post for later: parked on the server, listed after the yes, cancelled from the phone
        at = source.due("tomorrow at 9")
        assert at is not None and at.hour == 9
        later = await source.schedule(f"Later from the phone {marker}", ["mastodon"], "public", "", "en", at)
        assert later.action == "social.schedule" and await source.scheduled() == []
        assert (await eng.decide(later.id, True)).status == "done"
        (waiting,) = await source.scheduled()
        assert waiting.text == f"Later from the phone {marker}" and waiting.due_at == at
        await source.cancel_scheduled(waiting.id, "de")
        assert await source.scheduled() == []
        with pytest.raises(EngineError, match="wartet nicht mehr"):
            await source.cancel_scheduled(waiting.id, "de")
        await eng.close()

    asyncio.run(run())
    assert len([s for s in mastodon_server.statuses() if f"Posted from the phone screen {marker}" in s["content"]]) == 1
    assert not [s for s in mastodon_server.statuses() if f"Later from the phone {marker}" in s["content"]]


def test_a_phone_signs_in_to_mastodon_and_the_server_keeps_the_token(social_server: LiveServer,
                                                                     mastodon_server: MastodonServer) -> None:
    """The phone's Social screen signs in to Mastodon (the app registered and the code exchanged on the phone);
    the token reaches the home server as a connected account (its keyring), only for the household's admin."""
    import asyncio

    from app.engine.remote import RemoteEngine
    from app.social.source import social_source
    from tests.server.live import PASSWORD
    from tests.servers.mastodon import authorize_in_browser

    admin, guest = social_server.add_user("admin2", admin=True), social_server.add_user("guest2")

    async def run() -> None:
        eng = await RemoteEngine.sign_in(social_server.url, admin, PASSWORD, speech_output="off")
        source = social_source(eng)
        assert source is not None
        with pytest.raises(EngineError, match="Start the sign-in first"):
            await source.mastodon_finish("mockcode_me", "en")
        url = await source.mastodon_start(mastodon_server.base_url, "en")
        name = await source.mastodon_finish(authorize_in_browser(url), "en")
        try:
            acc = next(a for a in await eng.accounts() if a.name == name)
            assert acc.kind == "mastodon" and acc.has_secret
            assert (await eng.test_account("mastodon", name)).ok
        finally:
            await eng.remove_account("mastodon", name)
        await eng.close()
        other = await RemoteEngine.sign_in(social_server.url, guest, PASSWORD, speech_output="off")
        source = social_source(other)
        assert source is not None
        url = await source.mastodon_start(mastodon_server.base_url, "en")
        with pytest.raises(EngineError, match="admin"):
            await source.mastodon_finish(authorize_in_browser(url), "en")
        assert all(a.kind != "mastodon" or a.name != name for a in await other.accounts())
        await other.close()

    asyncio.run(run())
