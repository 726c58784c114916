"""Issue 17: an upload being processed lives in an unnamed temp file, so a crash (here: SIGKILL of the
process holding it) leaves no copy of the recording on disk, encrypted at rest or not; bad input still
gets its 4xx and frees the file at once."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from fastapi import HTTPException, UploadFile

from app.server.uploads import save_upload

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
RECORDING = b"RIFF" + b"Pumpernickel said the release ships on Friday. " * 20000  # ~1 MB

_CHILD = """
import io, os, signal, sys, tempfile
tempfile.tempdir = sys.argv[1]
from fastapi import UploadFile
from app.server.uploads import save_upload
data = open(sys.argv[2], "rb").read()
up = save_upload(UploadFile(io.BytesIO(data), filename="talk.wav"), 1 << 30, "pa-meeting-", "a recording")
assert open(up.path, "rb").read() == data  # decoders open it by its path while it is open
print("saved", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # a crash while the upload is being processed
"""


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_crash_leaves_no_upload_on_disk(tmp_path: Path) -> None:
    temp, src = tmp_path / "tmp", tmp_path / "talk.wav"
    temp.mkdir()
    src.write_bytes(RECORDING)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(temp), str(src)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.stdout.strip() == "saved" and out.returncode == -9, out.stderr
    assert _files(temp) == []  # nothing named was ever there, and the kernel freed the unnamed file


def test_an_upload_has_no_name_while_open_and_bad_ones_are_freed(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    up = save_upload(UploadFile(io.BytesIO(RECORDING), filename="talk.wav"), 1 << 30, "pa-upload-", "audio")
    try:
        assert up.path.read_bytes() == RECORDING and _files(tmp_path) == []
    finally:
        up.close()
    fds = len(os.listdir("/proc/self/fd"))
    with pytest.raises(HTTPException) as too_big:
        save_upload(UploadFile(io.BytesIO(RECORDING), filename="talk.wav"), 1000, "pa-upload-", "audio")
    with pytest.raises(HTTPException) as empty:
        save_upload(UploadFile(io.BytesIO(b""), filename="talk.wav"), 1000, "pa-upload-", "audio")
    assert (too_big.value.status_code, empty.value.status_code) == (413, 400)
    assert len(os.listdir("/proc/self/fd")) == fds and _files(tmp_path) == []  # closed, nothing left
