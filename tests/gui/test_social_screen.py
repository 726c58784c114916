"""The Social screen without a browser: the compose preview (app/social/compose.py: grapheme counts per
network, the numbered thread where a text is over 500 / 300) and the screen's control tree on the local
source against mastodon-mock: the connected account, mentions, the digest, and Post that only parks an
approval (nothing is on the server before the yes). The Flet page is a stand-in that records updates."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.engine import ApprovalView, EngineInfo
from app.gui.state import UiModel
from app.social import compose
from tests.gui.controls import texts as _texts
from tests.servers.mastodon import MastodonServer, authorize_in_browser

pytestmark = pytest.mark.unit




def test_preview_counts_graphemes_and_shows_where_the_thread_splits() -> None:
    flags = "Hallo 🇩🇪👍🏽!"  # a flag and a thumbs-up with skin tone are one grapheme each
    (m,) = compose.preview(flags, ["mastodon"])
    assert m.count == 9 and len(m.parts) == 1 and not m.over
    assert compose.count_line(m, "en") == "Mastodon: 9 / 500"
    assert compose.part_label(m, 0, "de") == "Ein Beitrag · 9 / 500"
    text = " ".join(f"Sentence number {i} says a little more." for i in range(16))  # 600+ graphemes
    mast, sky = compose.preview(text, ["mastodon", "bluesky"])
    assert mast.count == sky.count > 600 and mast.limit == 500 and sky.limit == 300
    assert len(mast.parts) == 2 and len(sky.parts) == 3
    assert all(p.graphemes <= 300 for p in sky.parts) and sky.parts[0].text.endswith("more. (1/3)")
    assert compose.count_line(sky, "en").endswith("· a thread of 3 posts")
    assert compose.count_line(sky, "de") == f"Bluesky: {sky.count} / 300 Zeichen · ein Thread aus 3 Beiträgen"
    assert compose.part_label(sky, 1, "en") == f"Post 2 of 3 · {sky.parts[1].graphemes} / 300"
    assert compose.preview("   ", ["bluesky"])[0].parts == []


class _Page:
    def __init__(self) -> None:
        self.updates = 0

    def update(self) -> None:
        self.updates += 1

    def run_task(self, fn: Any, *args: Any) -> None:
        asyncio.run(fn(*args))


class _Approvals:
    def __init__(self) -> None:
        self.opened: list[ApprovalView] = []

    def open_dialog(self, a: ApprovalView) -> None:
        self.opened.append(a)


class _App:
    def __init__(self, language: str) -> None:
        self.page = _Page()
        self.model = UiModel()
        self.model.info = EngineInfo(kind="local", language=language)
        self.screen = "social"
        self.toasts: list[str] = []
        self.engine = object()
        self.approvals = _Approvals()
        self.went: list[str] = []

    def toast(self, text: str) -> None:
        self.toasts.append(text)

    def refresh(self) -> None:
        pass

    def go(self, screen: str) -> None:
        self.went.append(screen)


@pytest.fixture
def screen(pa_home: Path, mastodon_server: MastodonServer) -> Any:
    from app.cli.common import services
    from app.cli.main import cli
    from app.gui.social import SocialScreen
    from app.social.source import LocalSocial

    res = CliRunner().invoke(cli, ["accounts", "add", "mast", "--kind", "mastodon", "-o",
                                   f"base_url={mastodon_server.base_url}", "--password-stdin"],
                             input=mastodon_server.token() + "\n")
    assert res.exit_code == 0, res.output
    sv = services()
    sv.db.migrate()
    s = SocialScreen(_App("en"))  # type: ignore[arg-type]
    s.build()
    s.source = LocalSocial(sv)
    return s


def test_screen_reads_and_post_only_parks_an_approval(screen: Any, mastodon_server: MastodonServer) -> None:
    marker = uuid.uuid4().hex[:6]
    mastodon_server.client("bob").status_post(f"@me are you coming to the picnic {marker}?")
    cw = mastodon_server.client("carol").status_post(f"spoiler inside {marker}", spoiler_text="film ending")
    mastodon_server.client("carol").status_reply(cw, "@me no spoilers please")
    asyncio.run(screen.load())
    assert screen.accounts_line.value == "Connected: Mastodon"
    assert screen.checks["mastodon"].value is True and screen.checks["bluesky"].disabled is True
    mentions = _texts(screen.mentions)
    assert any(marker in t for t in mentions) and "Bob Baker (@bob) on Mastodon" in mentions
    assert _texts(screen.digest)  # posts or "No posts in your timeline."
    asyncio.run(screen._accounts())
    assert screen.app.went == ["settings"]
    # typing: the count per network, live; Post is off for an empty text
    assert screen.post_btn.content.disabled is True
    text = f"Picnic at noon {marker}. " + "Bring something to share with everyone there. " * 12
    screen.text.value = text
    asyncio.run(screen._changed())
    count = _texts(screen.preview)[0]
    assert count.startswith("Mastodon: ") and count.endswith("/ 500 · a thread of 2 posts")
    assert screen.post_btn.content.disabled is False
    screen.visibility.value = "unlisted"
    screen.cw.value = "food"
    asyncio.run(screen._post())
    (view,) = screen.app.approvals.opened
    assert screen.app.model.approvals == [view] and view.action == "social.publish"
    assert "unlisted" in view.summary and "thread" in view.summary.lower()
    assert screen.status.value.startswith("Waiting for your yes")
    assert screen.post_btn.content.disabled is True  # one draft at a time
    assert not [s for s in mastodon_server.statuses() if marker in s["content"] and "Picnic" in s["content"]]
    # decided elsewhere (the card, by voice): the outcome shows and the form is empty again
    from app.engine import ApprovalDecided, ApprovalOutcome

    screen.app.model.apply(ApprovalDecided(outcome=ApprovalOutcome(id=view.id, status="done", message="Posted.")))
    screen.refresh()
    assert screen.status.value == "Posted." and screen.text.value == "" and screen.pending is None


def test_without_an_account_the_screen_says_so_and_drafts_nothing(pa_home: Path) -> None:
    from app.accounts import AccountIn
    from app.cli.common import services
    from app.engine import EngineError
    from app.engine.remote import RemoteEngine
    from app.gui.social import SocialScreen
    from app.gui.strings import set_language
    from app.social.source import LocalSocial, RemoteSocial, social_source

    sv = services()
    sv.db.migrate()
    set_language("de")  # the GUI's language is the process's (the shell sets it from the engine's info)
    try:
        s = SocialScreen(_App("de"))  # type: ignore[arg-type]
        s.build()
        s.source = LocalSocial(sv)
        asyncio.run(s.load())
        assert s.accounts_line.value.startswith("Noch kein Mastodon- oder Bluesky-Konto")
    finally:
        set_language("en")
    assert all(c.disabled for c in s.checks.values())
    with pytest.raises(EngineError, match="Kein Mastodon-Konto verbunden"):
        asyncio.run(s.source.draft("hallo", ["mastodon"], "public", "", "de"))
    # an account added in Settings while the app runs: the screen's next load connects it (its server is
    # not reachable here: the screen says so in one line)
    sv.accounts.add(AccountIn(name="mast", kind="mastodon", options={"base_url": "http://127.0.0.1:9"}), "token-xyz")
    asyncio.run(s.load())
    assert s.accounts_line.value == "Connected: Mastodon" and s.checks["mastodon"].value is True
    assert s.unavailable.visible and "cannot reach the Mastodon server" in str(s.unavailable.value)
    assert isinstance(social_source(RemoteEngine("http://127.0.0.1:9")), RemoteSocial)
    assert social_source(object()) is None


def test_mastodon_sign_in_from_the_screen_connects_the_account(pa_home: Path, mastodon_server: MastodonServer) -> None:
    """No Mastodon account: the screen's sign-in registers the app, shows the authorize address, takes the code
    the server showed there; the token goes to the keyring and the screen shows the account connected."""
    from app.cli.common import services
    from app.gui.social import SocialScreen
    from app.social.source import LocalSocial

    sv = services()
    sv.db.migrate()
    s = SocialScreen(_App("en"))  # type: ignore[arg-type]
    s.build()
    s.source = LocalSocial(sv)
    asyncio.run(s.load())
    assert s.sign_in_box.visible and not s.code_step.visible
    s.code.value = "mockcode_me"
    asyncio.run(s._finish())  # a code before the sign-in started: refused, nothing stored
    assert s.app.toasts[-1] == "Start the sign-in first: the code belongs to it." and sv.accounts.list() == []
    s.server.value = "http://mastodon.example.org"
    asyncio.run(s._sign_in())
    assert s.app.toasts[-1].startswith("Not signed in: the Mastodon server's address must start with https://")
    s.server.value = mastodon_server.base_url
    asyncio.run(s._sign_in())
    url = str(s.auth_url.value)
    assert s.code_step.visible and url.startswith(f"{mastodon_server.base_url}/oauth/authorize?client_id=")
    s.code.value = "mockcode_nobody"
    asyncio.run(s._finish())
    assert s.app.toasts[-1].startswith("Not signed in: the Mastodon server did not accept the authorization code")
    s.code.value = authorize_in_browser(url)
    asyncio.run(s._finish())
    assert s.app.toasts[-1] == "Signed in: Mastodon account 127.0.0.1 added."
    assert s.accounts_line.value == "Connected: Mastodon" and not s.sign_in_box.visible
    (acc,) = sv.accounts.list()
    assert acc.kind == "mastodon" and acc.has_secret and sv.social is not None
    assert sv.social.client("mastodon").check_login().startswith("Mastodon login ok: @me")


def test_a_post_for_later_waits_for_the_yes_then_for_its_time_and_can_be_cancelled(
        screen: Any, mastodon_server: MastodonServer) -> None:
    """'Post later' in words: the time is read back before Post; Post parks a scheduled post for the yes (nothing
    stored or sent); after the yes it is listed under Scheduled posts, and Cancel takes it back."""
    from agents.social.scheduled import scheduled
    from app.cli.common import services
    from app.engine import ApprovalDecided, ApprovalOutcome
    from app.wiring.assistant import build_assistant

    marker = uuid.uuid4().hex[:6]
    asyncio.run(screen.load())
    assert _texts(screen.scheduled) == ["No posts are scheduled."]
    screen.text.value = f"Good morning {marker}"
    screen.when.value = "next week on someday"
    asyncio.run(screen._changed())
    assert screen.when_line.value.startswith("Not a time I understand") and screen.post_btn.content.disabled is True
    screen.when.value = "tomorrow at 9"
    asyncio.run(screen._changed())
    assert screen.when_line.value == "Goes out tomorrow at 09:00, after your yes."
    asyncio.run(screen._post())
    (view,) = screen.app.approvals.opened
    assert view.action == "social.schedule" and "tomorrow at 09:00" in view.summary and marker in view.summary
    assert _texts(screen.scheduled) == ["No posts are scheduled."]  # nothing waits before the yes
    sv = services()
    done = build_assistant(sv).decide(view.id, True)  # the yes on the card
    assert done.error is None, done.spoken
    screen.app.model.apply(ApprovalDecided(outcome=ApprovalOutcome(id=view.id, status="done", message=done.spoken)))
    screen.refresh()
    listed = _texts(screen.scheduled)
    assert listed[0] == "tomorrow at 09:00 on Mastodon" and listed[1] == f"Good morning {marker}"
    assert screen.text.value == "" and screen.when.value == ""
    post_id = scheduled(sv.db)[0].id
    asyncio.run(screen._cancel(post_id))
    assert screen.app.toasts[-1] == "The scheduled post was cancelled; nothing was posted."
    assert _texts(screen.scheduled) == ["No posts are scheduled."]
    asyncio.run(screen._cancel(post_id))
    assert screen.app.toasts[-1].startswith("That post is no longer waiting")
    assert not [s for s in mastodon_server.statuses() if marker in s["content"]]
