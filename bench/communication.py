"""Benchmark: search latency over a 10,000-message mailbox (real Dovecot) and a 2,000-event calendar
(real Radicale). Prints one JSON object. Run: .venv/bin/python bench/communication.py"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents.communication.calendar import CalDavCalendarService
from agents.communication.mail import ImapMailService
from agents.communication.models import CalendarServerConfig, MailSearch, MailServerConfig, ServerEndpoint
from tests.communication.mail_corpus import ordinary_messages
from tests.servers.dovecot import start_dovecot, stop_dovecot
from tests.servers.radicale import start_radicale, stop_radicale

MESSAGES, EVENTS, RUNS = 10_000, 2_000, 5
TZ = ZoneInfo("Europe/Berlin")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def median_ms(fn: Callable[[], Any]) -> dict[str, Any]:
    runs = [timed(fn) for _ in range(RUNS)]
    res = runs[-1][1]
    return {"median_ms": round(statistics.median(r[0] for r in runs), 1),
            "max_ms": round(max(r[0] for r in runs), 1), "results": len(res) if hasattr(res, "__len__") else None}


def bench_mail() -> dict[str, Any]:
    server = start_dovecot()
    try:
        user = server.add_user("bench")
        t0 = time.perf_counter()
        for s in ordinary_messages(MESSAGES):
            server.deliver(user, s.raw, seen=s.seen, when=s.when)
        seed_s = time.perf_counter() - t0
        cfg = MailServerConfig(imap=ServerEndpoint(host="127.0.0.1", port=server.imaps_port, security="ssl"),
                               smtp=ServerEndpoint(host="127.0.0.1", port=1, security="ssl"), username=user.name,
                               address=user.address, ca_file=str(server.cert.cert), timeout_s=120)
        svc = ImapMailService(cfg, user.password)
        first_ms, _ = timed(lambda: svc.search_full(MailSearch(limit=20)))  # includes Dovecot indexing the folder
        out = {
            "messages": MESSAGES, "seed_s": round(seed_s, 2), "first_open_and_index_ms": round(first_ms, 1),
            "search_sender": median_ms(lambda: svc.search_full(MailSearch(sender="anna@example.org", limit=20))),
            "search_unread": median_ms(lambda: svc.search_full(MailSearch(unread_only=True, limit=20))),
            "search_subject": median_ms(lambda: svc.search_full(MailSearch(subject="Update 4242", limit=20))),
            "search_body_text": median_ms(lambda: svc.search_full(MailSearch(text="budget", limit=20))),
            "search_date_range": median_ms(lambda: svc.search_full(MailSearch(
                since=datetime(2027, 1, 1, tzinfo=UTC), before=datetime(2027, 1, 8, tzinfo=UTC), limit=20))),
            "fetch_one_ms": median_ms(lambda: svc.get("INBOX:5000"))["median_ms"],
        }
        svc.close()
        return out
    finally:
        stop_dovecot(server)


def _event(i: int) -> str:
    start = datetime(2026, 1, 1, 8, tzinfo=UTC) + timedelta(hours=4 * i)
    rrule = "RRULE:FREQ=WEEKLY;COUNT=20\r\n" if i % 100 == 0 else ""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:bench-{i}@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n{rrule}SUMMARY:Event {i}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")


def bench_calendar() -> dict[str, Any]:
    server = start_radicale()
    try:
        user = server.add_user("bench")
        server.seed_calendar(user, "big", (_event(i) for i in range(EVENTS)), display_name="Big")
        svc = CalDavCalendarService(CalendarServerConfig(url=server.url, username=user.name, timeout_s=120),
                                    user.password, tz=TZ)
        day = datetime(2026, 6, 1, tzinfo=TZ)
        first_ms, _ = timed(lambda: svc.events(day, day + timedelta(days=1)))  # Radicale builds its cache
        return {
            "events": EVENTS, "recurring_series": EVENTS // 100, "first_query_ms": round(first_ms, 1),
            "events_one_day": median_ms(lambda: svc.events(day, day + timedelta(days=1))),
            "events_one_week": median_ms(lambda: svc.events(day, day + timedelta(days=7))),
            "events_one_month": median_ms(lambda: svc.events(day, day + timedelta(days=30))),
            "free_hour_afternoon": median_ms(lambda: [svc.find_free_slot(day.date(), "afternoon", 60)]),
        }
    finally:
        stop_radicale(server)


def main() -> None:
    result = {"benchmark": "communication", "runs_per_query": RUNS, "mail": bench_mail(), "calendar": bench_calendar()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
