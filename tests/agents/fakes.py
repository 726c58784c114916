"""Small in-memory implementations of the service Protocols, for tests where a real server is not
the point (the communication tests cover the real IMAP/SMTP/CalDAV services)."""

from __future__ import annotations

from datetime import datetime

from agents.deps import ServiceError
from agents.models import (
    CalendarEvent,
    ChatMessage,
    MailMessage,
    MailQuery,
    MailSummary,
    MeetingStatus,
    NewEvent,
    OutgoingMail,
    SendResult,
    TranscriptHit,
)


class MemoryCalendar:
    def __init__(self, events: list[CalendarEvent] | None = None) -> None:
        self.items: list[CalendarEvent] = list(events or [])

    def events(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        return sorted((e for e in self.items if e.start < end and e.end > start), key=lambda e: e.start)

    def create_event(self, event: NewEvent) -> CalendarEvent:
        ev = CalendarEvent(uid=f"ev{len(self.items) + 1}", **event.model_dump())
        self.items.append(ev)
        return ev

    def delete_event(self, uid: str) -> None:
        before = len(self.items)
        self.items = [e for e in self.items if e.uid != uid]
        if len(self.items) == before:
            raise ServiceError(f"no event {uid}")


class MemoryMail:
    def __init__(self, messages: list[MailMessage] | None = None) -> None:
        self.messages: list[MailMessage] = list(messages or [])
        self.sent: list[OutgoingMail] = []
        self.replies: list[tuple[str, str]] = []

    def search(self, query: MailQuery) -> list[MailSummary]:
        out = [m for m in self.messages
               if (not query.unread_only or m.unread)
               and (not query.sender or query.sender.lower() in f"{m.sender} {m.sender_name or ''}".lower())
               and (not query.text or query.text.lower() in f"{m.subject} {m.body}".lower())]
        out.sort(key=lambda m: m.date, reverse=True)
        return [MailSummary(**m.model_dump(include=set(MailSummary.model_fields))) for m in out[: query.limit]]

    def get(self, message_id: str) -> MailMessage:
        for m in self.messages:
            if m.id == message_id:
                return m
        raise ServiceError(f"no message {message_id}")

    def send(self, mail: OutgoingMail) -> SendResult:
        self.sent.append(mail)
        return SendResult(ok=True, id=f"sent{len(self.sent)}")

    def reply(self, message_id: str, body: str) -> SendResult:
        self.get(message_id)
        self.replies.append((message_id, body))
        return SendResult(ok=True)


class MemoryMessaging:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def recent(self, chat: str | None = None, limit: int = 20) -> list[ChatMessage]:
        return []

    def send_message(self, to: str, text: str) -> SendResult:
        self.sent.append((to, text))
        return SendResult(ok=True)


class MemoryMeetings:
    def __init__(self, hits: list[TranscriptHit] | None = None) -> None:
        self.state = "idle"
        self.title: str | None = None
        self.hits = list(hits or [])
        self.named: dict[int, str] = {}

    def _status(self) -> MeetingStatus:
        return MeetingStatus(state=self.state, title=self.title)

    def start(self, title: str | None = None) -> MeetingStatus:
        if self.state != "idle":
            raise ServiceError("a recording is already running")
        self.state, self.title = "recording", title
        return self._status()

    def stop(self) -> MeetingStatus:
        self.state = "idle"
        return self._status()

    def pause(self) -> MeetingStatus:
        self.state = "paused"
        return self._status()

    def resume(self) -> MeetingStatus:
        self.state = "recording"
        return self._status()

    def status(self) -> MeetingStatus:
        return self._status()

    def name_speaker(self, number: int, name: str) -> str:
        if number > 2:
            raise ServiceError(f"the last meeting has no speaker {number}")
        self.named[number] = name
        return "Weekly"

    def search_transcripts(self, query: str, limit: int = 5, speaker: str | None = None) -> list[TranscriptHit]:
        return [h for h in self.hits if query.lower() in h.text.lower()
                and (speaker is None or h.speaker.lower() == speaker.lower())][:limit]
