"""kill -9 during a local write leaves the old or the new file, never a torn one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.errors import PermissionDeniedError
from storage.local import LocalBackend

SIZE = 16 << 20
WRITER = """
import sys
from storage.local import LocalBackend
b = LocalBackend(sys.argv[1])
chunk = 1 << 20
i = 0
print("ready", flush=True)
while True:
    fill = bytes([65 + i % 2]) * chunk  # A...A then B...B
    with b.open_write("rec/meeting.wav") as w:
        for _ in range({size} // chunk):
            w.write(fill)
    i += 1
""".replace("{size}", str(SIZE))


@pytest.mark.integration
def test_kill_9_mid_write_never_tears(tmp_path: Path) -> None:
    root = tmp_path / "store"
    b = LocalBackend(root)
    b.save("rec/meeting.wav", b"O" * SIZE)  # the old file
    rnd = random.Random(7)
    seen: set[bytes] = set()
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], stdout=subprocess.PIPE,
                                cwd=Path(__file__).resolve().parents[2])
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(rnd.uniform(0.05, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        data = b.load("rec/meeting.wav")
        assert len(data) == SIZE
        first = data[:1]
        assert data == first * SIZE, "torn file: mixed content after kill -9"
        seen.add(first)
        assert b.list("") == ["rec/meeting.wav"]  # temp files never show up as objects
    assert seen <= {b"O", b"A", b"B"}
    # leftovers of killed writers are visible to the cleanup, and removed by it
    n = len(b.partials())
    assert n >= 1  # the kills did land mid-write
    assert b.cleanup_partials(older_than_s=0) == n
    assert b.partials() == []
    assert b.list("") == ["rec/meeting.wav"]


@pytest.mark.unit
def test_symlink_out_of_root_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    b = LocalBackend(tmp_path / "store")
    (tmp_path / "store" / "link").symlink_to(outside)
    with pytest.raises(PermissionDeniedError):
        b.load("link/secret.txt")
    with pytest.raises(PermissionDeniedError):
        b.save("link/new.txt", b"y")
    assert not (outside / "new.txt").exists()
