"""Done-when 2: a real recording subprocess (`personal-agent meeting record --input ... --speed 1`, fed at
real-time pace) is killed with SIGKILL mid-meeting. The next start finds the meeting, rebuilds its
manifest from the stored segments and finalizes it; the audio up to ≤ 2 s before the kill is there,
playable, and equal to the source."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.cli.common import reset
from app.services import build_services
from audio.meeting.playback import read_audio
from audio.sources import read_file
from tests.meetings.conftest import MEETING

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_mid_meeting_then_recovery(shared_audio: Path, pa_home: Path, models_dir: Path) -> None:
    env = {**os.environ, "PA_HOME": str(pa_home), "PA_STT__LANGUAGE": "en"}
    models = pa_home / "data" / "models"
    models.mkdir(parents=True, exist_ok=True)
    (models / "whisper-base").symlink_to(models_dir / "whisper-base")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "meeting", "record", "--title", "Crash test",
         "--input", str(shared_audio / MEETING), "--speed", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    started = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if line.startswith("recording ") and " started" in line:
            started = time.monotonic()
            break
    assert started is not None, f"recorder did not start: {proc.poll()}"
    time.sleep(14.0)
    fed_s = time.monotonic() - started  # the source is paced at real time from the start line on
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    reset()
    services = build_services()
    svc = services.meeting_service
    unfinished = svc.store.unfinished()
    assert len(unfinished) == 1 and unfinished[0].state == "recording"
    recovered = svc.recover_unfinished()
    assert [m.id for m in recovered] == [unfinished[0].id]
    info = svc.get(unfinished[0].id)
    assert info.state == "recovered" and info.error is None
    assert svc.store.unfinished() == []
    manifest = svc.manifest(info.id)
    assert manifest.finalized and manifest.recovered
    audio = read_audio(svc.backend, manifest)
    got_s = len(audio) / 16_000
    print(f"\nfed {fed_s:.2f} s before SIGKILL, recovered {got_s:.2f} s (lost {fed_s - got_s:.2f} s)")
    assert got_s >= fed_s - 2.0
    assert got_s <= fed_s + 0.5
    src = read_file(shared_audio / MEETING)
    assert float(np.abs(audio[:, 0] - src[: len(audio)]).max()) < 1e-3  # playable and identical
    assert info.duration_s == pytest.approx(got_s, abs=0.01)
    # the transcript covers the recovered audio (live part kept, the rest transcribed on recovery)
    segs = svc.transcript(info.id)
    assert segs and segs[-1].end <= got_s + 0.1
    assert "you were there" in " ".join(s.text for s in segs).lower()
    # running recovery again finds nothing
    assert svc.recover_unfinished() == []
