"""What the agents need from the rest of the app, as typed Protocols, plus the deps dataclass.

Concrete services live elsewhere (``agents/communication/mail*.py``, ``calendar*.py``,
``whatsapp*.py``; the meeting recorder later). Any of them may be missing (None): the agents then
say honestly that the feature is not connected. All methods are synchronous and may raise
``ServiceError`` with a message fit to show the user."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

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
from agents.replies import ActionInfo, TanChallenge, ToolCallInfo
from agents.turn import IntentRecognized, ToolCalled, TurnEvent

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from agents.approvals import ApprovalRecord, ApprovalStore
    from agents.finance.fints_client import TransferStep
    from agents.finance.models import TransferDraft
    from agents.memory import Memory
    from agents.social.models import Draft, Network, Notice, Post, Published, Reaction
    from storage.base import Backend


S = TypeVar("S", bound=BaseModel)


class ServiceError(Exception):
    """A service could not do what was asked; the message is one line for the user."""


class MemoryInputError(ValueError):
    """Bad input to the memory (empty, too long); the message is for the user, in English and, where
    given, German (``in_language``)."""

    def __init__(self, message: str, german: str | None = None) -> None:
        super().__init__(message)
        self.german = german

    def in_language(self, lang: str) -> str:
        return self.german if lang == "de" and self.german else str(self)


@runtime_checkable
class CalendarService(Protocol):
    def events(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        """Events overlapping [start, end), sorted by start."""
        ...

    def create_event(self, event: NewEvent) -> CalendarEvent:
        """Create the event; return it with its uid."""
        ...

    def delete_event(self, uid: str) -> None:
        """Delete the event with this uid; ServiceError if there is none."""
        ...


@runtime_checkable
class MailService(Protocol):
    def search(self, query: MailQuery) -> list[MailSummary]:
        """Messages matching the query, newest first."""
        ...

    def get(self, message_id: str) -> MailMessage:
        """The full message (does not change its read state)."""
        ...

    def send(self, mail: OutgoingMail) -> SendResult:
        """Send a new message."""
        ...

    def reply(self, message_id: str, body: str) -> SendResult:
        """Reply to the sender of a message (subject Re:, threading headers set)."""
        ...


@runtime_checkable
class MessagingService(Protocol):
    def recent(self, chat: str | None = None, limit: int = 20) -> list[ChatMessage]:
        """Recent incoming messages, newest first (all chats or one)."""
        ...

    def send_message(self, to: str, text: str) -> SendResult:
        """Send a text message to a contact or chat."""
        ...


@runtime_checkable
class MeetingControl(Protocol):
    """Meeting recording, implemented by the meetings feature."""

    def start(self, title: str | None = None) -> MeetingStatus: ...

    def stop(self) -> MeetingStatus: ...

    def pause(self) -> MeetingStatus: ...

    def resume(self) -> MeetingStatus: ...

    def status(self) -> MeetingStatus: ...

    def search_transcripts(self, query: str, limit: int = 5, speaker: str | None = None) -> list[TranscriptHit]:
        """Passages matching ``query``; with ``speaker`` ("Anna", "Speaker 2") only what they said."""
        ...

    def name_speaker(self, number: int, name: str) -> str:
        """Speaker ``number`` of the last finished meeting is ``name`` (their voice is kept as a profile);
        returns the meeting's title. ServiceError when there is no such meeting or speaker."""
        ...


@runtime_checkable
class BankService(Protocol):
    """A bank connection's transfers (agents/finance/fints_client.py): each step says what the bank asks
    next (payee check, TAN, app approval) or how it ended; a step is never sent twice."""

    def default_iban(self) -> str | None:
        """The user's account transfers go out from (None: not chosen)."""
        ...

    def start_transfer(self, draft: TransferDraft) -> TransferStep: ...

    def confirm_payee(self, transfer_id: str) -> TransferStep: ...

    def send_tan(self, transfer_id: str, tan: str) -> TransferStep: ...

    def poll_decoupled(self, transfer_id: str) -> TransferStep: ...

    def cancel_transfer(self, transfer_id: str) -> TransferStep: ...

    def open_transfer(self) -> TransferStep | None:
        """The transfer that waits for the user (payee check, TAN or app approval), if any."""
        ...


@runtime_checkable
class SocialService(Protocol):
    """The user's social networks (agents/social/hub.py): read mentions and timelines, publish an approved
    draft (never twice: each network's idempotency), delete a post."""

    @property
    def networks(self) -> list[Network]: ...

    def mentions(self, networks: list[Network] | None = None, limit: int = 20) -> list[Notice]: ...

    def timeline(self, networks: list[Network] | None = None, limit: int = 40) -> list[Post]: ...

    def own_posts(self, network: Network, limit: int = 5) -> list[Post]: ...

    def publish(self, draft: Draft) -> list[Published]: ...

    def delete(self, network: Network, post_id: str) -> None: ...

    def react(self, kind: Reaction, post: Post) -> str: ...


@runtime_checkable
class MailReadHook(Protocol):
    """Something another domain does with the mail just read (agents/finance/invoices/inbox.py: invoice
    attachments filed as open invoices). Returns sentences for the reply in ``d.language``; a proposal it
    makes is parked as a pending approval (``d.pending``). Never raises for a bad attachment."""

    def mail_read(self, d: AssistantDeps, mails: list[MailSummary]) -> list[str]: ...


@dataclass
class ServiceDeps:
    """The services the agents may use. None = not connected."""

    calendar: CalendarService | None = None
    mail: MailService | None = None
    messaging: MessagingService | None = None
    meetings: MeetingControl | None = None
    bank: BankService | None = None
    social: SocialService | None = None
    mail_read: list[MailReadHook] = field(default_factory=list)  # run after mail is read (cross-domain)
    files: Callable[[], Backend] | None = None  # the storage adapter (created invoices are kept there)
    invoice_rules: Path | None = None  # the EN16931 rules (XSLT) every created invoice is checked against


@dataclass(frozen=True)
class Referent:
    """A thing an answer showed the user, which the next request may point at ("cancel that one")."""

    kind: str  # "event", "mail"
    id: str  # the event's uid, the mail's id
    label: str  # an event's title; a mail's "Name <address>: subject"


@dataclass
class AssistantDeps:
    """Everything a handler or agent tool may use during one request."""

    services: ServiceDeps
    memory: Memory
    approvals: ApprovalStore
    tz: tzinfo
    clock: Callable[[], datetime]
    language: str = "en"
    pending: list[ApprovalRecord] = field(default_factory=list)
    tool_calls: list[ToolCallInfo] = field(default_factory=list)
    events: list[TurnEvent] = field(default_factory=list)  # the running turn's, handed on by the assistant
    turn_id: str = ""
    request: str = ""  # what the user said or typed in this turn
    approved: bool = False  # running calls the user approved (their text was checked before the question)
    settings: Mapping[str, BaseModel] = field(default_factory=dict)  # each domain's, by domain name
    tool_results: dict[str, str] = field(default_factory=dict)  # tool+args -> result, this turn (agents/tool_guard.py)
    actions: list[ActionInfo] = field(default_factory=list)  # what this turn changed
    origins: list[str] = field(default_factory=list)  # where untrusted text the model read came from
    tan_challenge: TanChallenge | None = None  # a bank asked for a TAN this turn: shown with the reply
    answers: dict[str, str] = field(default_factory=dict)  # tool call id -> its result worded for the user
    worded: bool = False  # the reply is the tools' own wording (agents/worded.py), not the model's
    one_call: bool = False  # the model makes one call a turn (tools word the answer): agents/toolkit.py asked_for
    llm: Callable[[], Model | None] | None = None  # the language model when one is set (a handler's summary)
    # a request that points back ("cancel that one"): what the last answer came from, the tools it used and the
    # request it answered, as words ("calendar events Was steht am Freitag an?"); agents/toolkit.py tool_groups
    topic: str = ""
    shown: list[Referent] = field(default_factory=list)  # what this turn's answer showed (the next turn's referents)
    referents: tuple[Referent, ...] = ()  # a request that points back: what the last answer showed

    def now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def domain_settings(self, name: str, model: type[S]) -> S:
        """The settings of domain ``name`` (its model's defaults when the app gave none)."""
        found = self.settings.get(name)
        return found if isinstance(found, model) else model()

    def record_tool(self, name: str, args: dict[str, Any]) -> None:
        """A tool ran (or, for a side effect, was asked for): shown in ``--json`` and as a turn event."""
        call = ToolCallInfo(name=name, args=args)
        self.tool_calls.append(call)
        self.events.append(ToolCalled(turn_id=self.turn_id, name=call.name, args=call.args))

    def acted(self, name: str, args: dict[str, Any], result: str) -> None:
        """A tool that changes something ran (its result starting with "error" means it failed)."""
        status = "failed" if result.lstrip().lower().startswith("error") else "done"
        shown = ", ".join(f"{k}={v}" for k, v in args.items() if v not in (None, "", []))
        self.actions.append(ActionInfo(name=name, status=status, summary=shown[:300]))

    def answer(self, tool_call_id: str | None, text: str) -> None:
        """A tool's result as the user hears and reads it (in the user's language). When every tool of a
        step gave one, the reply is these words, not a model's (agents/worded.py)."""
        if tool_call_id:
            self.answers[tool_call_id] = text

    def heard_from(self, origin: str) -> None:
        """The model was shown text from someone else (an e-mail, a message, a transcript): any action
        asked for after this says where such text came from (agents/orchestrator.py ``park``)."""
        if origin not in self.origins:
            self.origins.append(origin)

    def showed(self, kind: str, id: str, label: str) -> None:
        """The answer shows this event or mail: a next request may point at it ("lösch den", "reply to him")."""
        item = Referent(kind, id, label)
        if item not in self.shown:
            self.shown.append(item)

    def pointed_at(self, kind: str) -> list[Referent]:
        """The things of this kind the last answer showed, when this request points back at it."""
        return [r for r in self.referents if r.kind == kind]

    def delegated(self, domain: str, request: str) -> None:
        """The orchestrator handed the request to a domain's delegate (the LLM's intent)."""
        self.events.append(IntentRecognized(turn_id=self.turn_id, source="llm", name=domain,
                                            slots={"request": request}))
