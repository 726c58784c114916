"""Control paths: pause/resume, voice intents through the assistant ("start recording the meeting"),
a multi-channel recording (one speaker per channel), bad input that gives a clear error and loses
nothing, and the free-space check on a real tiny filesystem (tmpfs)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import jiwer
import pytest
from typer.testing import CliRunner

from app.meetings.control import MeetingControlAdapter
from app.meetings.events import MeetingEvent
from audio.meeting.capture import FileSource
from audio.meeting.segments import MeetingError
from audio.sources import AudioInputError
from storage.local import LocalBackend
from tests.meetings.conftest import MEETING, ServiceFactory


@pytest.mark.slow
def test_pause_and_resume(shared_audio: Path, make_service: ServiceFactory) -> None:
    svc = make_service(transcribe=False)
    states: list[str] = []
    svc.subscribe(lambda e: states.append(e.state) if e.kind == "meeting_state" else None)
    info = svc.start("Pause", source=FileSource(shared_audio / MEETING, speed=4.0), origin="file")
    time.sleep(1.5)
    assert svc.pause().state == "paused"
    assert svc.store.get(info.id).state == "paused"
    time.sleep(2.0)  # ~8 s of source audio pass while paused: not recorded
    assert svc.resume().state == "recording"
    done = svc.wait(timeout=60)
    assert states[:3] == ["recording", "paused", "recording"] and states[-1] == "done"
    manifest = svc.manifest(info.id)
    assert len(manifest.pauses) == 1 and manifest.pauses[0].resumed_at is not None
    assert 10.0 < done.duration_s < 27.0
    with pytest.raises(MeetingError, match="no meeting is being recorded"):
        svc.pause()


@pytest.mark.slow
def test_voice_intents_drive_the_recorder(shared_audio: Path, make_service: ServiceFactory, db) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from agents.approvals import ApprovalStore
    from agents.assistant import Assistant
    from agents.deps import ServiceDeps
    from agents.memory import Memory
    from storage.audit import AuditLog

    svc = make_service(transcribe=False)
    svc.source_factory = lambda: FileSource(shared_audio / MEETING, speed=1.0)
    control = MeetingControlAdapter(svc)
    assistant = Assistant(memory=Memory(db), approvals=ApprovalStore(db, AuditLog(db)),
                          services=ServiceDeps(meetings=control), tz=UTC, language="en",
                          model_factory=lambda: None, model_timeout_s=5, clock=lambda: datetime.now(UTC))
    r = assistant.ask("start recording the meeting")
    assert r.error is None, r.spoken
    assert control.status().state == "recording"
    assert assistant.ask("pause the recording").error is None and control.status().state == "paused"
    assert assistant.ask("resume the recording").error is None and control.status().state == "recording"
    r = assistant.ask("stop the recording")
    assert r.error is None and control.status().state == "idle"
    again = assistant.ask("stop the recording")
    assert again.error and "no meeting" in again.spoken.lower()
    assert len(svc.list_meetings()) == 1 and svc.list_meetings()[0].state == "done"


@pytest.mark.slow
def test_stereo_meeting_has_one_speaker_per_channel(
    shared_audio: Path, recognizer: object, make_service: ServiceFactory
) -> None:
    import json

    svc = make_service(recognizer=recognizer)
    info = svc.import_file(shared_audio / "stereo_two_speakers.wav", "Stereo")
    assert info.channels == 2 and info.speakers == ["S1", "S2"] and info.source == "import"
    segs = svc.transcript(info.id)
    clips = {c["file"]: c for c in json.loads((shared_audio / "manifest.json").read_text())["clips"]}
    ref = clips["stereo_two_speakers.wav"]
    for speaker, key, ch in (("S1", "reference_left", 0), ("S2", "reference_right", 1)):
        said = " ".join(s.text for s in segs if s.speaker == speaker)
        assert all(s.channel == ch for s in segs if s.speaker == speaker)
        wer = jiwer.wer(_norm(ref[key]), _norm(said))
        assert wer <= 0.25, (speaker, said)


def _norm(t: str) -> str:
    import re

    return re.sub(r"[^\w\s]", "", t.lower()).strip()


@pytest.mark.unit
def test_bad_input_clear_errors_nothing_created(tmp_path: Path, make_service: ServiceFactory) -> None:
    svc = make_service(transcribe=False)
    for bad, msg in ((tmp_path / "missing.wav", "no such file"), (tmp_path, "is a folder")):
        with pytest.raises(AudioInputError, match=msg):
            svc.import_file(bad)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF not really audio" * 10)
    with pytest.raises(AudioInputError, match=r"junk\.wav"):
        svc.import_file(junk)
    assert svc.list_meetings() == []
    with pytest.raises(MeetingError, match="no audio input"):
        svc.start("no mic configured")


@pytest.mark.unit
def test_cli_errors(tmp_path: Path) -> None:
    from app.cli.main import cli

    runner = CliRunner()
    r = runner.invoke(cli, ["meeting", "import", str(tmp_path / "nope.mp3")])
    assert r.exit_code == 1 and "no such file" in r.output
    r = runner.invoke(cli, ["meeting", "show", "does-not-exist"])
    assert r.exit_code == 1 and "no meeting with id" in r.output
    r = runner.invoke(cli, ["meeting", "list"])
    assert r.exit_code == 0 and "no meetings yet" in r.output
    r = runner.invoke(cli, ["meeting", "search", "anything"])
    assert r.exit_code == 0 and "no transcript mentions" in r.output


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "tiny"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(d)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {r.stderr.strip()}")
    yield d
    subprocess.run(["umount", "-l", str(d)], check=False)


@pytest.mark.slow
def test_free_space_checked_before_and_during(shared_audio: Path, tiny_fs: Path, make_service: ServiceFactory) -> None:
    backend = LocalBackend(tiny_fs / "rec")
    svc = make_service(backend=backend, transcribe=False, min_free_minutes=10, reserve_mb=1.0)
    svc.space_paths = [tiny_fs]
    with pytest.raises(MeetingError, match="not enough free space"):
        svc.start("Too small", source=FileSource(shared_audio / MEETING))
    assert svc.list_meetings() == []
    # allowed to start with a 1-minute minimum: warned, then stopped cleanly before the disk is full
    svc.config.min_free_minutes = 0.1
    filler = tiny_fs / "filler.bin"
    filler.write_bytes(b"\0" * int(2.5e6))
    events: list[MeetingEvent] = []
    svc.subscribe(events.append)
    svc.config.space_check_s = 0.0
    # paced (8x real time): read as fast as possible, a loaded machine decoded the whole minute before the
    # stop asked for by the space check took effect (CI: duration 60.0)
    svc.start("Fills up", source=FileSource(shared_audio / "vad_speech_60s.wav", speed=8.0), origin="file")
    info = svc.wait(timeout=60)
    warnings = [e for e in events if e.kind == "meeting_space_warning"]
    assert warnings and warnings[0].minutes_left < 10 and warnings[-1].stopping
    assert info.state == "done" and 0 < info.duration_s < 60
    manifest = svc.manifest(info.id)  # what was recorded is complete and readable
    assert manifest.finalized and manifest.duration_s == pytest.approx(info.duration_s, abs=0.01)


@pytest.fixture
def roomy_fs(tmp_path: Path) -> Iterator[Path]:
    """A 100 MB tmpfs: room enough for the free-space check before a start, easy to fill after it."""
    d = tmp_path / "roomy"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=100m", "tmpfs", str(d)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {r.stderr.strip()}")
    yield d
    subprocess.run(["umount", "-l", str(d)], check=False)


@pytest.mark.slow
def test_a_disk_filling_during_import_is_one_line_and_keeps_what_was_stored(
        shared_audio: Path, models_dir: Path, roomy_fs: Path) -> None:
    """Issue 17, finding 8: the disk fills while `meeting import` runs (another program writes it full):
    one line, a non-zero exit, and the meeting keeps what was stored (marked interrupted, or recovered
    at the next start when the database could not be written either)."""
    import os
    import sys

    home = roomy_fs / "home"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PA_")}, "PA_HOME": str(home),
           "PA_KEYRING_PASSWORD": "disk-full", "PA_STT__MODEL": str(models_dir / "whisper-base"),
           "PA_LLM__PROVIDER": "none"}
    cmd = [sys.executable, "-m", "app.cli.main", "meeting"]
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([*cmd, "import", str(shared_audio / "vad_speech_60s.wav")], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list((home / "data" / "recordings").glob("meetings/*/seg-*")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    with (roomy_fs / "filler").open("wb") as f:  # fill the disk
        try:
            while True:
                f.write(b"\0" * (1 << 20))
        except OSError:
            pass
    out, err = proc.communicate(timeout=300)
    lines = [ln for ln in err.decode().splitlines() if ln.strip()]
    assert proc.returncode == 1, (out, err)
    assert len(lines) == 1 and "Traceback" not in err.decode(), err.decode()
    assert "stopped early" in lines[0] and "disk full" in lines[0]
    (roomy_fs / "filler").unlink()
    listed = subprocess.run([*cmd, "list"], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    row = listed.stdout.splitlines()[0].split()
    assert row[4] in ("interrupted", "recovered") and row[3] != "00:00", listed.stdout
