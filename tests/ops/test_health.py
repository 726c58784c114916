"""Health: liveness and readiness of the live server (no sign-in, nothing private), a part that fails
makes it unready (503, the part named), and ``doctor --json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.server.live import LiveServer


def test_live_and_ready_on_the_running_server(metrics_server: tuple[LiveServer, int]) -> None:
    server, _ = metrics_server
    http = server.http()
    live = http.get("/api/v1/health/live")
    assert live.status_code == 200 and live.json()["status"] == "ok"
    ready = http.get("/api/v1/health/ready")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready"
    assert (body["database"], body["storage"], body["models"]) == ("ok", "ok", "ok")
    assert str(server.home) not in ready.text  # nothing private: no paths


def test_a_broken_storage_makes_the_server_unready(pa_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                    models_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from app.server.app import create_app
    from app.services import build_services

    blocked = pa_home / "not-a-folder"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the recordings folder should be")
    monkeypatch.setenv("PA_STORAGE__LOCAL_ROOT", str(blocked))
    monkeypatch.setenv("PA_STT__MODEL", str(models_dir / "whisper-base"))
    sv = build_services()
    try:
        with TestClient(create_app(sv)) as client:
            r = client.get("/api/v1/health/ready")
            assert r.status_code == 503
            body = r.json()
            assert body["status"] == "not ready" and body["storage"] == "fail"
            assert body["database"] == "ok" and body["models"] == "ok"
            assert client.get("/api/v1/health/live").status_code == 200
    finally:
        sv.close()


def test_doctor_json(pa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli.main import cli

    monkeypatch.setenv("PA_STT__MODEL", str(pa_home / "no-such-model"))
    res = CliRunner().invoke(cli, ["doctor", "--json"])
    assert res.exit_code == 1, res.output  # the speech model is missing: a failure
    out = json.loads(res.stdout)
    assert out["ok"] is False
    checks = {c["name"]: c for c in out["checks"]}
    assert checks["speech model"]["status"] == "fail" and checks["speech model"]["hint"]
    assert checks["database"]["status"] == "ok"
    # the stable keys, plus each check's label per language and the German detail and hint (#22)
    assert all(set(c) == {"name", "status", "detail", "hint", "label", "detail_de", "hint_de"} for c in out["checks"])
    assert checks["database"]["label"] == {"en": "database", "de": "Datenbank"}
