"""The calendar service against a real Radicale: recurrences, time zones, all-day, changes, faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agents.communication.calendar import CalDavCalendarService
from agents.communication.models import CalendarServerConfig
from agents.deps import CalendarService, ServiceError
from agents.models import NewEvent
from tests.servers.base import free_port
from tests.servers.radicale import CalUser, RadicaleServer

pytestmark = pytest.mark.integration
BERLIN = ZoneInfo("Europe/Berlin")

SEED = [
    # weekly stand-up on Mondays 09:00 Berlin, from 2 Nov 2026, 10 times
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:standup@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20261102T090000\r\nDTEND;TZID=Europe/Berlin:20261102T093000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    # a call at 10:00 New York on 3 Dec 2026 (= 16:00 Berlin)
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:nyc@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART;TZID=America/New_York:20261203T100000\r\nDTEND;TZID=America/New_York:20261203T110000\r\n"
    "SUMMARY:Call with New York\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    # all-day on 4 Dec 2026
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:holiday@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20261204\r\nDTEND;VALUE=DATE:20261205\r\nSUMMARY:Day off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    # Thursday 3 Dec 13:00-14:00 Berlin, busy
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:dentist@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:20261203T120000Z\r\nDTEND:20261203T130000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
]


def service_for(server: RadicaleServer, user: CalUser, password: str | None = None,
                url: str | None = None) -> CalDavCalendarService:
    cfg = CalendarServerConfig(url=url or server.url, username=user.name, timeout_s=5)
    return CalDavCalendarService(cfg, password or user.password, tz=BERLIN)


@pytest.fixture
def calendar(radicale_server: RadicaleServer) -> Iterator[CalDavCalendarService]:
    user = radicale_server.add_user()
    radicale_server.seed_calendar(user, "personal", SEED, display_name="Personal")
    yield service_for(radicale_server, user)


def test_recurring_weekly_event_is_expanded(calendar: CalDavCalendarService) -> None:
    assert isinstance(calendar, CalendarService)
    evs = calendar.events(datetime(2026, 11, 1, tzinfo=BERLIN), datetime(2026, 12, 1, tzinfo=BERLIN))
    standups = [e for e in evs if e.title == "Stand-up"]
    assert [e.start.day for e in standups] == [2, 9, 16, 23, 30]
    assert all(e.start.hour == 9 and e.end - e.start == timedelta(minutes=30) for e in standups)


def test_other_time_zone_and_all_day_events(calendar: CalDavCalendarService) -> None:
    evs = calendar.events(datetime(2026, 12, 3, tzinfo=BERLIN), datetime(2026, 12, 5, tzinfo=BERLIN))
    by = {e.title: e for e in evs}
    assert by["Call with New York"].start == datetime(2026, 12, 3, 16, 0, tzinfo=BERLIN)
    assert by["Call with New York"].start.utcoffset() == timedelta(hours=1)
    day_off = by["Day off"]
    assert day_off.all_day and day_off.start == datetime(2026, 12, 4, tzinfo=BERLIN)
    assert day_off.end == datetime(2026, 12, 5, tzinfo=BERLIN)
    assert [e.title for e in evs] == ["Dentist", "Call with New York", "Day off"]


def test_free_hour_on_thursday_afternoon(calendar: CalDavCalendarService) -> None:
    slot = calendar.find_free_slot(date(2026, 12, 3), "afternoon", 60)
    assert slot is not None and slot.start == datetime(2026, 12, 3, 12, 0, tzinfo=BERLIN)
    longer = calendar.find_free_slot(date(2026, 12, 3), "afternoon", 90)  # 12-13 is too short now
    assert longer is not None and (longer.start.hour, longer.end.hour, longer.end.minute) == (14, 15, 30)
    busy = calendar.busy(datetime(2026, 12, 3, 12, tzinfo=BERLIN), datetime(2026, 12, 3, 18, tzinfo=BERLIN))
    assert [(b.start.hour, b.end.hour) for b in busy] == [(13, 14), (16, 17)]
    assert calendar.find_free_slot(date(2026, 12, 4), "afternoon", 60) is None  # all-day off


def test_create_move_delete_and_no_duplicates(calendar: CalDavCalendarService) -> None:
    start = datetime(2026, 12, 4, 13, 0, tzinfo=BERLIN)
    new = NewEvent(title="Lunch with Tom", start=start, end=start + timedelta(hours=1))
    created = calendar.create_event(new)
    again = calendar.create_event(new)  # the same request twice (e.g. a retried approval)
    assert again.uid == created.uid
    day = calendar.events(start.replace(hour=0), start.replace(hour=23))
    assert [e.title for e in day].count("Lunch with Tom") == 1
    moved = calendar.move_event(created.uid, start + timedelta(hours=1))
    assert moved.end == start + timedelta(hours=2)
    [lunch] = [e for e in calendar.events(start.replace(hour=0), start.replace(hour=23)) if e.title == "Lunch with Tom"]
    assert lunch.start == start + timedelta(hours=1)
    calendar.delete_event(created.uid)
    assert "Lunch with Tom" not in [e.title for e in calendar.events(start.replace(hour=0), start.replace(hour=23))]
    with pytest.raises(ServiceError, match="no event with uid"):
        calendar.delete_event(created.uid)


def test_wrong_password_and_server_down(radicale_server: RadicaleServer) -> None:
    user = radicale_server.add_user()
    with pytest.raises(ServiceError, match="refused the login"):
        service_for(radicale_server, user, password="wrong").calendars()
    down = service_for(radicale_server, user, url=f"http://127.0.0.1:{free_port()}/")
    with pytest.raises(ServiceError, match=r"cannot reach the calendar server.*connection refused"):
        down.events(datetime(2026, 1, 1, tzinfo=BERLIN), datetime(2026, 1, 2, tzinfo=BERLIN))
    start = datetime(2026, 12, 4, 13, 0, tzinfo=BERLIN)
    with pytest.raises(ServiceError):
        down.create_event(NewEvent(title="x", start=start, end=start + timedelta(hours=1)))
