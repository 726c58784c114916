"""Calendars over CalDAV (caldav 3.x); implements ``agents.deps.CalendarService``.

Events in a range come back with recurring events expanded (each occurrence separate), all-day
events as local midnight to midnight with ``all_day=True``, floating times in the user's zone and
zoned times converted to it. Creating is idempotent: the same title at the same start is not
created twice, and a retry after a dropped connection PUTs the same UID (same resource), so a
fault never duplicates an event. The caller (the agent) asks the user's approval before it calls
``create_event``, ``move_event`` or ``delete_event``."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal, TypeVar

from icalendar import Calendar as ICalendar
from icalendar import Event as IEvent

from agents.communication.models import BusySlot, CalendarInfo, CalendarServerConfig, FreeSlot
from agents.communication.oauth import OAuthSession
from agents.deps import ServiceError
from agents.models import CalendarEvent, NewEvent
from storage.audit import AuditLog, record_quietly

log = logging.getLogger(__name__)
T = TypeVar("T")
DayPart = Literal["morning", "afternoon", "evening", "working hours", "day"]
DAY_PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(8), time(12)), "afternoon": (time(12), time(18)), "evening": (time(18), time(22)),
    "working hours": (time(9), time(17)), "day": (time(8), time(20)),
}


def _local_tz(tz: tzinfo | None) -> tzinfo:
    return tz or datetime.now().astimezone().tzinfo or datetime.now().astimezone().tzinfo  # type: ignore[return-value]


class FreeTime:
    """Busy and free time from ``events`` (shared by the CalDAV and the Graph calendar)."""

    tz: tzinfo

    def events(self, start: datetime, end: datetime, calendar: str | None = None) -> list[CalendarEvent]:
        raise NotImplementedError

    def _aware(self, value: datetime) -> datetime:
        return value.replace(tzinfo=self.tz) if value.tzinfo is None else value

    def busy(self, start: datetime, end: datetime) -> list[BusySlot]:
        """Merged busy intervals in [start, end) (all-day events count as busy)."""
        slots: list[BusySlot] = []
        for ev in self.events(start, end):
            s, e = max(ev.start, start), min(ev.end, end)
            if slots and s <= slots[-1].end:
                slots[-1].end = max(slots[-1].end, e)
                slots[-1].title = None
            else:
                slots.append(BusySlot(start=s, end=e, title=ev.title))
        return slots

    def free_slots(self, start: datetime, end: datetime, minutes: int = 60) -> list[FreeSlot]:
        start, end = self._aware(start), self._aware(end)
        free: list[FreeSlot] = []
        cursor = start
        for b in self.busy(start, end):
            if b.start - cursor >= timedelta(minutes=minutes):
                free.append(FreeSlot(start=cursor, end=b.start))
            cursor = max(cursor, b.end)
        if end - cursor >= timedelta(minutes=minutes):
            free.append(FreeSlot(start=cursor, end=end))
        return free

    def find_free_slot(self, day: date, part: DayPart = "afternoon", minutes: int = 60) -> FreeSlot | None:
        """The first free stretch of ``minutes`` in that part of the day ("a free hour on Thursday afternoon")."""
        a, b = DAY_PARTS[part]
        slots = self.free_slots(datetime.combine(day, a, self.tz), datetime.combine(day, b, self.tz), minutes)
        if not slots:
            return None
        return FreeSlot(start=slots[0].start, end=slots[0].start + timedelta(minutes=minutes))


class BearerAuth:
    """``Authorization: Bearer <access token>`` on every request (niquests' auth hook), the token from an
    ``OAuthSession`` (refreshed by it before expiry)."""

    def __init__(self, session: OAuthSession) -> None:
        self.session = session

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.session.access_token()}"
        return request


class CalDavCalendarService(FreeTime):
    def __init__(self, config: CalendarServerConfig, password: str, tz: tzinfo | None = None,
                 audit: AuditLog | None = None, account: str = "caldav", oauth: OAuthSession | None = None) -> None:
        self.config = config
        self._password = password
        self.oauth = oauth  # set: every request carries its bearer token (Google's CalDAV)
        self.tz = _local_tz(tz)
        self.audit = audit
        self.account = account
        self._client: Any = None
        self._cals: dict[str, Any] | None = None

    # --- connection -------------------------------------------------------------------------------
    def _connect(self) -> Any:
        from caldav.davclient import DAVClient

        if self.oauth is not None:
            return DAVClient(url=self.config.url, auth=BearerAuth(self.oauth),  # type: ignore[arg-type]
                             timeout=int(self.config.timeout_s), ssl_verify_cert=self.config.ca_file or True)
        return DAVClient(url=self.config.url, username=self.config.username, password=self._password,
                         timeout=int(self.config.timeout_s), ssl_verify_cert=self.config.ca_file or True)

    def _run(self, op: Callable[[], T], what: str, retry: bool = True) -> T:
        from caldav.lib import error as caldav_error

        refreshed = False
        for attempt in (1, 2, 3):
            try:
                if self._client is None:
                    self._client = self._connect()
                return op()
            except ServiceError:
                raise
            except caldav_error.AuthorizationError:
                if self.oauth is not None and not refreshed:  # a withdrawn access token: refresh once
                    refreshed = True
                    self.oauth.access_token(force=True)
                    continue
                if self.oauth is not None:
                    raise ServiceError(f"{what}: the calendar server refused the sign-in of "
                                       f"'{self.config.username}' with a fresh token") from None
                raise ServiceError(f"{what}: the calendar server refused the login of "
                                   f"'{self.config.username}' (wrong password?)") from None
            except caldav_error.NotFoundError as exc:
                raise ServiceError(f"{what}: not found on the calendar server ({_first_line(exc)})") from None
            except caldav_error.DAVError as exc:
                raise ServiceError(f"{what}: the calendar server said {_first_line(exc)}") from None
            except Exception as exc:  # transport errors (requests/niquests/httpx flavours), time-outs
                self._client, self._cals = None, None
                if attempt >= 2 or not retry:
                    raise ServiceError(f"{what}: cannot reach the calendar server {self.config.url} "
                                       f"({_transport_reason(exc)})") from None
                log.warning("CalDAV %s failed (%s); reconnecting once", what, exc)
        raise AssertionError("unreachable")

    def _calendars(self) -> dict[str, Any]:
        if self._cals is None:
            cals = self._client.principal().calendars()
            self._cals = {str(c.get_display_name() or c.url): c for c in cals}
        return self._cals

    def _calendar(self, name: str | None) -> Any:
        cals = self._calendars()
        if not cals:
            raise ServiceError("the calendar account has no calendars")
        name = name or self.config.default_calendar
        if name is None:
            return next(iter(cals.values()))
        for key, cal in cals.items():
            if key.lower() == name.lower():
                return cal
        raise ServiceError(f"no calendar named '{name}': there are {', '.join(cals)}")

    # --- reading ----------------------------------------------------------------------------------
    def calendars(self) -> list[CalendarInfo]:
        return self._run(lambda: [CalendarInfo(name=n, url=str(c.url)) for n, c in self._calendars().items()],
                         "listing calendars")

    def events(self, start: datetime, end: datetime, calendar: str | None = None) -> list[CalendarEvent]:
        """CalendarService: events overlapping [start, end), recurrences expanded, sorted by start."""
        start, end = self._aware(start), self._aware(end)

        def op() -> list[CalendarEvent]:
            cals = [(calendar, self._calendar(calendar))] if calendar else list(self._calendars().items())
            out: list[CalendarEvent] = []
            for name, cal in cals:
                for obj in cal.search(start=start, end=end, event=True, expand=True):
                    for comp in obj.icalendar_instance.walk("VEVENT"):
                        ev = self._to_event(comp, name)
                        if ev.end > start and ev.start < end:
                            out.append(ev)
            out.sort(key=lambda e: (e.start, e.title))
            return out

        return self._run(op, "reading the calendar")

    def _to_event(self, comp: IEvent, calendar: str | None) -> CalendarEvent:
        raw_start = comp.decoded("DTSTART")
        all_day = isinstance(raw_start, date) and not isinstance(raw_start, datetime)
        start = self._as_datetime(raw_start)
        if "DTEND" in comp:
            end = self._as_datetime(comp.decoded("DTEND"))
        elif "DURATION" in comp:
            end = start + comp.decoded("DURATION")
        else:
            end = start + (timedelta(days=1) if all_day else timedelta(0))
        return CalendarEvent(uid=str(comp.get("UID", "")), title=str(comp.get("SUMMARY", "(no title)")),
                             start=start, end=end, all_day=all_day,
                             location=str(comp["LOCATION"]) if comp.get("LOCATION") else None,
                             description=str(comp["DESCRIPTION"]) if comp.get("DESCRIPTION") else None,
                             calendar=calendar)

    def _as_datetime(self, value: date | datetime) -> datetime:
        if isinstance(value, datetime):
            return value.replace(tzinfo=self.tz) if value.tzinfo is None else value.astimezone(self.tz)
        return datetime.combine(value, time(0), tzinfo=self.tz)

    # --- changes ----------------------------------------------------------------------------------
    def create_event(self, event: NewEvent) -> CalendarEvent:
        """CalendarService: create it (idempotent by title and start); returns it with its uid."""
        for existing in self.events(event.start, event.end, event.calendar):
            if existing.title.strip().lower() == event.title.strip().lower() and existing.start == event.start:
                self._audit("calendar.create", event.title, "ok", f"exists already as {existing.uid}")
                return existing
        uid = f"{uuid.uuid4()}@personal-agent"
        ical = self._ical(event, uid)

        def op() -> None:
            cal = self._calendar(event.calendar)
            cal.add_event(ical)

        self._run(op, "creating the event")  # a retry PUTs the same UID: no duplicate
        self._audit("calendar.create", event.title, "ok", f"{event.start.isoformat()} uid={uid}")
        return CalendarEvent(uid=uid, title=event.title, start=event.start, end=event.end, all_day=event.all_day,
                             location=event.location, description=event.description,
                             calendar=event.calendar or self._default_name())

    def _default_name(self) -> str | None:
        try:
            return str(self._calendar(None).get_display_name())
        except Exception:
            return None

    def _ical(self, event: NewEvent, uid: str) -> str:
        cal = ICalendar()
        cal.add("PRODID", "-//personal-agent//EN")
        cal.add("VERSION", "2.0")
        ev = IEvent()
        ev.add("UID", uid)
        ev.add("SUMMARY", event.title)
        ev.add("DTSTAMP", datetime.now(self.tz))
        if event.all_day:
            ev.add("DTSTART", event.start.astimezone(self.tz).date())
            ev.add("DTEND", max(event.end.astimezone(self.tz).date(),
                                event.start.astimezone(self.tz).date() + timedelta(days=1)))
        else:
            ev.add("DTSTART", event.start)
            ev.add("DTEND", event.end)
        if event.location:
            ev.add("LOCATION", event.location)
        if event.description:
            ev.add("DESCRIPTION", event.description)
        cal.add_component(ev)
        return cal.to_ical().decode()

    def _find(self, uid: str) -> tuple[Any, Any]:
        for cal in self._calendars().values():
            try:
                return cal, cal.event_by_uid(uid)
            except Exception as exc:
                if type(exc).__name__ != "NotFoundError":
                    raise
        raise ServiceError(f"no event with uid {uid}")

    def move_event(self, uid: str, start: datetime, end: datetime | None = None) -> CalendarEvent:
        start = self._aware(start)

        def op() -> CalendarEvent:
            cal, obj = self._find(uid)
            comp = obj.icalendar_component
            old = self._to_event(comp, None)
            new_end = self._aware(end) if end else start + (old.end - old.start)
            for key in ("DTSTART", "DTEND", "DURATION"):
                if key in comp:
                    del comp[key]
            comp.add("DTSTART", start)
            comp.add("DTEND", new_end)
            obj.save()
            return old.model_copy(update={"start": start, "end": new_end, "all_day": False,
                                          "calendar": str(cal.get_display_name())})

        moved = self._run(op, "moving the event")
        self._audit("calendar.move", moved.title, "ok", f"uid={uid} to {start.isoformat()}")
        return moved

    def delete_event(self, uid: str) -> None:
        """CalendarService: delete the event (whole series) with this uid."""
        def op() -> None:
            _cal, obj = self._find(uid)
            obj.delete()

        self._run(op, "deleting the event", retry=False)
        self._audit("calendar.delete", uid, "ok")

    def check_login(self) -> str:
        cals = self.calendars()
        return f"CalDAV login ok, {len(cals)} calendar(s)"

    def _audit(self, action: str, target: str, outcome: Any, detail: str = "") -> None:
        record_quietly(self.audit, action, f"{self.account}: {target}", outcome, detail)


def _first_line(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:300]


def _transport_reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if "refused" in text.lower():
        return "connection refused (is the server down or the URL wrong?)"
    if "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        return "timed out"
    return _first_line(exc)
