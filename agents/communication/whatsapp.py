"""WhatsApp Business Cloud API client: send text and template messages (the caller has the user's
approval: the communication delegate's ``send_message`` tool requires it), read what the webhook
delivered, check the login. It satisfies ``agents.deps.MessagingService``.

Requests go to ``POST {base_url}/{version}/{phone-number-id}/messages`` with the access token from
the keyring (kind ``whatsapp``) as a Bearer token, over one reused HTTP connection with time-outs.
Bad input (empty or too long text, no usable number, unknown contact) is refused before any request.
Errors become ``WhatsAppError`` (a ``ServiceError``) with a sentence for the user that says whether
the message was sent. Nothing is retried once the request may have reached the server, so a
message is never sent twice; only a refused connection is tried once more.

An account record (kind ``whatsapp``) keeps ``options.phone_number_id`` and optionally
``api_version``, ``base_url``, ``timeout_s`` and ``contacts`` ("Anna=+49 170 1234567; Tom=...")."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx
from pydantic import BaseModel, Field, ValidationError

from agents.communication.models import WhatsAppConfig, WhatsAppSent
from agents.communication.whatsapp_inbox import WhatsAppInbox, digits
from agents.deps import ServiceError
from agents.models import ChatMessage, SendResult

if TYPE_CHECKING:
    from storage.audit import AuditLog

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # Cloud API limit of text.body
ErrorKind = Literal["input", "auth", "invalid", "template", "rate_limit", "server", "unreachable", "unknown_outcome"]
_RATE_LIMIT_CODES = {4, 80007, 130429, 131048, 131056}
_AUTH_CODES = {0, 190}


class WhatsAppError(ServiceError):
    """A send or check failed. ``sent`` is False when the message certainly did not go out, None when
    the outcome is unknown (no answer after the request was sent)."""

    def __init__(self, message: str, kind: ErrorKind, *, code: int | None = None, http_status: int | None = None,
                 sent: bool | None = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.http_status = http_status
        self.sent = sent


# --- response shapes ---------------------------------------------------------------------------------
class _SentContact(BaseModel):
    input: str
    wa_id: str


class _SentMessage(BaseModel):
    id: str
    message_status: str | None = None


class _SendResponse(BaseModel):
    messaging_product: Literal["whatsapp"]
    contacts: list[_SentContact] = Field(default_factory=list)
    messages: list[_SentMessage] = Field(min_length=1)


class _ErrorData(BaseModel):
    details: str | None = None


class _GraphError(BaseModel):
    message: str = ""
    type: str | None = None
    code: int = 0
    error_data: _ErrorData | None = None
    fbtrace_id: str | None = None


class _ErrorResponse(BaseModel):
    error: _GraphError


class PhoneNumberInfo(BaseModel):
    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None


# --- the client ---------------------------------------------------------------------------------------
def parse_contacts(value: Any) -> dict[str, str]:
    """Contacts from an account option: a dict, or "Anna=+49 170 1234567; Tom=+4915112345678"."""
    if isinstance(value, dict):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    out: dict[str, str] = {}
    for item in re.split(r"[;,\n]", str(value or "")):
        if "=" in item:
            name, number = item.split("=", 1)
            if name.strip() and number.strip():
                out[name.strip()] = number.strip()
    return out


class WhatsAppClient:
    def __init__(self, config: WhatsAppConfig, token: str, *, inbox: WhatsAppInbox | None = None,
                 contacts: dict[str, str] | None = None, audit: AuditLog | None = None,
                 account: str = "whatsapp", transport: httpx.BaseTransport | None = None) -> None:
        if not token:
            raise ServiceError("no WhatsApp access token is stored: add the WhatsApp account again with its token")
        self.config = config
        self._token = token
        self.inbox = inbox or WhatsAppInbox()
        self.contacts = {k.casefold(): v for k, v in (contacts or {}).items()}
        self.audit = audit
        self.account = account
        self._http = httpx.Client(
            base_url=f"{config.base_url.rstrip('/')}/{config.api_version}",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(config.timeout_s, connect=min(config.timeout_s, 10.0)),
            transport=transport or httpx.HTTPTransport(retries=1),  # retries refused connects only
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WhatsAppClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ MessagingService
    def send_message(self, to: str, text: str) -> SendResult:
        """Send a text message (the caller has the user's approval). A failure is ``ok=False`` with the
        reason (the delegate's tool reports it as such); ``send_text`` raises instead."""
        try:
            sent = self.send_text(to, text)
        except WhatsAppError as exc:
            return SendResult(ok=False, detail=str(exc))
        return SendResult(ok=True, id=sent.message_id, detail=f"sent to {sent.to}")

    def recent(self, chat: str | None = None, limit: int = 20) -> list[ChatMessage]:
        return [m.chat_message() for m in self.inbox.recent(chat, limit)]

    # ------------------------------------------------------------ sending
    def resolve(self, to: str) -> str:
        """The recipient's WhatsApp id (digits with country code) for a number or a contact name."""
        name = to.strip()
        if not name:
            raise WhatsAppError("no recipient given: nothing was sent", "input")
        number: str | None = None
        if re.fullmatch(r"[+\d][\d\s().\-/]*", name):
            number = name
        else:
            key = name.casefold()
            number = self.contacts.get(key)
            if number is None:
                found = {v for k, v in self.contacts.items() if k.split()[0] == key}
                if len(found) > 1:
                    raise WhatsAppError(f"several contacts are called '{name}': give the full name or the "
                                        "number; nothing was sent", "input")
                number = found.pop() if found else self.inbox.wa_id_for(name)
        if number is None:
            raise WhatsAppError(f"I don't know a WhatsApp number for '{name}' (no contact of that name and no "
                                "message from them yet): give the number; nothing was sent", "input")
        number = number.strip()
        wa_id = digits(number)
        if number.startswith("00"):
            wa_id = wa_id[2:]
        elif number.startswith("0"):
            raise WhatsAppError(f"'{number}' is a national number: give it with the country code (+49 ...); "
                                "nothing was sent", "input")
        if not 7 <= len(wa_id) <= 15:
            raise WhatsAppError(f"'{number}' is not a phone number in international form (+<country code> ...); "
                                "nothing was sent", "input")
        return wa_id

    def send_text(self, to: str, text: str, *, preview_url: bool = False, reply_to: str | None = None) -> WhatsAppSent:
        body = text.strip()
        if not body:
            raise WhatsAppError("the message is empty: nothing was sent", "input")
        if len(body) > MAX_TEXT:
            raise WhatsAppError(f"the message has {len(body)} characters, WhatsApp allows {MAX_TEXT}: "
                                "nothing was sent (shorten or split it)", "input")
        wa_id = self.resolve(to)
        payload: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id,
                                   "type": "text", "text": {"preview_url": preview_url, "body": body}}
        if reply_to:
            payload["context"] = {"message_id": reply_to}
        return self._send(payload, wa_id, "text")

    def send_template(self, to: str, name: str, language: str = "en_US", params: Sequence[str] = ()) -> WhatsAppSent:
        """Send an approved template (needed outside the 24-hour customer service window)."""
        if not re.fullmatch(r"[a-z0-9_]{1,512}", name):
            raise WhatsAppError(f"'{name}' is not a template name (lower-case letters, digits, _): nothing was sent",
                                "input")
        if any(not str(p).strip() for p in params):
            raise WhatsAppError("a template parameter is empty: nothing was sent", "input")
        wa_id = self.resolve(to)
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if params:
            template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": str(p)}
                                                                       for p in params]}]
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id,
                   "type": "template", "template": template}
        return self._send(payload, wa_id, f"template {name}")

    def _send(self, payload: dict[str, Any], wa_id: str, what: str) -> WhatsAppSent:
        try:
            resp = self._http.post(f"/{self.config.phone_number_id}/messages", json=payload)
        except httpx.HTTPError as exc:
            err = self._transport_error(exc)
            self._audit("whatsapp.send", wa_id, "failed", f"{what}: {err}")
            raise err from None
        if resp.status_code != 200:
            err = self._api_error(resp)
            self._audit("whatsapp.send", wa_id, "failed", f"{what}: {err}")
            raise err
        try:
            data = _SendResponse.model_validate_json(resp.content)
        except ValidationError:
            err = WhatsAppError("WhatsApp answered without a message id: the message may have been sent; check "
                                "the chat before sending again", "unknown_outcome", http_status=200, sent=None)
            self._audit("whatsapp.send", wa_id, "failed", f"{what}: {err}")
            raise err from None
        sent = WhatsAppSent(message_id=data.messages[0].id, to=data.contacts[0].wa_id if data.contacts else wa_id)
        self._audit("whatsapp.send", wa_id, "ok", f"{what} {sent.message_id}")
        return sent

    # ------------------------------------------------------------ login
    def check_login(self) -> str:
        """Read the phone number's info once (for `accounts test`)."""
        try:
            resp = self._http.get(f"/{self.config.phone_number_id}", params={"fields": "id,display_phone_number,verified_name,quality_rating"})
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, sending=False) from None
        if resp.status_code != 200:
            raise self._api_error(resp, sending=False)
        try:
            info = PhoneNumberInfo.model_validate_json(resp.content)
        except ValidationError:
            raise WhatsAppError("WhatsApp answered the login check with something unexpected", "server") from None
        return f"WhatsApp login ok: {info.verified_name or '?'} ({info.display_phone_number or info.id})"

    # ------------------------------------------------------------ errors
    def _where(self) -> str:
        return httpx.URL(self.config.base_url).host or self.config.base_url

    def _transport_error(self, exc: httpx.HTTPError, sending: bool = True) -> WhatsAppError:
        nothing = "; nothing was sent" if sending else ""
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return WhatsAppError(f"cannot reach WhatsApp at {self._where()} ({type(exc).__name__}){nothing}",
                                 "unreachable")
        if isinstance(exc, httpx.TimeoutException | httpx.RemoteProtocolError | httpx.ReadError):
            what = "timed out" if isinstance(exc, httpx.TimeoutException) else "dropped the connection"
            if not sending:
                return WhatsAppError(f"WhatsApp {what}", "unknown_outcome", sent=None)
            return WhatsAppError(f"WhatsApp {what} after the request was sent: the message may or may not have "
                                 "gone out; not retried to avoid a duplicate (check the chat)",
                                 "unknown_outcome", sent=None)
        return WhatsAppError(f"WhatsApp request failed: {type(exc).__name__}: {exc}{nothing}", "unreachable")

    def _api_error(self, resp: httpx.Response, sending: bool = True) -> WhatsAppError:
        status = resp.status_code
        try:
            err: _GraphError | None = _ErrorResponse.model_validate_json(resp.content).error
        except ValidationError:
            err = None
        code = err.code if err else None
        detail = (err.error_data.details if err and err.error_data and err.error_data.details else None) or (
            err.message if err else resp.text[:200].strip() or resp.reason_phrase)
        nothing = ": nothing was sent" if sending else ""
        if code in _AUTH_CODES or status == 401:
            return WhatsAppError(f"WhatsApp rejected the access token (code {code}){nothing}. Store a new token: "
                                 f"personal-agent accounts remove {self.account} and add it again",
                                 "auth", code=code, http_status=status)
        if code in _RATE_LIMIT_CODES or status == 429:
            return WhatsAppError(f"WhatsApp rate limit hit (code {code}){nothing}; try again in a minute",
                                 "rate_limit", code=code, http_status=status)
        if code is not None and 132000 <= code < 133000:
            return WhatsAppError(f"WhatsApp refused the template (code {code}): {detail}{nothing}",
                                 "template", code=code, http_status=status)
        if status >= 500:
            return WhatsAppError(f"WhatsApp server error (HTTP {status}, code {code}): {detail}{nothing}; "
                                 "try again later", "server", code=code, http_status=status)
        return WhatsAppError(f"WhatsApp refused the request (code {code}): {detail}{nothing}",
                             "invalid", code=code, http_status=status)

    def _audit(self, action: str, target: str, outcome: Any, detail: str = "") -> None:
        if self.audit is not None:
            try:
                self.audit.record(action, f"{self.account}: {target}", outcome, detail)
            except Exception:
                log.exception("audit record failed")


# --- building from the account record (the app picks the record and its token: app.wiring) ------------
def whatsapp_config(options: dict[str, Any]) -> WhatsAppConfig:
    """Server config of a whatsapp account record; ValueError if phone_number_id is missing."""
    if not options.get("phone_number_id"):
        raise ValueError("whatsapp account needs -o phone_number_id=<id from the WhatsApp Manager>")
    kw: dict[str, Any] = {"phone_number_id": str(options["phone_number_id"])}
    for key in ("base_url", "api_version"):
        if options.get(key):
            kw[key] = str(options[key])
    if options.get("timeout_s"):
        kw["timeout_s"] = float(options["timeout_s"])
    return WhatsAppConfig(**kw)


def inbox_path(data_dir: Path, account: str) -> Path:
    """Where an account's incoming messages are kept: the server's webhook writes, the assistant reads."""
    return data_dir / "whatsapp" / f"{account}.jsonl"
