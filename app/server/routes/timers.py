"""Timers and reminders you can see (the timers panel of a phone or browser on the home server): the
user's list (what rings now first), cancel or stop one, snooze one. A timer is set by a turn ("set a
timer for 5 minutes"); what rang is found when the list is read (a client asks every few seconds)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response

from app import timers as board
from app.engine import TIMER_ID_PATTERN, TimerView
from app.server.auth import Me, State, problems

router = APIRouter(prefix="/api/v1", tags=["timers"])
TimerId = Annotated[str, Path(pattern=TIMER_ID_PATTERN, max_length=20,
                              description="'timer-<n>' or 'reminder-<n>' from the list")]


@router.get("/timers", response_model=list[TimerView], responses=problems(401))
def list_timers(me: Me, st: State) -> list[TimerView]:
    """Your timers and the reminders of the next day: those that ring now first, then soonest first."""
    asst = st.spaces.assistant(me.user.id)
    return board.board(asst.memory, asst.clock())


@router.post("/timers/{timer_id}/cancel", status_code=204, response_class=Response,
             responses=problems(401, 404, 409, 422))
def cancel_timer(timer_id: TimerId, me: Me, st: State) -> Response:
    """Cancel a running timer or reminder, or stop one that rings."""
    asst = st.spaces.assistant(me.user.id)
    try:
        board.cancel(asst.memory, timer_id, asst.clock())
    except board.TimerError as exc:
        raise HTTPException(exc.status, exc) from None
    return Response(status_code=204)


@router.post("/timers/{timer_id}/snooze", response_model=TimerView, responses=problems(401, 404, 409, 422))
def snooze_timer(timer_id: TimerId, me: Me, st: State,
                 minutes: Annotated[int, Query(ge=1, le=board.MAX_SNOOZE_MINUTES)] = board.SNOOZE_MINUTES) -> TimerView:
    """Ring again ``minutes`` later (from now for one that rings, else from its end)."""
    asst = st.spaces.assistant(me.user.id)
    try:
        return board.snooze(asst.memory, timer_id, asst.clock(), minutes)
    except board.TimerError as exc:
        raise HTTPException(exc.status, exc) from None
