"""A virtual audio output for machines without a sound card (CI, servers, benchmarks).

JACK's ``dummy`` backend is a real-time paced sound "card" with no hardware: a PortAudio
OutputStream on it consumes audio at exactly the sample rate, like a speaker would, so playback
timing and stopping can be measured. Needs the Debian package ``jackd2`` (scripts/apt-packages.txt);
PortAudio (libportaudio2) already speaks JACK.

PortAudio lists devices once when it is initialized, so :meth:`JackDummyOutput.start` re-initializes
sounddevice's PortAudio: do not keep other streams open across it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType


class VirtualOutputError(Exception):
    """The virtual output device could not be started; the message says why."""


def _reinit_portaudio() -> None:
    import sounddevice as sd

    sd._terminate()
    sd._initialize()


def jack_available() -> bool:
    return shutil.which("jackd") is not None


class JackDummyOutput:
    """A private JACK server on the dummy backend; its output device is named ``DEVICE_NAME``."""

    DEVICE_NAME = "system"

    def __init__(self, sample_rate: int = 22050, period: int = 256) -> None:
        self.sample_rate = sample_rate
        self.period = period
        self.server_name = f"pa-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = Path(tempfile.gettempdir()) / f"{self.server_name}.log"
        self._old_env: dict[str, str | None] = {}

    def start(self, timeout_s: float = 10.0) -> JackDummyOutput:
        jackd = shutil.which("jackd")
        if jackd is None:
            raise VirtualOutputError("jackd not found: install the Debian package jackd2")
        cmd = [
            jackd,
            "--no-realtime",
            "-n",
            self.server_name,
            "-d",
            "dummy",
            "-r",
            str(self.sample_rate),
            "-p",
            str(self.period),
            "-C",
            "0",
            "-P",
            "2",
        ]
        with self._log.open("wb") as log:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._old_env = {k: os.environ.get(k) for k in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
        os.environ["JACK_DEFAULT_SERVER"] = self.server_name
        os.environ["JACK_NO_START_SERVER"] = "1"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            time.sleep(0.2)
            _reinit_portaudio()
            if self.device_index() is not None:
                return self
        log_text = self._log.read_text(errors="replace")[-800:] if self._log.exists() else ""
        self.stop()
        raise VirtualOutputError(f"JACK dummy server did not come up: {log_text}")

    def device_index(self) -> int | None:
        import sounddevice as sd

        for api in sd.query_hostapis():
            if "JACK" in str(api["name"]):
                for idx in api["devices"]:
                    if sd.query_devices(idx)["max_output_channels"] > 0:
                        return int(idx)
        return None

    def stop(self) -> None:
        import sounddevice as sd

        sd._terminate()  # close PortAudio's JACK client while its server still runs
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for key, value in self._old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._old_env = {}
        self._log.unlink(missing_ok=True)
        sd._initialize()

    def __enter__(self) -> JackDummyOutput:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
