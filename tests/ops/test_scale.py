"""The scale path: two real `personal-agent serve` processes share one PostgreSQL database, one S3 bucket
and one data folder (as two replicas behind one proxy). A session made on one is good on the other, and
every reminder and timer that comes due is delivered exactly once between them (each process sweeps
every 0.2 s and claims what came due with FOR UPDATE SKIP LOCKED and a conditional update)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.server.live import LiveServer, as_home, start_server, stop_server
from tests.servers.nginx import nginx_proxy
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Server

pytestmark = pytest.mark.integration
DB = "pa_scale_test"


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory, models_dir: Path, postgres_server: PostgresServer,
                s3_server: S3Server) -> Iterator[tuple[LiveServer, LiveServer]]:
    database_url = postgres_server.fresh_database(DB)
    home = tmp_path_factory.mktemp("scale-home")
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(f"""timezone = "Europe/Berlin"

[storage]
backend = "s3"
s3_bucket = "{s3_server.bucket}"
s3_endpoint_url = "{s3_server.endpoint_url}"
s3_access_key_id = "{s3_server.access_key}"
s3_prefix = "scale-{uuid.uuid4().hex[:8]}"
""", encoding="utf-8")
    with as_home(home):
        from app import secrets

        secrets.set_secret("s3", "default", s3_server.secret_key)
    env = {"PA_DATABASE_URL": database_url,
           "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_SERVER__ALARM_SWEEP_S": "0.2"}
    first = start_server(home, env, timeout=300)
    try:
        second = start_server(home, env, timeout=300)
    except BaseException:
        stop_server(first)
        raise
    yield first, second
    stop_server(second)
    stop_server(first)


def test_both_serve_one_session_and_are_ready(two_servers: tuple[LiveServer, LiveServer]) -> None:
    a, b = two_servers
    client = a.new_client("both")
    with b.http() as other:  # the token signed in at one process is good at the other
        r = other.get("/api/v1/auth/me", headers=client.headers)
        assert r.status_code == 200 and r.json()["username"] == client.username
        ready = other.get("/api/v1/health/ready").json()
    assert ready["database"] == "ok" and ready["storage"] == "ok"  # the shared PostgreSQL and S3 bucket
    assert a.http().get("/api/v1/health/ready").json()["storage"] == "ok"


def test_each_reminder_and_timer_fires_once_between_two_processes(
        two_servers: tuple[LiveServer, LiveServer]) -> None:
    from agents.memory import Memory
    from app.server.alarms import FIRED
    from app.server.spaces import user_database_url
    from storage.audit import AuditLog
    from storage.db.engine import Database

    a, b = two_servers
    assert a.database_url is not None
    users = [a.new_client("alarm"), b.new_client("alarm")]
    ids = []
    for c in users:  # a first turn makes the user's schema on the server
        assert c.post("/api/v1/turns/text", json={"text": "remember that the bins go out on monday"}).status_code == 200
        ids.append(c.tokens["user"]["id"])
    due = datetime.now(UTC) + timedelta(seconds=3)
    expected = set()
    for uid in ids:
        db = Database(user_database_url(a.database_url, a.home / "data", uid))
        memory = Memory(db)
        for i in range(15):  # all due at the same moment: both processes find them in the same sweep
            expected.add(f"user {uid}: reminder-{memory.add_reminder(due, f'reminder {i}').id}")
        for _ in range(5):
            t = memory.add_timer(due - datetime.now(UTC), datetime.now(UTC))
            expected.add(f"user {uid}: timer-{t.id}")
        db.dispose()
    main = Database(a.database_url)
    audit = AuditLog(main)

    def fired() -> list[str]:
        return [r.target for r in audit.recent(limit=10_000, action=FIRED) if r.target in expected]

    deadline = time.monotonic() + 120  # generous: a loaded machine
    while set(fired()) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # ten more sweeps of each process: nothing fires twice later either
    got = fired()
    holders = Counter(r.detail.rsplit("; ", 1)[-1] for r in audit.recent(limit=10_000, action=FIRED)
                      if r.target in expected)
    main.dispose()
    twice = [t for t, n in Counter(got).items() if n > 1]
    assert set(got) == expected, f"not delivered: {sorted(expected - set(got))[:5]}"
    assert twice == [], f"delivered more than once: {twice[:5]}"
    print(f"\n{len(expected)} alarms, delivered once each; by process: {dict(holders)}")


def test_an_approval_answered_at_both_processes_at_once_runs_once(two_servers: tuple[LiveServer, LiveServer],
                                                                   tmp_path: Path) -> None:
    """Behind the shipped nginx config (deploy/nginx.conf, the real nginx, both processes as its upstreams):
    yes pressed on eight devices at once, nginx spreading them over both processes: one decision runs the
    action, the others are told it was decided (409). Before the conditional update in
    ``ApprovalStore.decide`` four of eight presses ran it."""
    from storage.audit import AuditLog
    from storage.db.engine import Database

    a, b = two_servers
    assert a.database_url is not None
    user = a.new_client("approve")
    assert user.post("/api/v1/turns/text", json={"text": "remember that my locker code is 4711"}).status_code == 200
    asked = user.post("/api/v1/turns/text", json={"text": "forget my locker code"}).json()
    assert asked.get("approval"), asked
    aid = asked["approval"]["id"]
    start = threading.Barrier(8)
    codes: list[int] = []
    with nginx_proxy([a.port, b.port], tmp_path) as proxy:

        def press() -> None:
            with httpx.Client(base_url=proxy.https, verify=str(proxy.ca), timeout=120) as h:
                start.wait(30)
                codes.append(h.post(f"/api/v1/approvals/{aid}/approve", headers=user.headers).status_code)

        threads = [threading.Thread(target=press) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        served = Counter(line.split()[0] for line in proxy.access_log.read_text().splitlines() if "/approve" in line)
    assert sorted(codes) == [200] + [409] * 7, codes
    assert set(served) == {f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"}, served  # both processes answered
    main = Database(a.database_url)  # the server's audit log (every user's approvals)
    decided = [r for r in AuditLog(main).recent(limit=2000) if r.detail == f"approval #{aid}"]
    main.dispose()
    assert [r.outcome for r in decided] == ["approved"], decided
