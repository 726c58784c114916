"""The composition root: builds the app's services from settings, once, in one place.

Heavy parts (speech models, agents, storage backends) are created lazily on first use so that
`personal-agent doctor` or `accounts list` start in well under a second."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from app.accounts import AccountService
from app.paths import AppPaths, app_paths
from app.settings import Settings, load_settings
from storage.audit import AuditLog
from storage.base import Backend
from storage.db.engine import Database, default_database_url

if TYPE_CHECKING:
    from agents.assistant import Assistant
    from agents.communication.calendar import CalDavCalendarService
    from agents.communication.mail import ImapMailService
    from agents.communication.whatsapp import WhatsAppClient
    from agents.media_meetings import MeetingControlAdapter
    from audio.meeting.service import MeetingService


@dataclass
class Services:
    settings: Settings
    paths: AppPaths = field(default_factory=app_paths)

    @cached_property
    def db(self) -> Database:
        self.paths.ensure()
        db = Database(self.settings.database_url or default_database_url(self.paths.data_dir))
        db.migrate()
        return db

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.db)

    @cached_property
    def accounts(self) -> AccountService:
        return AccountService(self.db, self.audit)

    @cached_property
    def assistant(self) -> Assistant:
        from agents.wiring import build_assistant

        return build_assistant(self)

    @cached_property
    def storage(self) -> Backend:
        """The recordings store: primary backend, behind the offline spool if remote."""
        from storage.backends import open_backend

        return open_backend(self)

    @cached_property
    def mail(self) -> ImapMailService | None:
        """The default mail account's IMAP/SMTP service; None = no mail account (communication)."""
        from agents.communication.connect import build_mail

        return build_mail(self)

    @cached_property
    def calendar(self) -> CalDavCalendarService | None:
        """The default CalDAV account's calendar service; None = no calendar account (communication)."""
        from agents.communication.connect import build_calendar

        return build_calendar(self)

    @cached_property
    def messaging(self) -> WhatsAppClient | None:
        """The default WhatsApp account's Cloud API client; None = no WhatsApp account (communication)."""
        from agents.communication.whatsapp import build_whatsapp

        return build_whatsapp(self)

    @cached_property
    def meeting_service(self) -> MeetingService:
        """Meeting recording: start/pause/resume/stop, live events, import, search (audio.meeting)."""
        from audio.meeting.wiring import build_meeting_service

        return build_meeting_service(self)

    @cached_property
    def meetings(self) -> MeetingControlAdapter:
        """The meeting service as the agents' MeetingControl."""
        from agents.media_meetings import MeetingControlAdapter

        return MeetingControlAdapter(self.meeting_service)


def build_services(settings: Settings | None = None) -> Services:
    return Services(settings=settings or load_settings())
