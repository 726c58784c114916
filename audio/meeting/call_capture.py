"""Online calls: the microphone and the computer's sound output as one two-channel meeting source.

Channel 1 is the microphone (the user), channel 2 what the computer plays (the far side of a video call).
The live transcript gives every channel its own speaker (``audio.meeting.live``: S1 = you, S2 = the call),
so the two sides never mix up, whatever their voices sound like.

Where the sound output is recorded from:

- **Linux, PulseAudio or PipeWire** (pipewire-pulse): every output device has a *monitor* source. The
  ``pactl`` tool lists them (``pactl list short sources``, names ending in ``.monitor``); PortAudio records
  one through its ``pulse`` ALSA device when ``PULSE_SOURCE`` names it. That variable is set only for the
  child process that records the system side (``MicrophoneSource(isolated=True, env=...)``), never in
  this process, so the microphone's stream is not affected. ``auto`` is ``@DEFAULT_MONITOR@``: the monitor
  of whatever output is the default when the recording starts.
- **Any PortAudio input device** whose name says it records the output (a "Monitor of ..." device, a
  loopback device such as ALSA's ``snd-aloop``, BlackHole on macOS, "Stereo Mix" on Windows) can be named
  instead. On macOS the output must first be routed to BlackHole (or Loopback) with a multi-output device;
  on Windows, WASAPI loopback is not offered by the PortAudio build in sounddevice's wheel, so "Stereo Mix"
  (when the sound driver has it) or a virtual cable (VB-CABLE) is the way (docs: README, "Online calls").

The two streams run on their own clocks. Their 32 ms frames are paired as they arrive; a side that is more
than ``max_skew_frames`` behind (it started later, or its device dropped out) is filled with silence, so
the recording keeps going and never waits for one side."""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from audio.events import AudioEvent
from audio.frames import FRAME_SAMPLES, Samples
from audio.meeting.capture import Block
from audio.meeting.segments import MeetingError
from audio.sources import AudioInputError, MicrophoneSource

DEFAULT_MONITOR = "@DEFAULT_MONITOR@"  # PulseAudio's (and pipewire-pulse's) name for the default output's monitor
PULSE_DEVICE = "pulse"  # the ALSA device through which PortAudio reaches the PulseAudio/PipeWire server
MAX_SKEW_FRAMES = 8  # 256 ms


@dataclass(frozen=True)
class SystemAudio:
    """One place the computer's sound output can be recorded from."""

    name: str  # what the user picks (a setting, ``meeting record --system-audio NAME``)
    label: str  # what it is, in the sound server's words
    device: str  # the PortAudio input device opened
    pulse_source: str | None = None  # the PulseAudio/PipeWire source that device records (PULSE_SOURCE)


def pulse_monitors(run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run) -> list[SystemAudio]:
    """The monitor sources of PulseAudio/PipeWire (empty without ``pactl`` or a sound server)."""
    if shutil.which("pactl") is None:
        return []
    try:
        short = run(["pactl", "list", "short", "sources"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return []
    if short.returncode != 0:
        return []
    out: list[SystemAudio] = []
    for line in short.stdout.splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[1].endswith(".monitor"):
            out.append(SystemAudio(cols[1], f"monitor of {cols[1].removesuffix('.monitor')}", PULSE_DEVICE, cols[1]))
    return out


def portaudio_monitors() -> list[SystemAudio]:
    """PortAudio input devices whose name says they record an output (monitor, loopback, BlackHole, Stereo Mix)."""
    import sounddevice as sd

    try:
        devices = list(sd.query_devices())
    except Exception:  # no PortAudio back-end at all: nothing to list
        return []
    words = ("monitor", "loopback", "blackhole", "stereo mix", "stereomix", "what u hear")
    return [SystemAudio(str(d["name"]), str(d["name"]), str(d["name"])) for d in devices
            if int(d.get("max_input_channels", 0)) > 0 and any(w in str(d["name"]).lower() for w in words)]


def system_audio_sources() -> list[SystemAudio]:
    """Everything the computer's sound output can be recorded from here, sound-server monitors first."""
    found = pulse_monitors() + portaudio_monitors()
    return list({s.name: s for s in found}.values())


def resolve_system_audio(choice: str) -> SystemAudio:
    """``auto``: the default output's monitor (PulseAudio/PipeWire) or the only monitor PortAudio lists;
    else a listed source by name (exact, then a unique part of it), else a PortAudio input device by name.
    MeetingError (English and German) with one clear line when there is none."""
    want = choice.strip()
    listed = system_audio_sources()
    if want.lower() in ("", "auto", "default"):
        if shutil.which("pactl") is not None and any(s.pulse_source for s in listed):
            return SystemAudio(DEFAULT_MONITOR, "monitor of the default output", PULSE_DEVICE, DEFAULT_MONITOR)
        if len(listed) == 1:
            return listed[0]
        names = ", ".join(s.name for s in listed)
        if not listed:
            raise MeetingError("no recording source for the computer's sound output was found",
                               de="keine Aufnahmequelle für die Tonausgabe des Computers gefunden")
        raise MeetingError(f"several sources record the computer's sound output; name one: {names}",
                           de=f"mehrere Quellen nehmen die Tonausgabe des Computers auf; nenne eine: {names}")
    for s in listed:
        if s.name == want:
            return s
    part = [s for s in listed if want.lower() in s.name.lower()]
    if len(part) == 1:
        return part[0]
    from audio.sources import resolve_input_device

    try:
        resolve_input_device(want)
    except AudioInputError:
        names = ", ".join(s.name for s in listed) or "-"
        raise MeetingError(f"no source of the computer's sound output and no input device named '{want}'; "
                           f"sound output sources: {names}",
                           de=f"keine Quelle der Tonausgabe und kein Eingabegerät namens „{want}“; "
                           f"Quellen der Tonausgabe: {names}") from None
    return SystemAudio(want, want, want)


class CallSource:
    """The microphone (channel 1) and the computer's sound output (channel 2), both live, each in its own
    child process (they survive a device that drops out; see :class:`audio.sources.MicrophoneSource`)."""

    channels = 2
    live = True

    def __init__(self, mic: str | int | None, system: SystemAudio,
                 on_event: Callable[[AudioEvent], None] | None = None, max_skew_frames: int = MAX_SKEW_FRAMES,
                 isolated: bool = True) -> None:
        self.system = system
        env = {"PULSE_SOURCE": system.pulse_source} if system.pulse_source else None
        self._sides = [MicrophoneSource(mic, on_event=on_event, isolated=isolated),
                       MicrophoneSource(system.device, on_event=on_event, isolated=isolated, env=env)]
        self.max_skew = max(1, max_skew_frames)
        self._stop = threading.Event()
        self.padded_frames = [0, 0]  # frames of silence put in for a side that was behind, per channel

    def stop(self) -> None:
        self._stop.set()
        for s in self._sides:
            s.stop()

    def _read(self, channel: int, out: queue.Queue[tuple[int, Samples | BaseException | None]]) -> None:
        try:
            for frame in self._sides[channel].frames():
                out.put((channel, frame))
        except BaseException as exc:  # handed to the consumer: it ends the recording with the reason
            out.put((channel, exc))
        finally:
            out.put((channel, None))

    def blocks(self) -> Iterator[Block]:
        got: queue.Queue[tuple[int, Samples | BaseException | None]] = queue.Queue()
        readers = [threading.Thread(target=self._read, args=(c, got), name=f"call-side-{c + 1}", daemon=True)
                   for c in (0, 1)]
        for t in readers:
            t.start()
        pending: list[deque[Samples]] = [deque(), deque()]
        silence = np.zeros(FRAME_SAMPLES, np.float32)
        ended = 0
        try:
            while not self._stop.is_set() and ended < 2:
                try:
                    channel, item = got.get(timeout=0.5)
                except queue.Empty:
                    continue
                if item is None:
                    ended += 1
                    continue
                if isinstance(item, BaseException):
                    raise AudioInputError(f"{'microphone' if channel == 0 else 'system sound'}: {item}") from None
                pending[channel].append(item)
                while pending[0] and pending[1]:
                    yield np.stack([pending[0].popleft(), pending[1].popleft()], axis=1)
                for c in (0, 1):
                    while len(pending[c]) > self.max_skew:  # the other side is behind: silence for it
                        self.padded_frames[1 - c] += 1
                        pair = (pending[c].popleft(), silence) if c == 0 else (silence, pending[c].popleft())
                        yield np.stack(pair, axis=1)
        finally:
            self.stop()
            for t in readers:
                t.join(5)
