"""Online calls: the microphone and the computer's sound output recorded as two channels, on a private
JACK server (dummy driver, Debian package jackd2; no sound card). The test has two JACK clients: ``youmic``
(a microphone: the user says the TIMIT sentence) and ``farcall`` (the computer's output: the far side says
jfk). PortAudio lists each as an input device; the call source opens one per side, each in its own child
process, and the meeting's transcript must give each side its own speaker and text."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audio.meeting.call_capture import CallSource, SystemAudio, resolve_system_audio
from audio.meeting.segments import MeetingError
from tests.meetings.conftest import ServiceFactory
from tests.speech_input.test_microphone_jack import JACK_RATE, JackServer, _read_48k

pytestmark = [pytest.mark.slow, pytest.mark.integration]


class Player:
    """A JACK client with one output port that plays a clip once, when told."""

    def __init__(self, name: str, server: str, samples: np.ndarray) -> None:
        import jack

        self.samples = samples
        self.pos = 0
        self.go = threading.Event()
        self.done = threading.Event()
        self.client: Any = jack.Client(name, servername=server, no_start_server=True)
        self.port = self.client.outports.register("out")
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        out = self.port.get_array()
        out.fill(0)
        if self.go.is_set() and not self.done.is_set():
            chunk = self.samples[self.pos : self.pos + frames]
            out[: len(chunk)] = chunk
            self.pos += frames
            if self.pos >= len(self.samples):
                self.done.set()

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


@pytest.fixture
def jack_server() -> Iterator[JackServer]:
    if shutil.which("jackd") is None:
        msg = "jackd missing: install the Debian package jackd2 (scripts/apt-packages.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    server = JackServer()
    old = {k: os.environ.get(k) for k in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
    os.environ["JACK_DEFAULT_SERVER"] = server.name  # the call source's child processes find it by this
    os.environ["JACK_NO_START_SERVER"] = "1"
    server.start()
    try:
        yield server
    finally:
        server.kill()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_a_call_is_two_channels_with_one_speaker_each(jack_server: JackServer, shared_audio: Path,
                                                       recognizer: object, make_service: ServiceFactory) -> None:
    pad = np.zeros(JACK_RATE // 2, np.float32)
    you = Player("youmic", jack_server.name, np.concatenate([_read_48k(shared_audio / "timit_ldc93s1.wav"), pad]))
    far = Player("farcall", jack_server.name, np.concatenate([_read_48k(shared_audio / "jfk.flac"), pad]))
    svc = make_service(recognizer=recognizer)
    try:
        source = CallSource("youmic", SystemAudio("farcall", "the test's far side", "farcall"))
        info = svc.start("Call", source=source)
        assert info.channels == 2
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (svc.active is None or svc.active.duration_s < 1.0):
            time.sleep(0.1)  # both sides' streams run
        far.go.set()  # the far side talks first, then the user answers
        assert far.done.wait(30), "the far side did not finish playing"
        you.go.set()
        assert you.done.wait(30), "the microphone side did not finish playing"
        time.sleep(0.8)
        done = svc.stop(timeout=120)
    finally:
        you.close()
        far.close()
    assert done.state == "done", done
    lines = svc.transcript(done.id)
    by = {spk: " ".join(x.text for x in lines if x.speaker == spk) for spk in {x.speaker for x in lines}}
    assert set(by) == {"S1", "S2"}, [(x.speaker, x.channel, x.text) for x in lines]
    s1, s2 = by["S1"].lower(), by["S2"].lower()
    # the words of each side with its own speaker, none of the other's (a loaded machine's late JACK periods
    # cost some words, so this is not a recognition test)
    assert "suit" in s1 and "greasy" in s1 and "country" not in s1, by  # channel 1, the microphone: the user
    assert "country" in s2 and "fellow americans" in s2 and "suit" not in s2, by  # channel 2: the far side
    assert {x.channel for x in lines if x.speaker == "S2"} == {1}
    first_s2 = min(x.start for x in lines if x.speaker == "S2")
    assert first_s2 < min(x.start for x in lines if x.speaker == "S1")  # in the order they spoke


def test_an_unknown_system_sound_source_is_one_clear_line(jack_server: JackServer) -> None:
    with pytest.raises(MeetingError) as err:
        resolve_system_audio("no-such-output")
    msg = str(err.value)
    assert msg.startswith("no source of the computer's sound output and no input device named 'no-such-output'")
    assert "\n" not in msg and err.value.de and "Eingabegerät namens „no-such-output“" in err.value.de


@pytest.mark.unit
def test_pulse_monitor_sources_are_listed_by_name() -> None:
    import subprocess

    from audio.meeting import call_capture

    out = ("0\talsa_output.pci-0000_00_1f.3.analog-stereo.monitor\tPipeWire\ts32le 2ch 48000Hz\tSUSPENDED\n"
           "1\talsa_input.pci-0000_00_1f.3.analog-stereo\tPipeWire\ts32le 2ch 48000Hz\tRUNNING\n")

    def run(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        assert cmd == ["pactl", "list", "short", "sources"]
        return subprocess.CompletedProcess(cmd, 0, out, "")

    old = call_capture.shutil.which
    call_capture.shutil.which = lambda name: "/usr/bin/pactl"  # type: ignore[assignment]
    try:
        [mon] = call_capture.pulse_monitors(run)
    finally:
        call_capture.shutil.which = old
    assert mon.name == "alsa_output.pci-0000_00_1f.3.analog-stereo.monitor"
    assert mon.device == "pulse" and mon.pulse_source == mon.name  # recorded through PULSE_SOURCE in its child


@pytest.mark.unit
def test_cli_system_audio_is_for_live_calls_only(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli.main import cli

    clip = tmp_path / "x.wav"
    clip.write_bytes(b"")
    r = CliRunner().invoke(cli, ["meeting", "record", "--input", str(clip), "--system-audio", "auto"])
    assert r.exit_code == 2 and r.output.strip() == \
        "error: --system-audio records a live call; it does not go with --input"
    r = CliRunner().invoke(cli, ["meeting", "system-sources"])
    assert r.exit_code == 0 and r.output.strip()


@pytest.mark.unit
def test_the_setting_naming_no_source_is_one_line_and_records_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every recording started without a file (GUI, voice, CLI) takes the setting's second channel."""
    from typer.testing import CliRunner

    from app.cli import common
    from app.cli.main import cli

    monkeypatch.setenv("PA_AUDIO__MEETING_SYSTEM_AUDIO", "no-such-output")
    common.reset()
    try:
        r = CliRunner().invoke(cli, ["meeting", "record", "--duration", "1"])
        assert r.exit_code == 1, r.output
        assert "error: no source of the computer's sound output and no input device named 'no-such-output'" in r.output
        assert len(r.output.strip().splitlines()) == 1
        assert common.services().meeting_service.list_meetings() == []
    finally:
        common.reset()
