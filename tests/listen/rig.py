"""A desktop with no screen and no sound card, for `personal-agent listen`: Xvfb (an X server in memory,
with the RECORD extension pynput watches keys through), a private jackd on its dummy driver (a real-time
paced sound "card"), and a JACK client of the test with a mouth (plays a recording into whatever input
port the listener opens) and an ear (records whatever output ports the listener opens, with JACK's frame
clock: the device clock the stop latency is measured on)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from tests.servers.base import unavailable

ROOT = Path(__file__).resolve().parents[2]
JACK_RATE = 48_000
TOOLS = {"Xvfb": "xvfb", "xdotool": "xdotool", "xlogo": "x11-apps", "jackd": "jackd2", "jack_lsp": "jackd2"}


def require_tools() -> None:
    missing = sorted({pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None})
    if missing:
        unavailable(f"install the Debian packages {', '.join(missing)} (scripts/apt-packages.txt)")
    try:
        import jack  # noqa: F401
    except (ImportError, OSError) as exc:
        unavailable(f"the JACK-Client package is missing or finds no libjack: {exc}")


class JackRig:
    """jackd (1 capture, 2 playback channels at 48 kHz) and the test's client with ``mouth`` and ``ear``."""

    def __init__(self) -> None:
        self.name = f"pa-listen-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.client: Any = None
        self._play: np.ndarray | None = None
        self._pos = 0
        self.played = threading.Event()
        self.heard: list[tuple[int, np.ndarray]] = []  # (frame time of the block's first sample, samples)
        self._lock = threading.Lock()
        self._new_ports: queue.Queue[str | None] = queue.Queue()
        self._wirer: threading.Thread | None = None
        self.wired: list[str] = []  # what the rig connected (or failed to), for a failing test's message

    def env(self) -> dict[str, str]:
        return {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    def start(self) -> JackRig:
        cmd = ["jackd", "--no-realtime", "-n", self.name, "-d", "dummy", "-r", str(JACK_RATE), "-p", "512",
               "-C", "1", "-P", "2"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            p = subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=10,
                               env={**os.environ, **self.env()})
            if p.returncode == 0 and "system:capture_1" in p.stdout:
                break
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("jackd did not come up")
        import jack

        self.client = jack.Client("rig", servername=self.name, no_start_server=True)
        self.mouth = self.client.outports.register("mouth")
        self.ear = self.client.inports.register("ear")
        self.client.set_process_callback(self._process)
        self.client.set_port_registration_callback(self._registered, only_available=False)
        self.client.activate()
        self._wirer = threading.Thread(target=self._wire, name="jack-wirer", daemon=True)
        self._wirer.start()
        return self

    # -- the JACK process callback (real-time thread): play and record

    def _process(self, frames: int) -> None:
        out = self.mouth.get_array()
        out.fill(0)
        play = self._play
        if play is not None:
            chunk = play[self._pos : self._pos + frames]
            out[: len(chunk)] = chunk
            self._pos += frames
            if self._pos >= len(play):
                self._play = None
                self.played.set()
        self.heard.append((self.client.last_frame_time, self.ear.get_array().copy()))

    def _registered(self, port: Any, register: bool) -> None:
        if register and not port.name.startswith(("rig:", "system:")):
            self._new_ports.put(port.name)

    def _wire(self) -> None:
        """The listener's output ports (speaker, cues) -> ear; mouth -> its input port (the microphone)."""
        while True:
            name = self._new_ports.get()
            if name is None:
                return
            for attempt in range(20):  # the owner may still be connecting it: try again shortly
                time.sleep(0.01)
                try:
                    port = self.client.get_port_by_name(name)
                    if port.is_output:
                        self.client.connect(port, self.ear)
                    else:
                        for src in self.client.get_all_connections(port):
                            self.client.disconnect(src, port)
                        self.client.connect(self.mouth, port)
                    self.wired.append(name)
                    break
                except Exception as exc:  # a port that went away already (a short cue)
                    if attempt == 19:
                        self.wired.append(f"{name}: {exc}")

    def play(self, samples: np.ndarray) -> None:
        self.played.clear()
        self._pos = 0
        self._play = samples.astype(np.float32)

    def now(self) -> int:
        """The device's frame clock now: the end of the last period it processed (under load the dummy
        driver's periods come late, and JACK's own estimate of the current frame runs ahead of them)."""
        blocks = self.heard
        if not blocks:
            return int(self.client.frame_time)
        t, b = blocks[-1]
        return int(t) + len(b)

    def recording(self, since: int = 0) -> tuple[int, np.ndarray]:
        """(frame time of the first sample, the ear's samples) from frame ``since`` on, each period placed
        at its own frame time: under load the dummy driver's periods come late and its frame clock jumps
        (the frames it skipped stay silent here), so the periods are not simply one after the other."""
        blocks = [(t, b) for t, b in list(self.heard) if t + len(b) > since]
        if not blocks:
            return since, np.zeros(0, np.float32)
        start = blocks[0][0]
        out = np.zeros(max(t + len(b) for t, b in blocks) - start, np.float32)
        for t, b in blocks:
            out[t - start : t - start + len(b)] = b
        return start, out

    def restart(self, down_s: float = 1.0) -> None:
        """The sound card is unplugged and plugged back: jackd stops (every client loses it), stays
        away ``down_s`` seconds and starts again under the same name; the rig's client comes back with it."""
        self.stop()
        time.sleep(down_s)
        self._new_ports = queue.Queue()
        self.heard = []  # the new server's frame clock starts again at 0
        self.wired = []
        self.start()

    def stop(self) -> None:
        self._new_ports.put(None)
        if self.client is not None:
            self.client.deactivate()
            self.client.close()
            self.client = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # never SIGKILL: a killed jackd leaves its entry in JACK's registry
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def band_rms(samples: np.ndarray, low_hz: float, high_hz: float, rate: int = JACK_RATE,
             window_s: float = 0.01) -> np.ndarray:
    """RMS per 10 ms window of one frequency band."""
    n = int(rate * window_s)
    count = len(samples) // n
    if count == 0:
        return np.zeros(0)
    spec = np.abs(np.fft.rfft(samples[: count * n].reshape(count, n) * np.hanning(n), axis=1))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    band = (freqs >= low_hz) & (freqs <= high_hz)
    return np.sqrt((spec[:, band] ** 2).sum(axis=1)) / n


def voice_band(samples: np.ndarray) -> np.ndarray:
    """80-900 Hz: the reply's speech, not the listener's cue tones (1.5-2.1 kHz)."""
    return band_rms(samples, 80, 900)


def voice_onset(samples: np.ndarray, level: float, windows: int = 3) -> int | None:
    """The first sample of the first ``windows`` 10 ms windows in a row whose voice band is above
    ``level`` (a click, such as a stream cut off, is one window)."""
    loud = voice_band(samples) > level
    for i in range(len(loud) - windows + 1):
        if loud[i : i + windows].all():
            return i * JACK_RATE // 100
    return None


def cue_band(samples: np.ndarray) -> np.ndarray:
    return band_rms(samples, 1450, 2200)


class ListenProcess:
    """`personal-agent listen --json --no-tray` as its own process; its events as they come."""

    def __init__(self, env: dict[str, str], rig: JackRig | None = None, args: tuple[str, ...] = ()) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "listen", "--json", "--no-tray", *args],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.events: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self.rig = rig
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(json.JSONDecodeError):
                self.events.append(json.loads(line))

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.stderr.extend(self.proc.stderr)

    def event(self, kind: str, after: int = 0, **match: Any) -> dict[str, Any] | None:
        for e in self.events[after:]:
            if e.get("kind") == kind and all(e.get(k) == v for k, v in match.items()):
                return e
        return None

    def stop(self) -> int | None:
        """Ask it to quit (SIGTERM); its exit code, or None when it had to be killed after 30 s."""
        self.proc.terminate()
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None

    def why(self) -> str:
        return f"events: {[(e.get('kind'), e.get('state') or e.get('message') or e.get('text')) for e in self.events]}; wired: {self.rig.wired if self.rig else None}; stderr: {''.join(self.stderr)[-1500:]}"
