"""The composition root: builds the app's services from settings, once, in one place.

Heavy parts (speech models, agents, storage backends) are created lazily on first use so that
`personal-agent doctor` or `accounts list` start in well under a second."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from app.accounts import AccountService
from app.paths import AppPaths, app_paths
from app.settings import Settings, load_settings
from storage.audit import AuditLog
from storage.base import Backend
from storage.db.engine import Database, default_database_url

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from agents.assistant import Assistant
    from agents.communication.calendar import CalDavCalendarService
    from agents.communication.graph_calendar import GraphCalendarService
    from agents.communication.mail import ImapMailService
    from agents.communication.whatsapp import WhatsAppClient
    from agents.finance.fints_client import FintsBankService
    from agents.social.hub import SocialHub
    from app.meetings.control import MeetingControlAdapter
    from app.meetings.service import MeetingService
    from app.wiring.speech import SpeechModels
    from storage.datakeys import DataKeys


@dataclass
class Services:
    settings: Settings
    paths: AppPaths = field(default_factory=app_paths)

    @cached_property
    def db(self) -> Database:
        self.paths.ensure()
        from agents.domains import migration_folders

        url = self.settings.database_url or default_database_url(self.paths.data_dir)
        keys = self.data_keys
        if keys is not None and keys.database_next:  # a database re-key was cut off: finish it first
            from app.security import finish_database_rekey

            keys = self.__dict__["data_keys"] = finish_database_rekey(self.paths.data_dir, url, keys)
        db = Database(url, migration_folders(), key=keys.key(keys.database) if keys else None)
        db.migrate()
        return db

    @cached_property
    def data_keys(self) -> DataKeys | None:
        """The data keys of encryption at rest (None: off); unwrapped once with the keyring's KEK."""
        from app.security import load_keys

        return load_keys(self.paths.data_dir)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.db)

    @cached_property
    def accounts(self) -> AccountService:
        return AccountService(self.db, self.audit)

    @cached_property
    def assistant(self) -> Assistant:
        from app.wiring.assistant import build_assistant

        return build_assistant(self)

    @cached_property
    def storage(self) -> Backend:
        """The recordings store: primary backend, behind the offline spool if remote."""
        from app.wiring.storage import open_backend

        return open_backend(self)

    def start_storage_replay(self, interval_s: float | None = None) -> bool:
        """Send what the offline spool holds as soon as the NAS/cloud is back, in the background,
        until ``close()`` (idempotent). The running app does this when recording becomes possible
        (``meeting_service``). False if the store cannot be built (not configured, no secret):
        writes then fail or spool on their own, and `doctor` says why."""
        from storage.backends import REPLAY_INTERVAL_S, start_spool_replay
        from storage.errors import StorageError

        try:
            start_spool_replay(self.storage, interval_s or REPLAY_INTERVAL_S)
        except StorageError as exc:
            log.warning("storage spool replay not started: %s", exc)
            return False
        return True

    def close(self) -> None:
        """Stop background work (the spool replay) and release the store's connections."""
        store = self.__dict__.pop("storage", None)
        if store is not None:
            store.close()

    @cached_property
    def mail(self) -> ImapMailService | None:
        """The default mail account's IMAP/SMTP service; None = no mail account (communication)."""
        from app.wiring.communication import build_mail

        return build_mail(self)

    @cached_property
    def calendar(self) -> CalDavCalendarService | GraphCalendarService | None:
        """The default calendar account's service (CalDAV, or Microsoft Graph for a Microsoft sign-in);
        None = no calendar account (communication)."""
        from app.wiring.communication import build_calendar

        return build_calendar(self)

    @cached_property
    def messaging(self) -> WhatsAppClient | None:
        """The default WhatsApp account's Cloud API client; None = no WhatsApp account (communication)."""
        from app.wiring.communication import build_whatsapp

        return build_whatsapp(self)

    @cached_property
    def social(self) -> SocialHub | None:
        """The Mastodon and Bluesky accounts as one service; None = no social account (social)."""
        from app.wiring.social import build_social

        return build_social(self)

    def current_social(self) -> SocialHub | None:
        """``social``, built again when the Mastodon / Bluesky accounts changed since it was built (added or
        removed in Settings, on a phone or by another server process while this one runs)."""
        import time

        from agents.social.models import NETWORKS

        accounts = frozenset((a.kind, a.name) for a in self.accounts.list(with_secrets=False) if a.kind in NETWORKS)
        state = self.__dict__
        # built again once per change of the accounts, not on every call (the app's clock asks every second);
        # a hub that could not be built while accounts exist (a locked password store) is tried again after a minute
        retry = (accounts and state.get("social", True) is None
                 and time.monotonic() - state.get("_social_built", 0.0) > 60)
        if state.get("_social_accounts") != accounts or retry:
            state.pop("social", None)
            state["_social_accounts"] = accounts
            state["_social_built"] = time.monotonic()
        return self.social

    @cached_property
    def bank(self) -> FintsBankService:
        """The default bank account's FinTS connection (finance transfers); ServiceError when there is none,
        it is incomplete or the FinTS product ID is missing (the assistant then has no bank)."""
        from app.wiring.finance import build_bank

        return build_bank(self)

    @cached_property
    def speech(self) -> SpeechModels:
        """The process's one speech recognizer and one Piper voice, loaded on first use and again only
        when their settings change (``app.wiring.speech.SpeechModels``)."""
        from app.wiring.speech import SpeechModels

        return SpeechModels(lambda: self.settings, self.paths)

    @cached_property
    def meeting_service(self) -> MeetingService:
        """Meeting recording: start/pause/resume/stop, live events, import, search (app.meetings)."""
        from app.wiring.meetings import build_meeting_service

        service = build_meeting_service(self)
        self.start_storage_replay()  # recordings are written from now on: their spool goes out on its own
        return service

    @cached_property
    def meetings(self) -> MeetingControlAdapter:
        """The meeting service as the agents' MeetingControl."""
        from app.meetings.control import MeetingControlAdapter

        return MeetingControlAdapter(self.meeting_service)


def build_services(settings: Settings | None = None) -> Services:
    return Services(settings=settings or load_settings())
