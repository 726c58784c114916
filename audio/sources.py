"""Sources of 16 kHz mono float32 frames: audio files (streamed, constant memory) and the microphone.

Both yield frames of ``FRAME_SAMPLES`` samples. Bad input raises :class:`AudioInputError` with a message
that names the file or device and says what is wrong; nothing else escapes.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from audio.events import AudioEvent, DeviceLost, DeviceRestored
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Reframer, Samples
from audio.stream_lock import stream_guard

log = logging.getLogger(__name__)


class AudioInputError(Exception):
    """A file or device cannot give audio; the message says which and why."""


# ---------------------------------------------------------------------------------------------- files


def _open_container(path: Path) -> Any:
    import av

    if not path.exists():
        raise AudioInputError(f"{path}: no such file")
    if path.is_dir():
        raise AudioInputError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioInputError(f"{path}: file is empty")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise AudioInputError(
            f"{path}: not a readable audio file ({exc.__class__.__name__}: {exc})"
        ) from None
    if not container.streams.audio:
        container.close()
        raise AudioInputError(f"{path}: has no audio stream")
    return container


def file_chunks(path: str | Path, channel: int | None = None) -> Iterator[Samples]:
    """Decode ``path`` chunk by chunk to 16 kHz float32: the mono mix, or one channel (0 = left).

    A file that breaks off mid-stream yields what decoded and then stops (logged); a file that
    yields no audio at all raises AudioInputError."""
    import av

    p = Path(path)
    container = _open_container(p)
    got_any = False
    try:
        stream = container.streams.audio[0]
        layout = "mono" if channel is None else "stereo"
        if channel is not None and (stream.channels or 1) < 2 and channel > 0:
            raise AudioInputError(f"{p}: has {stream.channels} channel(s); channel {channel} does not exist")
        resampler = av.AudioResampler(format="flt", layout=layout, rate=SAMPLE_RATE)

        def convert(frames: list[Any]) -> Iterator[Samples]:
            for out in frames:
                a = out.to_ndarray()  # packed flt: shape (1, n * channels)
                if channel is None:
                    yield a.reshape(-1).astype(np.float32, copy=False)
                else:
                    yield a.reshape(-1, 2)[:, min(channel, 1)].astype(np.float32)

        try:
            for frame in container.decode(stream):
                try:
                    outs = resampler.resample(frame)
                except (av.FFmpegError, ValueError) as exc:
                    log.warning("%s: skipping a bad audio frame (%s)", p, exc)
                    continue
                for chunk in convert(outs):
                    got_any = got_any or chunk.size > 0
                    yield chunk
        except (av.FFmpegError, OSError, EOFError) as exc:
            if not got_any:
                raise AudioInputError(
                    f"{p}: audio data is corrupt ({exc.__class__.__name__}: {exc})"
                ) from None
            log.warning("%s: audio breaks off early (%s); using what decoded", p, exc)
        for chunk in convert(resampler.resample(None)):
            got_any = got_any or chunk.size > 0
            yield chunk
    finally:
        container.close()
    if not got_any:
        raise AudioInputError(f"{p}: contains no audio samples")


def file_frames(path: str | Path, channel: int | None = None) -> Iterator[Samples]:
    """Frames of ``FRAME_SAMPLES`` from a file (last one zero-padded)."""
    r = Reframer(FRAME_SAMPLES)
    for chunk in file_chunks(path, channel):
        yield from r.push(chunk)
    yield from r.flush()


def read_file(path: str | Path, channel: int | None = None, max_seconds: float | None = None) -> Samples:
    """A whole file as one 16 kHz array (for clips; long recordings should stream ``file_frames``)."""
    parts: list[Samples] = []
    n = 0
    limit = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
    for chunk in file_chunks(path, channel):
        parts.append(chunk)
        n += chunk.size
        if limit is not None and n >= limit:
            break
    a = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return a if limit is None else a[:limit]


def channel_count(path: str | Path) -> int:
    c = _open_container(Path(path))
    try:
        return int(c.streams.audio[0].channels or 1)
    finally:
        c.close()


# ----------------------------------------------------------------------------------------- microphone


class InputStreamLike(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...


StreamFactory = Callable[..., InputStreamLike]


def resolve_input_device(device: str | int | None) -> int | None:
    """Index of the input device named by a substring (case-insensitive) or index; None = default."""
    import sounddevice as sd

    if device is None or device == "":
        return None
    try:
        devices = list(sd.query_devices())
    except Exception as exc:  # PortAudio errors are plain Exceptions
        raise AudioInputError(f"cannot list audio devices: {exc}") from None
    inputs = [(i, d) for i, d in enumerate(devices) if int(d.get("max_input_channels", 0)) > 0]
    if isinstance(device, int) or (isinstance(device, str) and device.isdigit()):
        idx = int(device)
        if any(i == idx for i, _ in inputs):
            return idx
        raise AudioInputError(f"no input device with index {idx}; inputs: {_names(inputs)}")
    matches = [i for i, d in inputs if str(device).lower() in str(d["name"]).lower()]
    if not matches:
        raise AudioInputError(f"no input device matching '{device}'; inputs: {_names(inputs)}")
    return matches[0]


def _names(inputs: list[tuple[int, Any]]) -> str:
    return ", ".join(f"{i}: {d['name']}" for i, d in inputs) or "none found"


def _sounddevice_stream(**kw: Any) -> InputStreamLike:
    import sounddevice as sd

    return sd.InputStream(**kw)  # type: ignore[no-any-return]


class MicrophoneSource:
    """Frames from a sounddevice InputStream, resampled to 16 kHz mono.

    When the device fails or disappears, it emits :class:`DeviceLost`, retries every ``retry_s``
    seconds and emits :class:`DeviceRestored` once it is back; iteration continues across the gap.

    ``isolated=True`` runs the stream in a child process (``python -m audio.mic_worker``) that sends
    raw samples through a pipe. PortAudio lists devices once per process and some of its back-ends
    cannot recover in-process from a device or sound server that vanished (with JACK, closing the dead
    stream and re-initializing PortAudio both block for good); a fresh child per attempt sees devices
    that came back and can always be killed. It costs a process start (~0.5 s) per (re)open, so
    short-lived sources (one per push-to-talk press) keep the default in-process stream, which still
    reports the loss (it never blocks on a dead stream) and retries.
    """

    def __init__(
        self,
        device: str | int | None = None,
        on_event: Callable[[AudioEvent], None] | None = None,
        retry_s: float = 1.0,
        block_ms: int = 32,
        stream_factory: StreamFactory = _sounddevice_stream,
        device_resolver: Callable[[str | int | None], int | None] = resolve_input_device,
        device_rate: Callable[[int | None], int] | None = None,
        isolated: bool = False,
        max_retry_s: float = 5.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.device = device
        self.env = env or {}  # extra environment of the isolated child (e.g. PULSE_SOURCE: which source it records)
        self.on_event = on_event or (lambda e: None)
        self.retry_s = retry_s
        self.block_ms = block_ms
        self._factory = stream_factory
        self._resolve = device_resolver
        self._device_rate = device_rate or _default_rate
        self._q: queue.Queue[Samples | BaseException] = queue.Queue(maxsize=500)
        self._stop = threading.Event()
        self._stream: InputStreamLike | None = None
        self.overflows = 0
        self.isolated = isolated
        self.max_retry_s = max(retry_s, max_retry_s)
        self._proc: subprocess.Popen[bytes] | None = None

    def _open(self) -> int:
        idx = self._resolve(self.device)
        rate = self._device_rate(idx)
        blocksize = max(1, int(rate * self.block_ms / 1000))

        def callback(indata: Any, frames: int, t: Any, status: Any) -> None:
            if status and getattr(status, "input_overflow", False):
                self.overflows += 1
            try:
                self._q.put_nowait(np.array(indata, dtype=np.float32).mean(axis=1))
            except queue.Full:
                self.overflows += 1

        def finished() -> None:
            if not self._stop.is_set():
                self._q.put(AudioInputError(f"input device {self.device!r} stopped"))

        with stream_guard():
            self._stream = self._factory(
                device=idx,
                channels=1,
                samplerate=rate,
                dtype="float32",
                blocksize=blocksize,
                callback=callback,
                finished_callback=finished,
            )
            self._stream.start()
        return rate

    def _close(self) -> None:
        s, self._stream = self._stream, None
        if s is None:
            return

        def close() -> None:
            with stream_guard():
                for op in (s.stop, s.close):
                    try:
                        op()
                    except Exception as exc:
                        log.debug("closing input stream: %s", exc)

        # a stream whose device or sound server died can block in stop() for good: never wait long
        t = threading.Thread(target=close, name="mic-close", daemon=True)
        t.start()
        t.join(2.0)
        if t.is_alive():
            log.warning("input stream of %r did not close (device gone); abandoned", self.device)

    def stop(self) -> None:
        self._stop.set()
        self._q.put(AudioInputError("stopped"))
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def frames(self) -> Iterator[Samples]:
        """Frames until :meth:`stop`; survives device loss by retrying."""
        if self.isolated:
            yield from self._frames_isolated()
            return
        from audio.frames import Resampler

        lost = False
        name = str(self.device if self.device is not None else "default")
        while not self._stop.is_set():
            try:
                rate = self._open()
            except Exception as exc:
                if not lost:
                    lost = True
                    self.on_event(DeviceLost(device=name, error=str(exc)))
                self._close()
                self._stop.wait(self.retry_s)
                continue
            if lost:
                lost = False
                self.on_event(DeviceRestored(device=name))
            resampler = Resampler(rate)
            reframer = Reframer(FRAME_SAMPLES)
            while not self._stop.is_set():
                try:
                    item = self._q.get(timeout=max(2.0, 10 * self.block_ms / 1000))
                except queue.Empty:
                    item = AudioInputError(f"input device {name!r} delivers no audio")
                if isinstance(item, BaseException):
                    if self._stop.is_set():
                        break
                    lost = True
                    self.on_event(DeviceLost(device=name, error=str(item)))
                    break
                yield from reframer.push(resampler(item))
            self._close()
            if lost and not self._stop.is_set():
                time.sleep(self.retry_s)
        self._close()

    # ------------------------------------------------------------------------ child-process stream

    def _spawn(self) -> tuple[subprocess.Popen[bytes], int]:
        cmd = [sys.executable, "-m", "audio.mic_worker", "" if self.device is None else str(self.device)]
        cmd.append(str(self.block_ms))
        root = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p),
            **self.env,
        }
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
        )
        self._proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        ready, _, _ = select.select([proc.stdout], [], [], 15.0)
        header = proc.stdout.readline() if ready else b""
        if not header.startswith(b"{"):
            proc.kill()
            err = (
                proc.stderr.read().decode(errors="replace").strip().splitlines()
                if proc.wait(5) is not None
                else []
            )
            raise AudioInputError(err[-1] if err else "microphone worker did not start")
        return proc, int(json.loads(header)["rate"])

    def _frames_isolated(self) -> Iterator[Samples]:
        from audio.frames import Resampler

        lost = False
        delay = self.retry_s
        name = str(self.device if self.device is not None else "default")
        while not self._stop.is_set():
            try:
                proc, rate = self._spawn()
            except Exception as exc:
                if not lost:
                    lost = True
                    self.on_event(DeviceLost(device=name, error=str(exc)))
                self._stop.wait(delay)
                delay = min(self.max_retry_s, delay * 1.5)
                continue
            delay = self.retry_s
            if lost:
                lost = False
                self.on_event(DeviceRestored(device=name))
            resampler = Resampler(rate)
            reframer = Reframer(FRAME_SAMPLES)
            assert proc.stdout is not None
            fd = proc.stdout.fileno()
            pending = b""
            error = ""
            while not self._stop.is_set():
                ready, _, _ = select.select([fd], [], [], max(2.0, 10 * self.block_ms / 1000))
                if not ready:
                    error = f"input device {name!r} delivers no audio"
                    break
                data = os.read(fd, 65536)
                if not data:
                    err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
                    error = (err.splitlines() or [f"input device {name!r} stopped"])[-1]
                    break
                pending += data
                n = len(pending) // 4 * 4
                chunk, pending = np.frombuffer(pending[:n], np.float32).copy(), pending[n:]
                if chunk.size:
                    yield from reframer.push(resampler(chunk))
            if proc.poll() is None:
                proc.kill()
            proc.wait(5)
            self._proc = None
            if error and not self._stop.is_set():
                lost = True
                self.on_event(DeviceLost(device=name, error=error))
                self._stop.wait(self.retry_s)


def _default_rate(idx: int | None) -> int:
    import sounddevice as sd

    try:
        info = sd.query_devices(idx, "input")
        return int(info["default_samplerate"])
    except Exception as exc:
        raise AudioInputError(f"input device {idx!r} unavailable: {exc}") from None
