"""Approval records -> what the approval card shows: exactly what will happen, field by field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.engine import ApprovalView

# argument names of the agents' tools -> the card's labels
_LABELS = {
    "to": "Recipient", "cc": "Cc", "recipient": "Recipient", "subject": "Subject", "body": "Body",
    "text": "Text", "title": "Title", "start": "Start", "end": "End", "when": "Time", "due_at": "Time",
    "location": "Location", "amount": "Amount", "currency": "Currency", "uid": "Event", "message_id": "Message",
    "topic": "Topic", "action": "Action", "all_day": "All day",
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
    if isinstance(payload.get("event"), dict):
        args.append(payload["event"])
    for call in payload.get("calls") or []:
        if isinstance(call, dict) and isinstance(call.get("args"), dict):
            args.append(call["args"])
    for a in args:
        for k, v in a.items():
            if v is None or v == "" or v == []:
                continue
            label = _LABELS.get(k, k.replace("_", " ").capitalize())
            out[label] = f"{out[label]}; {_shown(v)}" if label in out and label != "Action" else _shown(v)
    return out


def approval_view(rec: Any) -> ApprovalView:
    """From an ``agents.approvals.ApprovalRecord``."""
    return ApprovalView(id=rec.id, action=rec.action, summary=rec.summary,
                        details=details_of(rec.action, rec.payload), created_at=rec.created_at,
                        expires_at=rec.expires_at)
