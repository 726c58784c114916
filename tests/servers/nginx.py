"""The shipped reverse-proxy config (deploy/nginx.conf) run by the real nginx on loopback, in front of one or
more server processes: the same file with the test's ports, a self-signed certificate and its own folder."""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers.base import free_port, require_binary, wait_for_port
from tests.servers.tls_cert import self_signed_cert

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@dataclass(frozen=True)
class NginxProxy:
    https: str
    http: str
    ca: Path
    access_log: Path  # one line per request: the upstream that served it, then the request line


@contextlib.contextmanager
def nginx_proxy(upstream_ports: list[int], workdir: Path) -> Iterator[NginxProxy]:
    nginx = require_binary("nginx", "/usr/sbin/nginx", hint="apt-get install nginx-light")
    cert = self_signed_cert()
    https_port, http_port = free_port(), free_port()
    conf = (DEPLOY / "nginx.conf").read_text()
    conf = conf.replace("server app:8765;", "".join(f"server 127.0.0.1:{p};\n        " for p in upstream_ports).rstrip())
    conf = conf.replace("/etc/nginx/certs/fullchain.pem", str(cert.cert)).replace("/etc/nginx/certs/privkey.pem",
                                                                                   str(cert.key))
    conf = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", conf)
    conf = conf.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl").replace(
        "listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("pid /tmp/nginx.pid;", f"pid {workdir}/nginx.pid;")
    conf = conf.replace("access_log /dev/stdout;", f"log_format upstream '$upstream_addr $request';\n"
                                                   f"    access_log {workdir}/access.log upstream;").replace(
        "error_log /dev/stderr warn;", f"error_log {workdir}/error.log warn;")
    conf = conf.replace("http {", f"http {{\n    client_body_temp_path {workdir}/body;\n"
                                  f"    proxy_temp_path {workdir}/proxy;", 1)
    (workdir / "nginx.conf").write_text(conf)
    args = [nginx, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e", str(workdir / "error.log")]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([*args, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(https_port, proc=proc)  # type: ignore[arg-type]
        yield NginxProxy(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", cert.cert,
                         workdir / "access.log")
    finally:
        proc.terminate()
        proc.wait(10)
