"""Done-when 3: the S3 server (real SeaweedFS) stops mid-meeting. Recording goes on into the offline
spool; after the server returns and the spool replays, every segment and the manifest are in the bucket
and the audio equals the source."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from app.meetings.events import MeetingEvent
from audio.meeting.capture import FileSource
from audio.meeting.playback import load_manifest, read_audio
from audio.sources import read_file
from storage.spool import Spool, SpooledBackend
from tests.meetings.conftest import MEETING, ServiceFactory
from tests.servers.s3 import S3Server
from tests.storage.conftest import make_s3

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_s3_down_mid_meeting_spools_then_replays(
    shared_audio: Path, s3_server: S3Server, tmp_path: Path, make_service: ServiceFactory
) -> None:
    remote = make_s3(s3_server)
    store = SpooledBackend(remote, Spool(tmp_path / "spool"))
    svc = make_service(backend=store, transcribe=False, segment_s=1.0)
    events: list[MeetingEvent] = []
    svc.subscribe(events.append)
    info = svc.start("Outage", source=FileSource(shared_audio / MEETING, speed=3.0), origin="file")
    time.sleep(2.0)  # ~6 s of audio stored remotely
    s3_server.stop()
    try:
        time.sleep(3.0)  # ~9 s of audio while the bucket is gone
        assert svc.capturing(), "recording must continue while storage is down"
        done = svc.wait(timeout=120)
    finally:
        s3_server.start()
    assert done.state == "done" and done.error is None
    notices = [e for e in events if e.kind == "meeting_storage"]
    assert notices and notices[0].spooled, "the user is told that audio goes to the spool"
    assert store.summary().pending > 0
    deadline = time.monotonic() + 60
    while store.summary().pending and time.monotonic() < deadline:
        store.replay()
        time.sleep(0.5)
    assert store.summary().pending == 0
    manifest = load_manifest(remote, info.storage_prefix)
    assert manifest is not None and manifest.finalized
    assert manifest.duration_s == pytest.approx(30.0, abs=0.1)
    keys = set(remote.list(info.storage_prefix + "/"))
    assert {s.key for s in manifest.segments} <= keys
    assert any(s.spooled for s in manifest.segments) and not all(s.spooled for s in manifest.segments)
    audio = read_audio(remote, manifest)  # straight from the bucket, not the spool
    src = read_file(shared_audio / MEETING)
    assert abs(len(audio) - len(src)) < 600
    n = min(len(audio), len(src))
    assert float(np.abs(audio[:n, 0] - src[:n]).max()) < 1e-3
    store.close()
