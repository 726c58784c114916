"""Backends for the storage tests: local disk, the Samba share and the S3 bucket, each under a
fresh prefix so tests never see each other's objects."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.base import Backend
from storage.local import LocalBackend
from storage.s3 import S3Backend
from storage.smb import SmbBackend
from tests.servers.s3 import S3Server
from tests.servers.samba import SambaServer

SMALL_PART = 5 << 20  # smallest S3 part, so multipart paths run with small test files


def make_smb(server: SambaServer, prefix: str | None = None, password: str | None = None) -> SmbBackend:
    return SmbBackend(
        server.host, server.share, server.username, password or server.password, port=server.port,
        prefix=prefix if prefix is not None else f"t-{uuid.uuid4().hex[:10]}", timeout=5,
    )


def make_s3(server: S3Server, prefix: str | None = None, secret: str | None = None) -> S3Backend:
    return S3Backend(
        server.bucket, server.access_key, secret or server.secret_key, endpoint_url=server.endpoint_url,
        region=server.region, prefix=prefix if prefix is not None else f"t-{uuid.uuid4().hex[:10]}",
        part_size=SMALL_PART, timeout=3, max_attempts=1,
    )


@pytest.fixture(params=["local", "smb", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The same contract runs against each backend."""
    b: Backend
    if request.param == "local":
        b = LocalBackend(tmp_path / "store")
    elif request.param == "smb":
        b = make_smb(request.getfixturevalue("samba_server"))
    else:
        b = make_s3(request.getfixturevalue("s3_server"))
    yield b
    b.close()
