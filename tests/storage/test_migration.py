"""200 files of mixed sizes moved local → SMB → S3 with the real `personal-agent storage migrate`
command, verify and switch; the first run is killed (-9) part-way and resumed. Every checksum equal."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from app import secrets
from tests.servers.s3 import S3Server
from tests.servers.samba import SambaServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXE = str(Path(sys.executable).parent / "personal-agent")
N_FILES = 200


def _sizes(rnd: random.Random) -> list[int]:
    """Mostly small notes and clips, some medium, three above one S3 part (multipart)."""
    sizes = [rnd.randint(0, 4096) for _ in range(120)] + [rnd.randint(4096, 400_000) for _ in range(77)]
    return [*sizes, 6 << 20, (5 << 20) + 1, 11 << 20]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=600, env=env)


def test_migrate_local_smb_s3_interrupted_and_resumed(
    pa_home: Path, samba_server: SambaServer, s3_server: S3Server, tmp_path: Path
) -> None:
    prefix = f"mig-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PA_STORAGE__BACKEND": "local",
        "PA_STORAGE__LOCAL_ROOT": str(tmp_path / "local"),
        "PA_STORAGE__SMB_SERVER": samba_server.host,
        "PA_STORAGE__SMB_PORT": str(samba_server.port),
        "PA_STORAGE__SMB_SHARE": samba_server.share,
        "PA_STORAGE__SMB_USERNAME": samba_server.username,
        "PA_STORAGE__SMB_PREFIX": prefix,
        "PA_STORAGE__S3_BUCKET": s3_server.bucket,
        "PA_STORAGE__S3_ENDPOINT_URL": s3_server.endpoint_url,
        "PA_STORAGE__S3_ACCESS_KEY_ID": s3_server.access_key,
        "PA_STORAGE__S3_PREFIX": prefix,
        "PA_STORAGE__S3_PART_SIZE_MB": "5",
    }
    secrets.set_secret("smb", "default", samba_server.password)
    secrets.set_secret("s3", "default", s3_server.secret_key)

    rnd = random.Random(20240501)
    expected: dict[str, str] = {}
    local = tmp_path / "local"
    for i, size in enumerate(_sizes(rnd)):
        key = f"meetings/{2020 + i % 5}/{i:03d}-{'x' * (i % 7)}.bin" if i % 3 else f"notes/n{i:03d}.txt"
        data = rnd.randbytes(size)
        p = local / key
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        expected[key] = hashlib.sha256(data).hexdigest()
    assert len(expected) == N_FILES

    # 1) local → SMB, killed with SIGKILL once 60 objects are done
    journal = pa_home / "data" / "migrations" / "local-to-smb.jsonl"
    out = open(tmp_path / "first-run.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([EXE, "storage", "migrate", "--from", "local", "--to", "smb", "--verify", "--switch"],
                            env=env, stdout=out, stderr=subprocess.STDOUT)
    out.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text().count("\n") >= 60:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    else:
        proc.kill()
    proc.wait(timeout=30)
    log = (tmp_path / "first-run.log").read_text(errors="replace")
    assert proc.returncode == -signal.SIGKILL, f"the first run should have been killed part-way:\n{log}"
    done_before = journal.read_text().count("\n")
    assert 60 <= done_before < N_FILES

    st = _run("storage", "status", env=env)
    assert st.returncode == 0, st.stderr
    assert "dual-write" in st.stdout and "local-to-smb" in st.stdout

    # while the migration is unfinished, new recordings go to both backends
    from app.services import build_services
    from app.settings import load_settings
    from app.wiring.storage import open_backend, open_kind

    for k, v in env.items():
        if k.startswith("PA_STORAGE__"):
            os.environ[k] = v
    try:
        sv = build_services(load_settings())
        live = open_backend(sv)
        live.save("meetings/live/during-migration.txt", b"recorded while migrating")
        expected["meetings/live/during-migration.txt"] = hashlib.sha256(b"recorded while migrating").hexdigest()
        smb = open_kind(sv, "smb", spooled=False)
        assert smb.load("meetings/live/during-migration.txt") == b"recorded while migrating"
    finally:
        for k in env:
            if k.startswith("PA_STORAGE__"):
                os.environ.pop(k, None)

    # 2) resume: finishes, verifies, switches
    res = _run("storage", "migrate", "--from", "local", "--to", "smb", "--verify", "--switch", env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "every checksum equal" in res.stdout and "primary is now smb" in res.stdout
    copied = int(res.stdout.split("copied ", 1)[1].split(",", 1)[0])
    assert copied <= N_FILES + 1 - 60  # what the killed run finished was not copied again

    # 3) SMB → S3, verify, switch; then once more to show it is idempotent
    res = _run("storage", "migrate", "--from", "smb", "--to", "s3", "--verify", "--switch", env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "primary is now s3" in res.stdout

    st = _run("storage", "status", "--json", env=env)
    import json

    status = json.loads(st.stdout)
    assert status["primary"] == "s3" and status["configured"] == "local"
    assert status["retired"] == ["local", "smb"] and status["dual_write_to"] is None

    # every object on every backend has the original bytes
    for k, v in env.items():
        if k.startswith("PA_STORAGE__"):
            os.environ[k] = v
    try:
        sv = build_services(load_settings())
        from storage.migration import read_checksum

        for kind in ("local", "smb", "s3"):
            b = open_kind(sv, kind, spooled=False)  # type: ignore[arg-type]
            keys = b.list("")
            assert set(keys) == set(expected), kind
            for key in keys:
                assert read_checksum(b, key)[0] == expected[key], (kind, key)
            b.close()
        assert open_backend(sv).kind == "s3"
    finally:
        for k in env:
            if k.startswith("PA_STORAGE__"):
                os.environ.pop(k, None)


@pytest.mark.unit
def test_copy_is_idempotent_and_verify_catches_damage(tmp_path: Path) -> None:
    from storage.local import LocalBackend
    from storage.migration import Journal, copy_all, verify

    src, dst = LocalBackend(tmp_path / "a"), LocalBackend(tmp_path / "b")
    for i in range(20):
        src.save(f"r/{i}.bin", os.urandom(i * 100))
    journal = Journal(tmp_path / "j.jsonl")
    first = copy_all(src, dst, journal)
    assert (first.copied, first.skipped) == (20, 0)
    again = copy_all(src, dst, journal)
    assert (again.copied, again.skipped) == (0, 20)
    journal.clear()  # without the journal, equal checksums still mean "already there"
    third = copy_all(src, dst, journal)
    assert (third.copied, third.skipped) == (0, 20)
    assert verify(src, dst).ok
    (tmp_path / "b" / "r" / "3.bin").write_bytes(b"bit rot")
    dst.delete("r/7.bin")
    bad = verify(src, dst)
    assert bad.missing == ["r/7.bin"] and bad.mismatched == ["r/3.bin"] and not bad.ok
    fixed = copy_all(src, dst, Journal(tmp_path / "j2.jsonl"))
    assert fixed.copied == 2 and verify(src, dst).ok
