"""The WhatsApp inbox: incoming messages and delivery statuses from webhooks, kept for ``recent()``.

The Cloud API has no "list my messages" call: what arrives comes only through the webhook. The
inbox keeps what the webhook delivered, de-duplicated by message id (Meta retries deliveries), in
memory and, with a ``path``, appended to a JSON-lines file so the server process that receives
webhooks and a CLI process that answers "any WhatsApp messages?" see the same messages."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from pathlib import Path

from pydantic import ValidationError

from agents.communication.models import WhatsAppStatus
from agents.communication.whatsapp_webhook import IncomingMessage, WebhookEvents

log = logging.getLogger(__name__)


def digits(number: str) -> str:
    """'+49 (170) 123-4567' -> '491701234567'."""
    return re.sub(r"\D", "", number)


class WhatsAppInbox:
    def __init__(self, path: Path | None = None, max_messages: int = 2000) -> None:
        self.path = path
        self.max_messages = max_messages
        self._lock = threading.Lock()
        self._messages: OrderedDict[str, IncomingMessage] = OrderedDict()
        self._statuses: dict[str, WhatsAppStatus] = {}
        self._loaded_size = 0

    # ------------------------------------------------------------ writing
    def ingest(self, events: WebhookEvents) -> int:
        """Store the events; returns how many messages were new (a retried delivery adds none)."""
        with self._lock:
            self._load()
            lines: list[str] = []
            new = 0
            for m in events.messages:
                if m.id in self._messages:
                    continue
                self._messages[m.id] = m
                lines.append(json.dumps({"message": m.model_dump(mode="json")}))
                new += 1
            for s in events.statuses:
                self._statuses[s.message_id] = s
                lines.append(json.dumps({"status": s.model_dump(mode="json")}))
            self._trim()
            if self.path is not None and lines:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write("".join(line + "\n" for line in lines))
                self._loaded_size = self.path.stat().st_size
            return new

    # ------------------------------------------------------------ reading
    def recent(self, chat: str | None = None, limit: int = 20) -> list[IncomingMessage]:
        """Newest first; ``chat`` is a phone number or (part of) the sender's profile name."""
        with self._lock:
            self._load()
            msgs = sorted(self._messages.values(), key=lambda m: m.at, reverse=True)
        if chat:
            want, num = chat.casefold().strip(), digits(chat)
            msgs = [m for m in msgs if (num and len(num) >= 7 and m.sender == num)
                    or (m.sender_name and want in m.sender_name.casefold())]
        return msgs[:max(0, limit)]

    def status(self, message_id: str) -> WhatsAppStatus | None:
        with self._lock:
            self._load()
            return self._statuses.get(message_id)

    def wa_id_for(self, name: str) -> str | None:
        """The WhatsApp id of the latest sender whose profile name is ``name`` (case-insensitive)."""
        want = name.casefold().strip()
        for m in self.recent(limit=self.max_messages):
            if m.sender_name and (m.sender_name.casefold() == want or m.sender_name.casefold().split()[0] == want):
                return m.sender
        return None

    # ------------------------------------------------------------ file
    def _load(self) -> None:
        """Read what other processes appended since the last read (skips lines it cannot parse)."""
        if self.path is None or not self.path.exists():
            return
        size = self.path.stat().st_size
        if size == self._loaded_size:
            return
        start = self._loaded_size if size > self._loaded_size else 0
        with self.path.open("r", encoding="utf-8", errors="replace") as f:
            f.seek(start)
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    if "message" in item:
                        m = IncomingMessage.model_validate(item["message"])
                        self._messages.setdefault(m.id, m)
                    elif "status" in item:
                        s = WhatsAppStatus.model_validate(item["status"])
                        self._statuses[s.message_id] = s
                except (ValueError, ValidationError, TypeError) as exc:
                    log.warning("%s: skipping unreadable line %d: %s", self.path, n, str(exc).splitlines()[0])
        self._loaded_size = size
        self._trim()

    def _trim(self) -> None:
        while len(self._messages) > self.max_messages:
            self._messages.popitem(last=False)
