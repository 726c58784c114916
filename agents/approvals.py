"""Approvals: every action with a side effect waits here for the user's explicit yes or no.

The assistant states exactly what it will do (``summary``), the user answers by voice or button,
then the action runs or is dropped. A request not answered within ``ttl`` expires. Every step
(requested, approved, denied, expired, then ok/failed) goes to the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from agents.replies import ApprovalInfo
from storage.audit import AuditLog
from storage.bilingual import Bilingual
from storage.db.agents import PendingApproval
from storage.db.engine import Database

DEFAULT_TTL = timedelta(minutes=5)
Status = Literal["pending", "approved", "denied", "expired", "done", "failed"]


class ApprovalError(Bilingual):
    """Unknown approval id or one that was already decided."""


class AlreadyDecided(ApprovalError):
    """Decided meanwhile by another device or server process: this decision did nothing."""


class ApprovalRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: datetime
    expires_at: datetime
    status: str
    action: str
    summary: str
    source: str
    payload: dict[str, Any]
    result: str

    def info(self) -> ApprovalInfo:
        return ApprovalInfo(id=self.id, action=self.action, summary=self.summary,
                            details=details_of(self.action, self.payload), created_at=self.created_at,
                            provenance=[str(p) for p in self.payload.get("provenance") or []],
                            expires_at=self.expires_at)


# argument names of the agents' tools -> the card's labels
_LABELS = {
    "to": "Recipient", "cc": "Cc", "recipient": "Recipient", "subject": "Subject", "body": "Body",
    "text": "Text", "title": "Title", "start": "Start", "end": "End", "when": "Time", "due_at": "Time",
    "location": "Location", "amount": "Amount", "currency": "Currency", "uid": "Event", "message_id": "Message",
    "topic": "Topic", "action": "Action", "all_day": "All day", "payee": "Payee", "iban": "IBAN",
    "bic": "BIC", "from_iban": "From account", "purpose": "Purpose", "execute_on": "Execution date",
}


def _shown(v: Any) -> str:
    if isinstance(v, str) and len(v) >= 16 and v[4:5] == "-" and v[10:11] == "T":
        try:
            return datetime.fromisoformat(v).strftime("%a %d %b %Y, %H:%M")
        except ValueError:
            return v
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "" if v is None else str(v)


def details_of(action: str, payload: dict[str, Any]) -> dict[str, str]:
    """Label -> value for every argument of the action (none hidden)."""
    out: dict[str, str] = {"Action": action}
    args: list[dict[str, Any]] = []
    for key in ("event", "transfer", "reminder"):  # a local action's arguments
        if isinstance(payload.get(key), dict):
            args.append(payload[key])
    for call in payload.get("calls") or []:
        if isinstance(call, dict) and isinstance(call.get("args"), dict):
            args.append(call["args"])
    for a in args:
        for k, v in a.items():
            if v is None or v == "" or v == []:
                continue
            label = _LABELS.get(k, k.replace("_", " ").capitalize())
            out[label] = f"{out[label]}; {_shown(v)}" if label in out and label != "Action" else _shown(v)
    if payload.get("provenance"):
        out["Read before"] = "; ".join(map(str, payload["provenance"]))
    return out


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _record(row: PendingApproval) -> ApprovalRecord:
    rec = ApprovalRecord.model_validate(row)
    rec.created_at = _aware(rec.created_at)
    rec.expires_at = _aware(rec.expires_at)
    return rec


class ApprovalStore:
    def __init__(self, db: Database, audit: AuditLog, ttl: timedelta = DEFAULT_TTL) -> None:
        self.db = db
        self.audit = audit
        self.ttl = ttl

    def request(self, action: str, summary: str, payload: dict[str, Any], now: datetime,
                source: str = "local") -> ApprovalRecord:
        with self.db.session() as s:
            row = PendingApproval(action=action, summary=summary, payload=payload, source=source,
                                  expires_at=(now + self.ttl).astimezone(UTC), created_at=now.astimezone(UTC))
            s.add(row)
            s.flush()
            rec = _record(row)
        self.audit.record(f"approval.{action}", summary, "requested", f"approval #{rec.id} ({source})",
                          actor="assistant")
        return rec

    def expire_old(self, now: datetime) -> list[ApprovalRecord]:
        expired: list[ApprovalRecord] = []
        with self.db.session() as s:
            for row in s.scalars(select(PendingApproval).where(PendingApproval.status == "pending")):
                if _aware(row.expires_at) <= now:
                    row.status = "expired"
                    row.decided_at = now.astimezone(UTC)
                    expired.append(_record(row))
        for rec in expired:
            self.audit.record(f"approval.{rec.action}", rec.summary, "expired", f"approval #{rec.id}",
                              actor="assistant")
        return expired

    def pending(self, now: datetime) -> ApprovalRecord | None:
        """The newest approval still waiting (older ones past their time are expired first)."""
        self.expire_old(now)
        with self.db.session() as s:
            row = s.scalar(select(PendingApproval).where(PendingApproval.status == "pending")
                           .order_by(PendingApproval.id.desc()).limit(1))
            return _record(row) if row is not None else None

    def waiting(self, now: datetime) -> list[ApprovalRecord]:
        """Every approval still waiting, newest first (those past their time are expired first)."""
        self.expire_old(now)
        with self.db.session() as s:
            rows = s.scalars(select(PendingApproval).where(PendingApproval.status == "pending")
                             .order_by(PendingApproval.id.desc()))
            return [_record(r) for r in rows]

    def latest(self) -> ApprovalRecord | None:
        """The newest approval in any state."""
        with self.db.session() as s:
            row = s.scalar(select(PendingApproval).order_by(PendingApproval.id.desc()).limit(1))
            return _record(row) if row is not None else None

    def get(self, approval_id: int) -> ApprovalRecord:
        with self.db.session() as s:
            row = s.get(PendingApproval, approval_id)
            if row is None:
                raise ApprovalError(f"no approval #{approval_id}", de=f"keine Freigabe #{approval_id}")
            return _record(row)

    def decide(self, approval_id: int, approve: bool, now: datetime, actor: str = "user") -> ApprovalRecord:
        """Record the user's decision. Past its time, the request expires instead (and is not run)."""
        self.expire_old(now)
        with self.db.session() as s:
            # one conditional update: of two decisions at once (two devices, two server processes) one wins,
            # the other finds it decided; a read-then-write let both win and the action ran twice
            res = s.execute(update(PendingApproval)
                            .where(PendingApproval.id == approval_id, PendingApproval.status == "pending")
                            .values(status="approved" if approve else "denied", decided_at=now.astimezone(UTC))
                            .execution_options(synchronize_session=False))
            won = bool(getattr(res, "rowcount", 0))
            row = s.get(PendingApproval, approval_id, populate_existing=True)
            if row is None:
                raise ApprovalError(f"no approval #{approval_id}", de=f"keine Freigabe #{approval_id}")
            if not won:
                raise AlreadyDecided(f"approval #{approval_id} is already {row.status}")
            rec = _record(row)
        self.audit.record(f"approval.{rec.action}", rec.summary, "approved" if approve else "denied",
                          f"approval #{rec.id}", actor=actor)
        return rec

    def finish(self, approval_id: int, ok: bool, result: str) -> ApprovalRecord:
        """After an approved action ran: store its result and audit the outcome."""
        with self.db.session() as s:
            row = s.get(PendingApproval, approval_id)
            if row is None:
                raise ApprovalError(f"no approval #{approval_id}", de=f"keine Freigabe #{approval_id}")
            row.status = "done" if ok else "failed"
            row.result = result[:4000]
            rec = _record(row)
        self.audit.record(rec.action, rec.summary, "ok" if ok else "failed", result[:500], actor="assistant")
        return rec
