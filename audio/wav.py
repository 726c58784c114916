"""WAV in one place: float samples in [-1, 1] <-> 16-bit PCM WAV bytes and files (soundfile/libsndfile).

Every WAV the app makes is little-endian 16-bit PCM with the plain 44-byte header (``RIFF``, ``fmt ``,
``data``; clients such as ``RemoteEngine.meeting_audio`` rely on it to seek by byte range). Samples are
float arrays, 1-D for mono or 2-D ``(frames, channels)``; they are clipped to [-1, 1] and scaled by
32767 (truncated, as :func:`pcm16` does), so the bytes are the same as the hand-written ``wave`` code
they replace.

This module imports only the standard library at import time (numpy and soundfile on first use), so
:func:`pcm16_wav_bytes` also serves the numpy-free phone client.
"""

from __future__ import annotations

import io
import os
import struct
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

PCM16_MAX = 32767.0
HEADER_BYTES = 44


def pcm16(samples: npt.ArrayLike) -> npt.NDArray[np.int16]:
    """Float samples in [-1, 1] (clipped) as 16-bit integers, same shape."""
    import numpy as np

    return (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * PCM16_MAX).astype(np.int16)


def _channels(a: npt.NDArray[Any]) -> int:
    if a.ndim == 1:
        return 1
    if a.ndim == 2 and a.shape[1] >= 1:
        return int(a.shape[1])
    raise ValueError(f"samples must be 1-D (mono) or 2-D (frames, channels), got shape {a.shape}")


def _write(target: Any, samples: npt.ArrayLike, rate: int) -> None:
    import soundfile as sf

    data = pcm16(samples)
    _channels(data)
    sf.write(target, data, int(rate), format="WAV", subtype="PCM_16")


def wav_bytes(samples: npt.ArrayLike, rate: int) -> bytes:
    """A whole WAV file in memory: 16-bit PCM of ``samples`` (clipped to [-1, 1]) at ``rate`` Hz."""
    buf = io.BytesIO()
    _write(buf, samples, rate)
    return buf.getvalue()


def write_wav(path: str | os.PathLike[str], samples: npt.ArrayLike, rate: int) -> Path:
    """Write ``samples`` as a 16-bit PCM WAV file, atomically (a failure leaves no half file):
    it is written beside as ``.<name>.partial`` and renamed at the end."""
    path = Path(path)
    with _atomic(path) as tmp:
        _write(str(tmp), samples, rate)
    return path


class WavSink(Protocol):
    def write(self, samples: npt.ArrayLike) -> None: ...


class _SoundFileSink:
    def __init__(self, f: Any, channels: int) -> None:
        self._f = f
        self.channels = channels
        self.frames = 0

    def write(self, samples: npt.ArrayLike) -> None:
        data = pcm16(samples)
        if _channels(data) != self.channels:
            raise ValueError(f"block has {_channels(data)} channel(s), the file {self.channels}")
        self._f.write(data)
        self.frames += len(data)


@contextmanager
def wav_writer(path: str | os.PathLike[str], rate: int, channels: int = 1) -> Iterator[WavSink]:
    """A WAV file written block by block (long recordings: constant memory), atomically::

        with wav_writer(target, 16_000, channels=2) as out:
            for block in blocks:       # float (frames, 2) in [-1, 1]
                out.write(block)

    The file appears under ``path`` only when the ``with`` block ends without an error."""
    import soundfile as sf

    path = Path(path)
    with _atomic(path) as tmp, sf.SoundFile(
        str(tmp), "w", int(rate), int(channels), format="WAV", subtype="PCM_16"
    ) as f:
        yield _SoundFileSink(f, int(channels))


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    tmp = path.with_name(f".{path.name}.partial")
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_wav(source: str | os.PathLike[str] | bytes) -> tuple[npt.NDArray[np.float32], int]:
    """Samples (float32 in [-1, 1]; 1-D for mono, ``(frames, channels)`` otherwise) and the rate of a
    WAV file or of WAV bytes (any format libsndfile reads, in fact)."""
    import numpy as np
    import soundfile as sf

    src: Any = io.BytesIO(source) if isinstance(source, bytes | bytearray) else str(source)
    data, rate = sf.read(src, dtype="float32", always_2d=False)
    return np.asarray(data, dtype=np.float32), int(rate)


def pcm16_wav_header(frames: int, rate: int, channels: int = 1) -> bytes:
    """The 44-byte header of a 16-bit PCM WAV of ``frames`` frames, for a file written front to back
    where nothing can be patched afterwards (a sealed file)."""
    data = frames * channels * 2
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data, b"WAVE", b"fmt ", 16, 1, channels, rate,
                       rate * channels * 2, channels * 2, 16, b"data", data)


def pcm16_wav_bytes(pcm: bytes, rate: int, channels: int = 1) -> bytes:
    """Raw little-endian 16-bit PCM (interleaved frames) wrapped in a WAV header. Standard library
    only: for clients without numpy (the phone build's ``RemoteEngine``)."""
    if len(pcm) % (2 * channels):
        raise ValueError(f"{len(pcm)} bytes are not whole 16-bit frames of {channels} channel(s)")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()
