"""Logs: a live server (its stderr is a pipe) writes JSON lines, to stderr and to its rotated file in the
data folder, each request's lines with its request id; passwords and tokens sent to it in bodies,
headers and query strings appear in no log line. In-process: a turn's id on the lines logged while it
runs, readable lines on a terminal, levels per module, rotation by size."""

from __future__ import annotations

import json
import logging
import os
import pty
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.live import PASSWORD, LiveServer


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_no_secret_or_token_reaches_the_logs(metrics_server: tuple[LiveServer, int]) -> None:
    server, _ = metrics_server
    http = server.http()
    admin = server.login(server.add_user("logadmin", admin=True))
    user = server.new_client("loguser")
    secrets = {PASSWORD, admin.tokens["access_token"], admin.tokens["refresh_token"],
               user.tokens["access_token"], user.tokens["refresh_token"]}

    wrong = "Wrong-Pass-c91e77"
    as_name = "Pa55word-typed-as-name-e3f1"
    verify = "VerifyTok-logs-51ab"
    query_token = "QueryTok-logs-7d2c"
    account_secret = "Mail-Secret-0a9b8c"
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmb3JnZWQifQ.Zm9yZ2VkLXNpZ25hdHVyZQ"
    secrets |= {wrong, as_name, verify, query_token, account_secret, forged}

    assert http.post("/api/v1/auth/login", json={"username": user.username, "password": wrong,
                                                 "device_name": "x"}).status_code == 401
    assert http.post("/api/v1/auth/login", json={"username": as_name, "password": wrong}).status_code == 401
    r = http.post("/api/v1/auth/refresh", json={"refresh_token": user.tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    fresh = r.json()
    secrets |= {fresh["access_token"], fresh["refresh_token"]}
    assert http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert http.get("/api/v1/auth/me", params={"access_token": query_token},
                    headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code == 200
    assert http.get("/api/v1/webhooks/whatsapp/wa", params={"hub.mode": "subscribe", "hub.verify_token": verify,
                                                           "hub.challenge": "1"}).status_code in (403, 404)
    code = admin.post("/api/v1/pairing/codes").json()["code"]
    claimed = http.post("/api/v1/pairing/claim", json={"code": code, "device_name": "log phone"})
    assert claimed.status_code == 200, claimed.text
    secrets |= {code, claimed.json()["access_token"], claimed.json()["refresh_token"]}
    r = admin.post("/api/v1/connected-accounts", json={
        "kind": "mail", "name": "logmail", "username": "me@example.org", "host": "127.0.0.1", "port": 1,
        "secret": account_secret, "options": {"smtp_host": "127.0.0.1"}})
    assert r.status_code == 201, r.text
    turn = user.post("/api/v1/turns/text", json={"text": "what time is it"})
    assert turn.status_code == 200
    marked = http.get("/api/v1/health/live", headers={"X-Request-ID": "obs-check-4711"})
    assert marked.headers["X-Request-ID"] == "obs-check-4711"
    assert len(turn.headers["X-Request-ID"]) == 16  # a fresh id when the client sent none

    log_file = server.home / "data" / "logs" / "personal-agent.log"
    deadline = time.monotonic() + 60  # the access log line is written after the answer
    while not (log_file.exists() and "obs-check-4711" in log_file.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, "the request never reached the log file"
        time.sleep(0.2)
    lines = _lines(log_file)  # every line is one JSON object
    assert all({"ts", "level", "logger", "msg"} <= line.keys() for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access and all(line.get("request_id") for line in access)
    assert any(line.get("request_id") == "obs-check-4711" and "/api/v1/health/live" in str(line["msg"])
               for line in access)
    assert any("/api/v1/webhooks/whatsapp/wa" in str(line["msg"]) for line in access)  # the line is there ...
    assert any(json.loads(line).get("logger") for line in server.log.read_text().splitlines()
               if line.startswith("{"))  # stderr is a pipe here: JSON lines too

    for path in [log_file, server.log, *log_file.parent.glob("personal-agent.log.*")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        leaked = sorted(s for s in secrets if s in text)
        assert leaked == [], f"{path.name} holds {leaked}"  # ... and no secret in any line


@pytest.fixture
def logging_home(pa_home: Path) -> Iterator[Path]:
    from app.logs import remove_handlers

    levels = {name: logging.getLogger(name).level for name in ("pa.quiet", "pa.loud")}
    root_level = logging.getLogger().level
    yield pa_home / "data"
    remove_handlers()
    logging.getLogger().setLevel(root_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_a_turns_id_levels_per_module_and_rotation(logging_home: Path) -> None:
    from agents.turn import TurnEvent, TurnStarted
    from agents.turn_context import in_turn
    from app.logs import setup_logging
    from app.settings import load_settings

    settings = load_settings(logs={"levels": {"pa.quiet": "ERROR", "pa.loud": "DEBUG"}, "file_max_mb": 1,
                                   "file_backups": 2}, log_level="INFO")
    path = setup_logging(settings, logging_home, stderr=False)
    assert path == logging_home / "logs" / "personal-agent.log"

    def turn() -> Iterator[TurnEvent]:
        logging.getLogger("agents.x").warning("inside the turn, api_key=sk-abcdefghijklmnop")
        yield TurnStarted(turn_id="t-obs-1", text="hello")
        logging.getLogger("agents.x").warning("after the first event")

    for _ in in_turn("t-obs-1", turn()):
        logging.getLogger("app.x").warning("between two events")  # the consumer's lines are not the turn's
    logging.getLogger("pa.quiet").warning("quiet warning")
    logging.getLogger("pa.quiet").error("quiet error")
    logging.getLogger("pa.loud").debug("loud debug")
    logging.getLogger("pa.other").debug("other debug")
    lines = _lines(path)
    by_msg = {str(line["msg"]): line for line in lines}
    assert by_msg["inside the turn, api_key=[redacted]"]["turn_id"] == "t-obs-1"
    assert by_msg["after the first event"]["turn_id"] == "t-obs-1"
    assert "turn_id" not in by_msg["between two events"]
    assert {"quiet error", "loud debug"} <= by_msg.keys()
    assert not {"quiet warning", "other debug"} & by_msg.keys()

    filler = "x" * 400
    for i in range(3000):  # 1.2 MB: over the 1 MB limit once
        logging.getLogger("pa.loud").info("line %d %s", i, filler)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated == ["personal-agent.log", "personal-agent.log.1"]
    assert all(p.stat().st_size <= 1024 * 1024 for p in path.parent.iterdir())


def test_readable_lines_on_a_terminal_json_off_one(logging_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    import sys

    from app.logs import setup_logging
    from app.settings import load_settings

    settings = load_settings(logs={"file": False})
    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", closefd=False) as terminal:
            monkeypatch.setattr(sys, "stderr", terminal)
            assert setup_logging(settings, logging_home, stderr=True) is None
            logging.getLogger("pa.loud").warning("on a terminal, password=hunter22")
            terminal.flush()
            shown = os.read(leader, 4096).decode()
        assert " WARNING pa.loud: on a terminal, password=[redacted]" in shown and not shown.startswith("{")

        piped = tmp_path / "stderr.txt"
        with piped.open("w") as pipe:
            monkeypatch.setattr(sys, "stderr", pipe)
            setup_logging(settings, logging_home, stderr=True)
            logging.getLogger("pa.loud").warning("off a terminal")
        line = json.loads(piped.read_text().splitlines()[-1])
        assert (line["level"], line["logger"], line["msg"]) == ("WARNING", "pa.loud", "off a terminal")
    finally:
        os.close(leader)
        os.close(follower)
