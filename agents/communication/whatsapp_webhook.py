"""Incoming WhatsApp webhooks: the signature check and the payload parsed into typed events.

Meta posts ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
"value": {...}}]}]}`` with ``X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, raw body)>``. The
server (home-server mode) calls ``WebhookReceiver.handle`` with the raw body and headers: the
signature is checked first, then the payload becomes ``WebhookEvents`` (messages, delivery statuses,
errors). The app secret and the verify token live in the keyring (kind ``whatsapp``); this module
reads and writes them only through the getter/setter callables the app passes in
(``app.wiring.communication``), it never opens the keyring itself."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.communication.models import WhatsAppStatus
from agents.models import ChatMessage

SIGNATURE_HEADER = "X-Hub-Signature-256"
SecretGetter = Callable[[str, str], str | None]  # (kind, name) -> secret or None, e.g. app.secrets.get_secret
SecretSetter = Callable[[str, str, str], None]  # (kind, name, value), e.g. app.secrets.set_secret


class WebhookError(ValueError):
    """The request is not a valid WhatsApp webhook; the message says why (nothing was stored)."""


class WebhookSignatureError(WebhookError):
    """The signature is missing or does not match: the request did not come from Meta."""


# --- the raw payload (only what we read; everything else is allowed and ignored) -------------------
class _Raw(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _Profile(_Raw):
    name: str | None = None


class _Contact(_Raw):
    wa_id: str
    profile: _Profile | None = None


class _Context(_Raw):
    id: str | None = None


class _Message(_Raw):
    sender: str = Field(alias="from")
    id: str
    timestamp: int
    type: str = "text"
    context: _Context | None = None


class _ErrorData(_Raw):
    details: str | None = None


class _Error(_Raw):
    code: int
    title: str | None = None
    message: str | None = None
    error_data: _ErrorData | None = None

    def line(self) -> str:
        detail = self.error_data.details if self.error_data and self.error_data.details else None
        return f"{self.code}: {detail or self.message or self.title or 'error'}"


class _Status(_Raw):
    id: str
    status: str
    timestamp: int
    recipient_id: str
    errors: list[_Error] = Field(default_factory=list)


class _Metadata(_Raw):
    phone_number_id: str
    display_phone_number: str | None = None


class _Value(_Raw):
    messaging_product: Literal["whatsapp"]
    metadata: _Metadata
    contacts: list[_Contact] = Field(default_factory=list)
    messages: list[_Message] = Field(default_factory=list)
    statuses: list[_Status] = Field(default_factory=list)
    errors: list[_Error] = Field(default_factory=list)


class _Change(_Raw):
    field: str
    value: dict[str, Any]


class _Entry(_Raw):
    id: str
    changes: list[_Change] = Field(default_factory=list)


class _Payload(_Raw):
    object: Literal["whatsapp_business_account"]
    entry: list[_Entry]


# --- what the app uses ------------------------------------------------------------------------------
class IncomingMessage(BaseModel):
    """A message a WhatsApp user sent to the business number. ``text`` is untrusted data."""

    id: str
    phone_number_id: str = Field(description="the business number it was sent to")
    sender: str = Field(description="the sender's WhatsApp id (phone number digits)")
    sender_name: str | None = None
    type: str
    text: str
    at: datetime
    reply_to: str | None = Field(None, description="id of the message this one answers, if any")

    def chat_message(self) -> ChatMessage:
        return ChatMessage(id=self.id, chat=self.sender_name or self.sender,
                           sender=self.sender_name or self.sender, text=self.text, date=self.at)


class WebhookEvents(BaseModel):
    messages: list[IncomingMessage] = Field(default_factory=list)
    statuses: list[WhatsAppStatus] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="errors Meta reported for the number")


def _when(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _text_of(msg: _Message) -> str:
    """A one-line text for any message type; media are named, not loaded."""
    extra: dict[str, Any] = msg.model_extra or {}
    part = extra.get(msg.type)
    part = part if isinstance(part, dict) else {}
    if msg.type == "text":
        return str(part.get("body", ""))
    if msg.type in ("image", "video", "document", "audio", "sticker"):
        caption = part.get("caption") or part.get("filename")
        return f"[{msg.type}]" + (f" {caption}" if caption else "")
    if msg.type == "button":
        return str(part.get("text", "[button]"))
    if msg.type == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        return str(reply.get("title", "[interactive reply]")) if isinstance(reply, dict) else "[interactive reply]"
    if msg.type == "reaction":
        return f"[reaction {part.get('emoji', '')}]".replace(" ]", "]")
    if msg.type == "location":
        return f"[location {part.get('latitude')},{part.get('longitude')}]" + (
            f" {part['name']}" if part.get("name") else "")
    return f"[{msg.type} message]"


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "body"
    return f"{where}: {err['msg']}"


def parse_webhook(payload: bytes | str | Mapping[str, Any]) -> WebhookEvents:
    """The events of one webhook POST. ``WebhookError`` if it is not JSON or not a WhatsApp webhook.
    Changes of other fields (account updates, template reviews) are skipped."""
    if isinstance(payload, bytes | str):
        try:
            data = json.loads(payload)
        except ValueError as exc:
            raise WebhookError(f"webhook body is not JSON: {exc}") from None
    else:
        data = dict(payload)
    try:
        parsed = _Payload.model_validate(data)
    except ValidationError as exc:
        raise WebhookError(f"not a WhatsApp webhook ({_first_error(exc)})") from None
    events = WebhookEvents()
    for entry in parsed.entry:
        for change in entry.changes:
            if change.field != "messages":
                continue
            try:
                value = _Value.model_validate(change.value)
            except ValidationError as exc:
                raise WebhookError(f"malformed 'messages' change ({_first_error(exc)})") from None
            names = {c.wa_id: c.profile.name for c in value.contacts if c.profile and c.profile.name}
            for m in value.messages:
                events.messages.append(IncomingMessage(
                    id=m.id, phone_number_id=value.metadata.phone_number_id, sender=m.sender,
                    sender_name=names.get(m.sender), type=m.type, text=_text_of(m), at=_when(m.timestamp),
                    reply_to=m.context.id if m.context else None))
            for s in value.statuses:
                events.statuses.append(WhatsAppStatus(
                    message_id=s.id, recipient=s.recipient_id, status=s.status, at=_when(s.timestamp),
                    error="; ".join(e.line() for e in s.errors) or None))
            events.errors.extend(e.line() for e in value.errors)
    return events


# --- authenticity -----------------------------------------------------------------------------------
def signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(app_secret: str, body: bytes, header: str | None) -> None:
    """Raise ``WebhookSignatureError`` unless ``header`` is the HMAC-SHA256 of the raw body."""
    if not app_secret:
        raise WebhookSignatureError("no WhatsApp app secret configured: cannot check webhook signatures")
    if not header:
        raise WebhookSignatureError(f"missing {SIGNATURE_HEADER} header")
    algo, _, digest = header.strip().partition("=")
    if algo.lower() != "sha256" or len(digest) != 64:
        raise WebhookSignatureError(f"malformed {SIGNATURE_HEADER} header (expected sha256=<64 hex digits>)")
    if not hmac.compare_digest(signature(app_secret, body), "sha256=" + digest.lower()):
        raise WebhookSignatureError(f"{SIGNATURE_HEADER} does not match the body: request rejected")


def verify_subscription(params: Mapping[str, str], verify_token: str) -> str:
    """The GET handshake when the webhook is registered: returns ``hub.challenge`` to echo back."""
    if params.get("hub.mode") != "subscribe":
        raise WebhookError("hub.mode must be 'subscribe'")
    if not verify_token or not hmac.compare_digest(params.get("hub.verify_token", ""), verify_token):
        raise WebhookSignatureError("hub.verify_token does not match")
    challenge = params.get("hub.challenge", "")
    if not challenge:
        raise WebhookError("hub.challenge is missing")
    return challenge


# --- keyring (through the callables the app passes in) ----------------------------------------------
def _webhook_entry(account: str) -> str:
    return f"{account}:webhook"  # ':' cannot occur in an account name, so no clash with the token entry


def store_webhook_secrets(account: str, app_secret: str, verify_token: str, set_secret: SecretSetter) -> None:
    """Keep the app secret (signatures) and the verify token (subscription) in one keyring entry."""
    if not app_secret or not verify_token:
        raise WebhookError("both the app secret and the verify token are needed")
    set_secret("whatsapp", _webhook_entry(account),
               json.dumps({"app_secret": app_secret, "verify_token": verify_token}))


def webhook_secrets(account: str, get_secret: SecretGetter) -> tuple[str | None, str | None]:
    """(app secret, verify token) of the account from the keyring."""
    raw = get_secret("whatsapp", _webhook_entry(account))
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return data.get("app_secret") or None, data.get("verify_token") or None


class WebhookReceiver:
    """What the server's webhook route calls: check the signature, parse, hand the events on."""

    def __init__(self, app_secret: str, verify_token: str, sink: Any | None = None) -> None:
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.sink = sink  # anything with ingest(WebhookEvents), e.g. WhatsAppInbox

    @classmethod
    def from_secrets(cls, account: str, get_secret: SecretGetter, sink: Any | None = None) -> WebhookReceiver:
        """The receiver of ``account`` with its secrets from ``get_secret`` (the keyring)."""
        app_secret, verify_token = webhook_secrets(account, get_secret)
        if not app_secret or not verify_token:
            raise WebhookError(f"WhatsApp account '{account}' has no app secret / verify token in the keyring")
        return cls(app_secret, verify_token, sink)

    def subscribe(self, params: Mapping[str, str]) -> str:
        return verify_subscription(params, self.verify_token)

    def handle(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvents:
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
        verify_signature(self.app_secret, body, header)
        events = parse_webhook(body)
        if self.sink is not None:
            self.sink.ingest(events)
        return events
