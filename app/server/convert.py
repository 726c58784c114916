"""From the assistant's types (AgentReply, ApprovalRecord) to the engine's plain data."""

from __future__ import annotations

import uuid
from typing import Any

from agents.approvals import ApprovalRecord
from agents.replies import AgentReply
from app.engine import ApprovalView, TurnReply


def _flat(args: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in args.items():
        if isinstance(v, list):
            out[prefix + k] = ", ".join(map(str, v))
        elif isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        elif v is not None:
            out[prefix + k] = str(v)
    return out


def approval_view(rec: ApprovalRecord) -> ApprovalView:
    details: dict[str, str] = {}
    calls = rec.payload.get("calls")
    if isinstance(calls, list):
        many = len(calls) > 1
        for i, c in enumerate(calls):
            if isinstance(c, dict) and isinstance(c.get("args"), dict):
                details.update(_flat(c["args"], f"{i + 1}." if many else ""))
    elif isinstance(rec.payload.get("event"), dict):
        details = _flat(rec.payload["event"])
    return ApprovalView(id=rec.id, action=rec.action, summary=rec.summary, details=details,
                        created_at=rec.created_at, expires_at=rec.expires_at)


def turn_reply(user_text: str, reply: AgentReply, approval: ApprovalRecord | None,
               turn_id: str | None = None) -> TurnReply:
    return TurnReply(turn_id=turn_id or uuid.uuid4().hex, user_text=user_text, spoken=reply.spoken, text=reply.text,
                     source=reply.source, language=reply.language,
                     approval=approval_view(approval) if approval is not None else None, error=reply.error)
