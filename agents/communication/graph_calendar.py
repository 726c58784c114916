"""Microsoft 365 / Outlook.com calendars through Microsoft Graph; implements ``agents.deps.CalendarService``
like the CalDAV service, so the agents and the local intents need no change.

- ``GET /me/calendarView`` (occurrences of recurring events expanded by Graph) with every
  ``@odata.nextLink`` page, times asked for in UTC (``Prefer: outlook.timezone="UTC"``) and shown in the
  user's zone; all-day events as local midnight to midnight.
- ``POST /me/events`` with a ``transactionId`` derived from title and start, so a retry never makes a
  second event; ``PATCH`` moves, ``DELETE`` deletes. The caller (the agent) asks the user's yes first.
- Every request carries the OAuth session's bearer token; a 401 refreshes it once and repeats the request;
  a withdrawn grant is ``SignInRequired`` (one sentence, "sign in again")."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

import httpx

from agents.communication.calendar import FreeTime, _local_tz
from agents.communication.models import CalendarInfo
from agents.communication.oauth import OAuthSession
from agents.deps import ServiceError
from agents.models import CalendarEvent, NewEvent
from storage.audit import AuditLog, record_quietly

log = logging.getLogger(__name__)
GRAPH_URL = "https://graph.microsoft.com/v1.0"


class GraphCalendarService(FreeTime):
    def __init__(self, session: OAuthSession, base_url: str = GRAPH_URL, tz: tzinfo | None = None,
                 audit: AuditLog | None = None, account: str = "calendar", timeout_s: float = 20.0) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.tz = _local_tz(tz)
        self.audit = audit
        self.account = account
        self._http = httpx.Client(timeout=timeout_s, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        """One Graph request; refused with 401: a refreshed token, once."""
        url = url if url.startswith("http") else f"{self.base_url}{url}"
        for force in (False, True):
            headers = {"Authorization": f"Bearer {self.session.access_token(force=force)}",
                       "Prefer": 'outlook.timezone="UTC"'}
            try:
                reply = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                raise ServiceError(f"{what}: cannot reach Microsoft Graph ({type(exc).__name__})") from None
            if reply.status_code != 401:
                break
            log.info("Graph refused the access token of '%s'; refreshing it once", self.account)
        if reply.status_code == 401:
            raise ServiceError(f"{what}: Microsoft Graph refused the sign-in of '{self.account}' with a fresh token")
        if reply.status_code >= 400:
            try:
                message = str(reply.json()["error"]["message"])
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {reply.status_code}"
            raise ServiceError(f"{what}: Microsoft Graph said {message.splitlines()[0][:200]}")
        return reply

    # --- reading ----------------------------------------------------------------------------------
    def calendars(self) -> list[CalendarInfo]:
        reply = self._request("GET", "/me/calendars", "listing calendars")
        return [CalendarInfo(name=str(c.get("name")), url=f"{self.base_url}/me/calendars/{c.get('id')}")
                for c in reply.json().get("value", [])]

    def events(self, start: datetime, end: datetime, calendar: str | None = None) -> list[CalendarEvent]:
        """CalendarService: events overlapping [start, end), occurrences expanded, sorted by start."""
        start, end = self._aware(start), self._aware(end)
        params: dict[str, Any] | None = {
            "startDateTime": start.astimezone(UTC).isoformat(), "endDateTime": end.astimezone(UTC).isoformat(),
            "$top": 50, "$orderby": "start/dateTime"}
        url = "/me/calendarView"
        out: list[CalendarEvent] = []
        for _page in range(200):  # a bound: 10,000 events
            page = self._request("GET", url, "reading the calendar", params=params).json()
            out.extend(self._to_event(item) for item in page.get("value", []))
            url, params = page.get("@odata.nextLink"), None
            if not url:
                break
        out = [e for e in out if e.end > start and e.start < end]
        out.sort(key=lambda e: (e.start, e.title))
        return out

    def _to_event(self, item: dict[str, Any]) -> CalendarEvent:
        all_day = bool(item.get("isAllDay"))
        start, end = self._time(item["start"], all_day), self._time(item["end"], all_day)
        location = (item.get("location") or {}).get("displayName") or None
        body = (item.get("body") or {}).get("content") or item.get("bodyPreview") or None
        return CalendarEvent(uid=str(item["id"]), title=str(item.get("subject") or "(no title)"), start=start,
                             end=end, all_day=all_day, location=location, description=body, calendar="Calendar")

    def _time(self, value: dict[str, Any], all_day: bool) -> datetime:
        raw = datetime.fromisoformat(str(value["dateTime"])[:26])
        if all_day:  # Graph gives all-day events as midnight of the dates
            return datetime.combine(raw.date(), time(0), tzinfo=self.tz)
        return raw.replace(tzinfo=UTC).astimezone(self.tz)

    # --- changes ----------------------------------------------------------------------------------
    def _payload(self, event: NewEvent) -> dict[str, Any]:
        def when(dt: datetime) -> dict[str, str]:
            return {"dateTime": dt.astimezone(UTC).replace(tzinfo=None).isoformat(), "timeZone": "UTC"}

        body: dict[str, Any] = {"subject": event.title, "isAllDay": event.all_day}
        if event.all_day:
            first = event.start.astimezone(self.tz).date()
            last = max(event.end.astimezone(self.tz).date(), first + timedelta(days=1))
            body["start"] = {"dateTime": f"{first.isoformat()}T00:00:00", "timeZone": "UTC"}
            body["end"] = {"dateTime": f"{last.isoformat()}T00:00:00", "timeZone": "UTC"}
        else:
            body["start"], body["end"] = when(self._aware(event.start)), when(self._aware(event.end))
        if event.location:
            body["location"] = {"displayName": event.location}
        if event.description:
            body["body"] = {"contentType": "text", "content": event.description}
        return body

    def create_event(self, event: NewEvent) -> CalendarEvent:
        """CalendarService: create it (idempotent by title and start); returns it with its id as uid."""
        for existing in self.events(event.start, event.end):
            if existing.title.strip().lower() == event.title.strip().lower() and existing.start == event.start:
                self._audit("calendar.create", event.title, "ok", f"exists already as {existing.uid}")
                return existing
        payload = self._payload(event)
        payload["transactionId"] = hashlib.sha256(
            f"{event.title.strip().lower()}|{self._aware(event.start).isoformat()}".encode()).hexdigest()[:32]
        created = self._to_event(self._request("POST", "/me/events", "creating the event", json=payload).json())
        self._audit("calendar.create", event.title, "ok", f"{event.start.isoformat()} uid={created.uid}")
        return created

    def move_event(self, uid: str, start: datetime, end: datetime | None = None) -> CalendarEvent:
        start = self._aware(start)
        if end is None:
            old = self._to_event(self._request("GET", f"/me/events/{uid}", "reading the event").json())
            end = start + (old.end - old.start)
        payload = {"start": {"dateTime": start.astimezone(UTC).replace(tzinfo=None).isoformat(), "timeZone": "UTC"},
                   "end": {"dateTime": self._aware(end).astimezone(UTC).replace(tzinfo=None).isoformat(),
                           "timeZone": "UTC"}, "isAllDay": False}
        moved = self._to_event(self._request("PATCH", f"/me/events/{uid}", "moving the event", json=payload).json())
        self._audit("calendar.move", moved.title, "ok", f"uid={uid} to {start.isoformat()}")
        return moved

    def delete_event(self, uid: str) -> None:
        """CalendarService: delete the event (a whole series when it is the series' id)."""
        self._request("DELETE", f"/me/events/{uid}", "deleting the event")
        self._audit("calendar.delete", uid, "ok")

    def check_login(self) -> str:
        cals = self.calendars()
        return f"Microsoft Graph calendar ok, {len(cals)} calendar(s)"

    def _audit(self, action: str, target: str, outcome: Any, detail: str = "") -> None:
        record_quietly(self.audit, action, f"{self.account}: {target}", outcome, detail)
