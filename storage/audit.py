"""The audit log: every sensitive operation (credential change, send, delete, money, approval)
is recorded with when, what, target and outcome. Secrets never reach it: details are scrubbed."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from storage.db.engine import Database
from storage.db.models import AuditEntry

Outcome = Literal["ok", "failed", "approved", "denied", "expired", "requested"]

_SECRET_PATTERNS = [
    re.compile(r"(?i)\b(authorization\s*[:=]\s*)?(bearer|basic)\s+[a-z0-9._\-+/=]+"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),  # a JWT (sign-in tokens)
]
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^@\s/]+@")  # scheme://user:password@host
# a value whose name says it is secret, as key=value, key: value, "key": "value" or a query parameter
# (?key=value&...): the name stays, the value goes. Short names (pin, tan, code, key) count only whole.
_SECRET_NAME = (r"(?:[\w.\-]*(?:password|passwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key"
                r"|signature|authorization|credential)[\w.\-]*|pwd|pin|tan|code|key)")
_SECRET_VALUE = re.compile(
    r"(?i)(?<![\w.\-])(" + _SECRET_NAME + r"[\"']?\s*[:=]\s*)(?!\[redacted\])(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s&,;\"'}\])]+)")


_NAME_HINTS = ("pass", "secret", "token", "key", "signature", "authorization", "credential", "pwd", "pin", "tan",
               "code")  # a line with none of these has no named secret: the slow pattern is skipped (log lines)


def scrub(text: str) -> str:
    """Remove anything that looks like a credential from a free-text detail, a log line or a URL."""
    for pat in _SECRET_PATTERNS:
        text = pat.sub("[redacted]", text)
    if "://" in text:
        text = _URL_PASSWORD.sub(r"\1[redacted]@", text)
    low = text.lower()
    if any(h in low for h in _NAME_HINTS):
        text = _SECRET_VALUE.sub(r"\1[redacted]", text)
    return text


# Called with (action, outcome) after each record is written: the app's metrics count approvals and
# failed sign-ins here, the one place every sensitive operation passes. A failing listener is logged.
listeners: list[Callable[[str, str], None]] = []


class AuditRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    action: str
    target: str
    outcome: str
    actor: str
    detail: str


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self, action: str, target: str, outcome: Outcome, detail: str = "", actor: str = "user"
    ) -> AuditRecord:
        entry = AuditEntry(
            action=action, target=scrub(target)[:500], outcome=outcome, actor=actor, detail=scrub(detail)
        )
        with self.db.session() as s:
            s.add(entry)
            s.flush()
            rec = AuditRecord.model_validate(entry)
        for listener in listeners:
            try:
                listener(action, outcome)
            except Exception:
                logging.getLogger(__name__).exception("audit listener failed")
        return rec

    def recent(self, limit: int = 50, action: str | None = None) -> list[AuditRecord]:
        with self.db.session() as s:
            q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            if action:
                q = q.where(AuditEntry.action == action)
            return [AuditRecord.model_validate(e) for e in s.scalars(q)]


def record_quietly(audit: AuditLog | None, action: str, target: str, outcome: Outcome, detail: str = "") -> None:
    """Record if there is an audit log; a failing audit write is logged, never raised: the action it
    describes has already happened (a sent mail stays sent) and its result must reach the user."""
    if audit is None:
        return
    try:
        audit.record(action, target, outcome, detail)
    except Exception:
        logging.getLogger(__name__).exception("audit record failed: %s %s", action, target)
