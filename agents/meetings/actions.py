"""Action items -> calendar events, through the approval flow: nothing is created until the user says
yes. Each item with a due date becomes a pending ``calendar.create_event`` approval (the assistant runs
approved ones with the connected calendar); the summary says exactly what will be created."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from agents.meetings.models import ActionItem, MeetingInfo
from agents.models import NewEvent

if TYPE_CHECKING:
    from agents.approvals import ApprovalRecord, ApprovalStore


def event_for(item: ActionItem, meeting: MeetingInfo, tz: tzinfo, at: time = time(9, 0)) -> NewEvent | None:
    if item.due is None:
        return None
    start = datetime.combine(item.due, at, tzinfo=tz)
    owner = f" ({item.owner})" if item.owner else ""
    return NewEvent(title=(item.text[:180] + owner)[:500], start=start, end=start + timedelta(minutes=30),
                    description=f"Action item from the meeting \"{meeting.title}\" "
                                f"({meeting.started_at.date().isoformat()}), said at {item.at_s or 0:.0f} s.")


def propose_action_items(meeting: MeetingInfo, approvals: ApprovalStore, now: datetime, tz: tzinfo) -> list[ApprovalRecord]:
    """One pending approval per dated action item; returns them (empty if there are none)."""
    out: list[ApprovalRecord] = []
    if meeting.notes is None:
        return out
    for item in meeting.notes.action_items:
        ev = event_for(item, meeting, tz)
        if ev is None:
            continue
        summary = f"Create the event \"{ev.title}\" on {ev.start.strftime('%Y-%m-%d %H:%M')}"
        out.append(approvals.request("calendar.create_event", summary, {"event": ev.model_dump(mode="json")}, now))
    return out
