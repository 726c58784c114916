"""Typed data of the communication services that goes beyond the agents' boundary models
(``agents.models``): server settings, parsed MIME, folders, calendars, free time, WhatsApp."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agents.models import MailAttachment, MailMessage

Security = Literal["ssl", "starttls", "plain"]


class ServerEndpoint(BaseModel):
    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    security: Security = "ssl"


class MailServerConfig(BaseModel):
    """Where and how to reach one mail account. The password is not here (keyring)."""

    imap: ServerEndpoint
    smtp: ServerEndpoint
    username: str = Field(min_length=1)
    address: str = Field(min_length=3, description="the From address")
    display_name: str | None = None
    ca_file: str | None = Field(None, description="extra CA bundle (self-hosted servers)")
    timeout_s: float = Field(20.0, gt=0, le=300)
    sent_folder: str | None = Field(None, description="None = the folder flagged \\Sent, else 'Sent'")
    archive_folder: str | None = Field(None, description="None = the folder flagged \\Archive, else 'Archive'")
    file_sent_copy: bool = Field(True, description="APPEND the sent message to Sent (Gmail does it itself)")


class CalendarServerConfig(BaseModel):
    url: str = Field(min_length=1, description="CalDAV URL (server root or principal)")
    username: str = Field(min_length=1)
    ca_file: str | None = None
    timeout_s: float = Field(20.0, gt=0, le=300)
    default_calendar: str | None = Field(None, description="name of the calendar new events go to")


class Attachment(BaseModel):
    filename: str
    content_type: str
    size: int = Field(description="decoded size in bytes (estimated from the transfer encoding if skipped)")


class ParsedMail(BaseModel):
    """A MIME message made safe to show: decoded headers, text body, attachments listed (not loaded)."""

    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    sender: str = ""
    sender_name: str | None = None
    reply_to: str | None = None
    to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)
    defects: list[str] = Field(default_factory=list, description="what was broken and repaired while parsing")


class FullMail(MailMessage):
    """A message as the mail service fetches it: the agents' MailMessage plus MIME details."""

    message_id: str | None = None
    references: list[str] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    folder: str = "INBOX"


class MailSearch(BaseModel):
    """The full search (the agents' MailQuery maps onto it). Every criterion runs server-side."""

    folder: str = "INBOX"
    sender: str | None = None
    subject: str | None = None
    text: str | None = None
    since: datetime | None = None
    before: datetime | None = None
    unread_only: bool = False
    limit: int = Field(20, ge=1, le=500)


class Folder(BaseModel):
    name: str
    special_use: str | None = None


class ThreadSummary(BaseModel):
    subject: str
    participants: list[str]
    count: int
    first: datetime | None
    last: datetime | None
    messages: list[FullMail]
    summary: str


class DraftMail(BaseModel):
    """A message ready to send, shown to the user for approval first."""

    to: list[str]
    cc: list[str] = Field(default_factory=list)
    subject: str
    body: str
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    attachments: list[MailAttachment] = Field(default_factory=list)

    def preview(self) -> str:
        cc = f"\nCc: {', '.join(self.cc)}" if self.cc else ""
        files = f"\nAttached: {', '.join(a.filename for a in self.attachments)}" if self.attachments else ""
        return f"To: {', '.join(self.to)}{cc}\nSubject: {self.subject}{files}\n\n{self.body}"


class CalendarInfo(BaseModel):
    name: str
    url: str


class BusySlot(BaseModel):
    start: datetime
    end: datetime
    title: str | None = None


class FreeSlot(BaseModel):
    start: datetime
    end: datetime


class WhatsAppConfig(BaseModel):
    phone_number_id: str = Field(min_length=1)
    base_url: str = Field("https://graph.facebook.com", description="Graph API root")
    api_version: str = "v21.0"
    timeout_s: float = Field(15.0, gt=0, le=120)


class WhatsAppSent(BaseModel):
    message_id: str
    to: str


class WhatsAppStatus(BaseModel):
    """A delivery status update from a webhook (sent, delivered, read, failed)."""

    message_id: str
    recipient: str
    status: str
    at: datetime
    error: str | None = None
