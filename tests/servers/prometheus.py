"""A real Prometheus (Debian package ``prometheus``) on a free 127.0.0.1 port, run from its binary with
a temp config and data folder (no system service), scraping the targets a test gives it every second.
Skips with the reason when the binary is missing, except with CI=true where it fails."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.base import announce, free_port, require_binary, stop_process_group, wait_for_port


@dataclass
class PrometheusServer:
    root: Path
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def query(self, promql: str) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=10)
        r.raise_for_status()
        body = r.json()
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def wait_for(self, promql: str, timeout: float = 90.0) -> list[dict[str, Any]]:
        """The query's result once it is not empty (scrapes run every second; a loaded machine is slow)."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(promql)
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.5)

    def targets(self) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.url}/api/v1/targets", timeout=10)
        active: list[dict[str, Any]] = r.json()["data"]["activeTargets"]
        return active


def start_prometheus(root: Path, targets: list[str]) -> PrometheusServer:
    binary = require_binary("prometheus", hint="apt-get install prometheus (scripts/setup.sh --dev)")
    root.mkdir(parents=True, exist_ok=True)
    config = root / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: personal-agent\n    static_configs:\n"
        f"      - targets: [{', '.join(repr(t) for t in targets)}]\n", encoding="utf-8")
    port = free_port()
    log = open(root / "prometheus.log", "ab")  # noqa: SIM115  (owned by the process)
    proc = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={root / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    try:
        wait_for_port(port, 60, proc)
        deadline = time.monotonic() + 60
        while httpx.get(f"http://127.0.0.1:{port}/-/ready", timeout=5).status_code != 200:
            if time.monotonic() > deadline:
                raise TimeoutError("prometheus not ready within 60 s")
            time.sleep(0.3)
    except Exception:
        stop_process_group(proc)
        raise RuntimeError(f"prometheus did not start: {(root / 'prometheus.log').read_text()[-2000:]}") from None
    announce("prometheus", f"{binary} at http://127.0.0.1:{port} scraping {', '.join(targets)}")
    return PrometheusServer(root=root, port=port, proc=proc)


@pytest.fixture
def prometheus_factory(tmp_path: Path) -> Iterator[Any]:
    """Start a Prometheus for the given scrape targets (host:port); stopped after the test."""
    started: list[PrometheusServer] = []

    def start(targets: list[str]) -> PrometheusServer:
        server = start_prometheus(tmp_path / f"prometheus-{len(started)}", targets)
        started.append(server)
        return server

    yield start
    for s in started:
        stop_process_group(s.proc)
