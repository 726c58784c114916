"""A live home server with its metrics listener on a free loopback port and its traces sent over OTLP to a
receiver in this process (one of each per session)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.live import LiveServer, start_server, stop_server
from tests.servers.base import free_port
from tests.servers.otlp import OtlpReceiver


@pytest.fixture(scope="session")
def otlp_receiver() -> Iterator[OtlpReceiver]:
    rx = OtlpReceiver().start()
    yield rx
    rx.stop()


@pytest.fixture(scope="session")
def metrics_server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path,
                   otlp_receiver: OtlpReceiver) -> Iterator[tuple[LiveServer, int]]:
    port = free_port()
    server = start_server(tmp_path_factory.mktemp("ops-server"), {
        "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin",
        "PA_SERVER__METRICS_PORT": str(port),
        "PA_TRACES__OTLP_ENDPOINT": otlp_receiver.endpoint, "PA_TRACES__SERVICE_NAME": "pa-ops-test",
        # test_logs: the access log and the app's own debug lines are on, to show no secret is in them
        "PA_LOGS__LEVELS": json.dumps({"uvicorn.access": "INFO", "app": "DEBUG", "agents": "DEBUG",
                                       "storage": "DEBUG"})}, timeout=300)  # a loaded machine starts it slowly
    yield server, port
    stop_server(server)
