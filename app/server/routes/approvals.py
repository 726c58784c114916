"""Actions waiting for the user's yes or no: list, approve (the action runs now), deny."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from agents.approvals import ApprovalError
from app.engine import ApprovalOutcome, ApprovalView
from app.server.api_language import api_error
from app.server.auth import Me, State, problems

router = APIRouter(prefix="/api/v1", tags=["approvals"])
ApprovalId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_STATUS_DE = {"approved": "zugestimmt", "denied": "abgelehnt", "done": "erledigt", "failed": "fehlgeschlagen",
              "expired": "abgelaufen"}


@router.get("/approvals", response_model=list[ApprovalView], responses=problems(401))
def list_approvals(me: Me, st: State) -> list[ApprovalView]:
    """Your actions waiting for yes or no, newest first."""
    asst = st.spaces.assistant(me.user.id)
    return [r.info() for r in asst.approvals.waiting(asst.clock())]


def _decide(st: State, user_id: int, approval_id: int, approve: bool) -> ApprovalOutcome:
    asst = st.spaces.assistant(user_id)
    try:
        rec = asst.approvals.get(approval_id)
    except ApprovalError:
        raise api_error(404, "no such approval", "keine solche Freigabe") from None
    if rec.status != "pending":
        raise api_error(409, f"approval #{approval_id} is already {rec.status}",
                        f"Freigabe #{approval_id} ist schon {_STATUS_DE.get(rec.status, rec.status)}")
    reply = asst.decide(approval_id, approve)
    if reply.error == "approval already decided":  # another device or server process decided it meanwhile
        raise api_error(409, f"approval #{approval_id} was decided meanwhile",
                        f"über Freigabe #{approval_id} wurde inzwischen entschieden")
    status = asst.approvals.get(approval_id).status
    final = status if status in ("done", "failed", "denied", "expired") else "failed"
    return ApprovalOutcome(id=approval_id, status=final, message=reply.spoken,  # type: ignore[arg-type]
                           tan_challenge=reply.tan_challenge)


@router.post("/approvals/{approval_id}/approve", response_model=ApprovalOutcome, responses=problems(401, 404, 409))
def approve(approval_id: ApprovalId, me: Me, st: State) -> ApprovalOutcome:
    """Yes: the action runs now; the outcome says whether it worked."""
    return _decide(st, me.user.id, approval_id, True)


@router.post("/approvals/{approval_id}/deny", response_model=ApprovalOutcome, responses=problems(401, 404, 409))
def deny(approval_id: ApprovalId, me: Me, st: State) -> ApprovalOutcome:
    """No: nothing is done."""
    return _decide(st, me.user.id, approval_id, False)
