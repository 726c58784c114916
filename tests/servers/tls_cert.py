"""A self-signed certificate for 127.0.0.1/localhost, made once per test session with the openssl CLI.
Clients trust it by loading ``cert`` as their CA file (no verification is switched off)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.servers.base import unavailable


@dataclass(frozen=True)
class SelfSignedCert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.cert), str(self.key))
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


_cached: SelfSignedCert | None = None


def self_signed_cert() -> SelfSignedCert:
    """Make (once) a cert valid for 127.0.0.1 and localhost; files readable by server users."""
    global _cached
    if _cached is not None and _cached.cert.exists():
        return _cached
    openssl = shutil.which("openssl")
    if openssl is None:
        unavailable("'openssl' not found: apt-get install openssl")
    d = Path(tempfile.mkdtemp(prefix="pa-tls-"))
    d.chmod(0o755)
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    key.chmod(0o644)  # servers may read it as an unprivileged user; the key is throwaway
    _cached = SelfSignedCert(cert=cert, key=key)
    return _cached
