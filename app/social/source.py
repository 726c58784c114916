"""Where the Social screen gets its data and where its Post goes. On the desktop (a local engine): the app's
social hub (``Services.social``), read in a worker thread; a post becomes a pending approval in the app's
approval store, so the same approval card runs it after the yes (``agents.social.actions.run_post``). On a
phone (a remote engine): the home server's routes (``/api/v1/social/...``); its draft is the server's
approval, approved with the approvals API. Nothing is published by a draft."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import TypeAdapter

from agents.deps import ServiceError
from agents.social.models import Network, Notice, Post, Visibility
from agents.social.scheduled import ScheduledPost
from app.engine import ApprovalView, EngineError

if TYPE_CHECKING:
    from agents.social.hub import SocialHub
    from agents.social.mastodon_login import MastodonApp
    from app.engine.remote import RemoteEngine
    from app.services import Services

MENTIONS = 20
T = TypeVar("T")


class SocialSource(Protocol):
    async def networks(self) -> list[Network]: ...

    async def mentions(self) -> list[Notice]: ...

    async def digest(self) -> list[Post]: ...

    async def draft(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
                    language: str) -> ApprovalView:
        """Park the post for the user's yes: the approval to show (nothing is sent)."""
        ...

    def due(self, when: str) -> datetime | None:
        """The time a "when" in words means ("tomorrow at 9", "morgen um 9") in the user's zone, or None."""
        ...

    async def schedule(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
                       language: str, at: datetime) -> ApprovalView:
        """Park the post to go out at ``at`` for the user's yes (nothing is sent or stored before it)."""
        ...

    async def scheduled(self) -> list[ScheduledPost]:
        """The posts waiting for their time, soonest first."""
        ...

    async def cancel_scheduled(self, post_id: int, language: str) -> None: ...

    async def mastodon_start(self, server: str, language: str) -> str:
        """Mastodon's sign-in: this app registered on ``server``; the address where the user allows it."""
        ...

    async def mastodon_finish(self, code: str, language: str) -> str:
        """The code the server showed exchanged for a token (into the keyring) and the account added: its name."""
        ...


class LocalSocial:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._app: MastodonApp | None = None  # the sign-in under way (registered, waiting for its code)

    async def _hub(self) -> SocialHub | None:
        return await asyncio.to_thread(self._current_hub)

    def _current_hub(self) -> SocialHub | None:
        """The app's social service, built again when the Mastodon / Bluesky accounts changed since (added or
        removed in Settings while the app runs): the assistant's approvals use the same one."""
        return self.services.current_social()

    async def networks(self) -> list[Network]:
        hub = await self._hub()
        return hub.networks if hub is not None else []

    async def mentions(self) -> list[Notice]:
        hub = await self._hub()
        if hub is None:
            return []
        try:
            return await asyncio.to_thread(hub.mentions, None, MENTIONS)
        except ServiceError as exc:
            raise EngineError(str(exc)) from None

    def _digest_size(self) -> int:
        from agents.social.settings import SocialSettings

        return SocialSettings.model_validate(self.services.settings.domains.get("social", {})).digest_size

    async def digest(self) -> list[Post]:
        from agents.social.hub import rank

        hub = await self._hub()
        if hub is None:
            return []
        try:
            posts = await asyncio.to_thread(hub.timeline, None)
        except ServiceError as exc:
            raise EngineError(str(exc)) from None
        return rank(posts, self._digest_size())

    async def draft(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
                    language: str) -> ApprovalView:
        return await asyncio.to_thread(self._park, text, networks, visibility, cw, language)

    def _park(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
              language: str) -> ApprovalView:
        from agents.approvals import ApprovalStore
        from agents.social.hub import make_draft
        from agents.social.intents import park_post

        hub = self._current_hub()
        missing = [n for n in networks if hub is None or n not in hub.networks]
        if missing or not networks:
            raise EngineError(_no_account(missing or ["mastodon"], language))
        d = make_draft(text, list(dict.fromkeys(networks)), visibility=visibility, cw=cw, language=language)
        store = ApprovalStore(self.services.db, self.services.audit)
        return park_post(store, d, language, datetime.now(UTC)).info()

    def due(self, when: str) -> datetime | None:
        from agents.social.schedule_intents import time_in_words
        from app.wiring.assistant import user_tz

        return time_in_words(when, datetime.now(user_tz(self.services.settings.timezone)))

    async def schedule(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
                       language: str, at: datetime) -> ApprovalView:
        return await asyncio.to_thread(self._park_scheduled, text, networks, visibility, cw, language, at)

    def _park_scheduled(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
                        language: str, at: datetime) -> ApprovalView:
        from agents.approvals import ApprovalStore
        from agents.social.hub import make_draft
        from agents.social.schedule_intents import park_schedule, refused_time

        hub = self._current_hub()
        missing = [n for n in networks if hub is None or n not in hub.networks]
        if missing or not networks:
            raise EngineError(_no_account(missing or ["mastodon"], language))
        now = datetime.now(at.tzinfo)
        refused = refused_time(at, now, language)
        if refused:
            raise EngineError(refused)
        d = make_draft(text, list(dict.fromkeys(networks)), visibility=visibility, cw=cw, language=language)
        store = ApprovalStore(self.services.db, self.services.audit)
        return park_schedule(store, d, at, now, language).info()

    async def scheduled(self) -> list[ScheduledPost]:
        from agents.social.scheduled import scheduled

        return await asyncio.to_thread(scheduled, self.services.db)

    async def cancel_scheduled(self, post_id: int, language: str) -> None:
        from agents.social.scheduled import cancel

        if not await asyncio.to_thread(cancel, self.services.db, post_id):
            raise EngineError(_say("social.scheduled_gone", language))

    async def mastodon_start(self, server: str, language: str) -> str:
        self._app, url = await _signing_in(lambda: _register(server), language)
        return url

    async def mastodon_finish(self, code: str, language: str) -> str:
        app = self._app
        if app is None:
            raise EngineError(_say("social.sign_in_first", language))
        return await _signing_in(lambda: self._add_mastodon(app, code), language)

    def _add_mastodon(self, app: MastodonApp, code: str) -> str:

        from agents.social.mastodon_login import exchange_code
        from app.accounts import AccountError, AccountIn

        token = exchange_code(app, code)
        taken = {a.name for a in self.services.accounts.list(with_secrets=False)}
        name = _account_name(app.base_url, taken)
        try:
            self.services.accounts.add(AccountIn(name=name, kind="mastodon", options={"base_url": app.base_url}),
                                       token)
        except AccountError as exc:
            raise EngineError(str(exc)) from None
        self._app = None
        self.services.__dict__.pop("social", None)  # the hub is built again with the new account
        return name


class RemoteSocial:
    def __init__(self, engine: RemoteEngine) -> None:
        self.engine = engine
        self._app: MastodonApp | None = None  # the sign-in under way (registered, waiting for its code)

    async def networks(self) -> list[Network]:
        found: list[Network] = TypeAdapter(list[str]).validate_python(
            (await self.engine.get_json("/social/networks"))["networks"])  # type: ignore[assignment]
        return found

    async def mentions(self) -> list[Notice]:
        if not await self.networks():
            return []
        found: list[Notice] = TypeAdapter(list[Notice]).validate_python(await self.engine.get_json("/social/mentions"))
        return found

    async def digest(self) -> list[Post]:
        if not await self.networks():
            return []
        found: list[Post] = TypeAdapter(list[Post]).validate_python(await self.engine.get_json("/social/digest"))
        return found

    async def draft(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
                    language: str) -> ApprovalView:
        body: dict[str, Any] = {"text": text, "networks": networks, "visibility": visibility,
                                "content_warning": cw, "language": language}
        made = await self.engine.post_json("/social/drafts", body)
        for a in await self.engine.approvals():
            if a.id == made["approval_id"]:
                return a
        raise EngineError(made.get("summary", ""))

    def due(self, when: str) -> datetime | None:
        from agents.social.schedule_intents import time_in_words

        return time_in_words(when, datetime.now().astimezone())  # the phone's own zone

    async def schedule(self, text: str, networks: list[Network], visibility: Visibility, cw: str,
                       language: str, at: datetime) -> ApprovalView:
        body: dict[str, Any] = {"text": text, "networks": networks, "visibility": visibility,
                                "content_warning": cw, "language": language, "at": at.isoformat()}
        made = await self.engine.post_json("/social/scheduled", body)
        for a in await self.engine.approvals():
            if a.id == made["approval_id"]:
                return a
        raise EngineError(made.get("summary", ""))

    async def scheduled(self) -> list[ScheduledPost]:
        found: list[ScheduledPost] = TypeAdapter(list[ScheduledPost]).validate_python(
            await self.engine.get_json("/social/scheduled"))
        return found

    async def cancel_scheduled(self, post_id: int, language: str) -> None:
        try:
            await self.engine.delete_path(f"/social/scheduled/{post_id}")
        except EngineError:
            raise EngineError(_say("social.scheduled_gone", language)) from None

    async def mastodon_start(self, server: str, language: str) -> str:
        """The phone registers this app on the Mastodon server itself and opens the page where the user allows
        it (the home server keeps no sign-in state between the two steps)."""
        self._app, url = await _signing_in(lambda: _register(server), language)
        return url

    async def mastodon_finish(self, code: str, language: str) -> str:
        """The code exchanged on the phone; the token goes to the home server as a connected account (into its
        keyring; only the household's admin may add one), never stored on the phone."""

        from agents.social.mastodon_login import exchange_code
        from app.engine import AccountDraft

        app = self._app
        if app is None:
            raise EngineError(_say("social.sign_in_first", language))
        token = await _signing_in(lambda: exchange_code(app, code), language)
        taken = {a.name for a in await self.engine.accounts()}
        name = _account_name(app.base_url, taken)
        await self.engine.add_account(AccountDraft(kind="mastodon", name=name, options={"base_url": app.base_url},
                                                   secret=token))
        self._app = None
        return name


def _register(server: str) -> tuple[MastodonApp, str]:
    """This app registered on the Mastodon server, and the page where the user allows it."""
    from agents.social.mastodon_login import authorize_url, register_app

    app = register_app(server)
    return app, authorize_url(app)


def _account_name(base_url: str, taken: set[str]) -> str:
    """A free account name after the server's host ("mastodon.social", "mastodon.social-2", …)."""
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname or "mastodon"
    return next(n for n in (host, *(f"{host}-{i}" for i in range(2, 100))) if n not in taken)


async def _signing_in(fn: Callable[[], T], language: str) -> T:
    """A sign-in step in a worker thread; its failure as one line."""
    try:
        return await asyncio.to_thread(fn)
    except (ServiceError, ValueError) as exc:
        raise EngineError(_say("social.not_signed_in", language, reason=str(exc).splitlines()[0])) from None


def _say(key: str, language: str, **values: object) -> str:
    from app.gui.strings import GUI

    return GUI.text(key, language, **values)


def _no_account(networks: list[Network], language: str) -> str:
    from agents.social.models import NETWORK_NAMES

    return _say("social.no_account", language, networks=" / ".join(NETWORK_NAMES[n] for n in networks))


def social_source(engine: object) -> SocialSource | None:
    """The source for this engine: remote (a phone) or local (the desktop app); None if neither."""
    from app.engine.remote import RemoteEngine

    if isinstance(engine, RemoteEngine):
        return RemoteSocial(engine)
    services = getattr(engine, "sv", None)
    return LocalSocial(services) if services is not None else None
