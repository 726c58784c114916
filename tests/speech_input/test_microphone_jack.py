"""The microphone source on a real PortAudio input stream, with no sound card: a private JACK server on
its dummy back-end (Debian package jackd2) gives PortAudio a capture device named ``system``.

- Real speech in: this process plays jfk.flac on a JACK output port, which ``jack_connect`` wires to
  our input port instead of the (silent) dummy capture port; MicrophoneSource captures it at 48 kHz,
  resamples to 16 kHz, and the recognizer's transcript is checked by word error rate.
- Device loss: jackd is stopped under a running source (DeviceLost), started again (DeviceRestored),
  and frames flow again. PortAudio cannot recover in-process from a JACK server that died (closing the
  dead stream and re-initializing both block), so the isolated source (a child process per attempt)
  is the one that recovers; the in-process source must still report the loss without hanging.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from audio.events import AudioEvent, DeviceLost, DeviceRestored
from audio.frames import SAMPLE_RATE
from audio.sources import MicrophoneSource
from audio.stt import Recognizer
from tests.speech_input.conftest import wer

JACK_RATE = 48000
TOOLS = ("jackd", "jack_connect", "jack_disconnect", "jack_lsp")


def _reinit_portaudio() -> None:
    import sounddevice as sd

    sd._terminate()
    sd._initialize()


class JackServer:
    """A private jackd on the dummy driver with 1 capture and 1 playback channel."""

    def __init__(self) -> None:
        self.name = f"pa-mic-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = ["jackd", "--no-realtime", "-n", self.name, "-d", "dummy", "-r", str(JACK_RATE), "-p", "512"]
        cmd += ["-C", "1", "-P", "1"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert self.proc is not None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            if self.ports():
                return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(
            f"jackd did not come up ({self.proc.returncode=}; 'Too many servers' means stale entries)"
        )

    def ports(self, *flags: str) -> list[str]:
        p = subprocess.run(["jack_lsp", *flags], capture_output=True, text=True, timeout=10)
        return [ln.strip() for ln in p.stdout.splitlines() if ln.strip()] if p.returncode == 0 else []

    def kill(self) -> None:
        """The device disappears. This process's PortAudio lets go of the server first: its JACK
        back-end aborts in Pa_Terminate once the server died under it (the sources under test run their
        streams in child processes, or in this process only in tests that never kill the server)."""
        import sounddevice as sd

        sd._terminate()
        if self.proc is not None and self.proc.poll() is None:
            # SIGTERM, never SIGKILL: a killed jackd leaves its entry in JACK's server registry (8 slots
            # per machine), and once it is full no JACK server starts here any more
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        sd._initialize()


@pytest.fixture
def jack() -> Iterator[JackServer]:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        msg = f"{', '.join(missing)} missing: install the Debian package jackd2 (scripts/apt-packages.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    server = JackServer()
    old = {k: os.environ.get(k) for k in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
    os.environ["JACK_DEFAULT_SERVER"] = server.name
    os.environ["JACK_NO_START_SERVER"] = "1"
    server.start()
    _reinit_portaudio()
    try:
        yield server
    finally:
        server.kill()  # lets go of PortAudio's JACK client first, while its server still runs
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _reinit_portaudio()


def _read_48k(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=JACK_RATE)
        parts = [f.to_ndarray().reshape(-1) for fr in c.decode(audio=0) for f in rs.resample(fr)]
        parts += [f.to_ndarray().reshape(-1) for f in rs.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def _collect(mic: MicrophoneSource, frames: list[np.ndarray]) -> threading.Thread:
    def run() -> None:
        for f in mic.frames():
            frames.append(f)

    t = threading.Thread(target=run, name="mic-test", daemon=True)
    t.start()
    return t


def _wait(cond: object, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if callable(cond) and cond():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.integration
def test_microphone_captures_real_speech_through_jack(
    jack: JackServer, recognizer: Recognizer, shared_audio: Path, manifest: dict
) -> None:
    import sounddevice as sd

    speech = _read_48k(shared_audio / "jfk.flac")
    audio = np.concatenate([np.zeros(JACK_RATE // 2, np.float32), speech, np.zeros(JACK_RATE, np.float32)])
    events: list[AudioEvent] = []
    frames: list[np.ndarray] = []
    mic = MicrophoneSource("system", on_event=events.append)
    reader = _collect(mic, frames)
    assert _wait(lambda: len(frames) > 3, 10), f"no frames from the JACK capture device: {events}"
    before = set(jack.ports())

    pos = 0
    playing = threading.Event()
    done = threading.Event()

    def play(outdata: np.ndarray, n: int, t: object, status: object) -> None:
        nonlocal pos
        outdata.fill(0)
        if playing.is_set():
            chunk = audio[pos : pos + n]
            outdata[: len(chunk), 0] = chunk
            pos += n
            if pos >= len(audio):
                done.set()

    out = sd.OutputStream(device="system", channels=1, samplerate=JACK_RATE, dtype="float32", callback=play)
    out.start()
    try:
        ours = sorted(set(jack.ports()) - before)  # the player's port, e.g. PortAudio:out_0
        mic_in = [p for p in jack.ports() if ":in_" in p]
        assert ours and mic_in, jack.ports("-c")
        for src in [p for p in jack.ports() if p.startswith("system:capture")]:
            subprocess.run(["jack_disconnect", src, mic_in[0]], capture_output=True, timeout=10)
        subprocess.run(["jack_connect", ours[0], mic_in[0]], check=True, timeout=10)
        start = len(frames)
        playing.set()
        assert done.wait(len(audio) / JACK_RATE + 10), "playback did not finish"
        time.sleep(0.3)
    finally:
        out.stop()
        out.close()
        mic.stop()
        reader.join(10)
    captured = np.concatenate(frames[start:])
    assert abs(len(captured) / SAMPLE_RATE - len(audio) / JACK_RATE) < 1.5  # paced like a sound card
    text = recognizer.transcribe(
        captured, language="en", word_timestamps=False
    ).text  # capture, not detection
    assert wer(manifest["jfk.flac"]["reference"], text) <= 0.1, (text, mic.overflows)
    assert not [e for e in events if isinstance(e, DeviceLost)]


@pytest.mark.slow
@pytest.mark.integration
def test_isolated_microphone_survives_jack_restart(jack: JackServer) -> None:
    events: list[AudioEvent] = []
    frames: list[np.ndarray] = []
    mic = MicrophoneSource("system", on_event=events.append, retry_s=0.3, isolated=True)
    reader = _collect(mic, frames)
    try:
        assert _wait(lambda: len(frames) > 10, 20), f"no frames: {events}"
        jack.kill()  # the device disappears under the running stream
        assert _wait(lambda: any(isinstance(e, DeviceLost) for e in events), 10), events
        n = len(frames)
        time.sleep(1.0)  # retries fail while it is gone: no restore, no frames
        assert not any(isinstance(e, DeviceRestored) for e in events)
        jack.start()
        assert _wait(lambda: any(isinstance(e, DeviceRestored) for e in events), 30), events
        assert _wait(lambda: len(frames) > n + 10, 10), "no frames after the device came back"
        kinds = [type(e).__name__ for e in events]
        assert kinds == ["DeviceLost", "DeviceRestored"], kinds
    finally:
        mic.stop()
        reader.join(10)
    assert not reader.is_alive()


INLINE_LOSS = """
import os, sys, threading, time
from audio.events import DeviceLost
from audio.sources import MicrophoneSource
events, frames = [], []
mic = MicrophoneSource("system", on_event=events.append, retry_s=0.3)
t = threading.Thread(target=lambda: [frames.append(f) for f in mic.frames()], daemon=True)
t.start()
end = time.monotonic() + 10
while len(frames) < 10 and time.monotonic() < end:
    time.sleep(0.05)
print("frames", len(frames), flush=True)
sys.stdin.readline()  # the test kills jackd now
end = time.monotonic() + 10
while not any(isinstance(e, DeviceLost) for e in events) and time.monotonic() < end:
    time.sleep(0.05)
mic.stop()
t.join(10)
print("lost", any(isinstance(e, DeviceLost) for e in events), "hung", t.is_alive(), flush=True)
os._exit(0)  # PortAudio's JACK back-end aborts in Pa_Terminate after its server died: skip atexit
"""


@pytest.mark.slow
@pytest.mark.integration
def test_inline_microphone_reports_loss_without_hanging(jack: JackServer) -> None:
    """In-process stream: the loss is reported and stop() ends iteration although the dead stream
    never closes. Run in a child process: PortAudio's JACK back-end aborts at exit after that."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    p = subprocess.Popen(
        [sys.executable, "-c", INLINE_LOSS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert p.stdin is not None and p.stdout is not None
    try:
        first = p.stdout.readline().split()
        assert first[:1] == ["frames"] and int(first[1]) >= 10, first
        jack.kill()
        p.stdin.write("go\n")
        p.stdin.flush()
        assert p.stdout.readline().split() == ["lost", "True", "hung", "False"]
        assert p.wait(20) == 0
    finally:
        if p.poll() is None:
            p.kill()
        jack.start()  # for the fixture's clean PortAudio shutdown
