"""A real speaker-embedding model run with numpy alone: the GE2E speaker encoder that the Resemblyzer
package ships (``resemblyzer/pretrained.pt``, 17 MB, Apache-2.0; a 3-layer LSTM of 256 units over 40 mel
bands, trained on LibriSpeech, VoxCeleb 1 and 2 for speaker verification). It maps 1.6 s of speech to a
256-dimensional unit vector; the same voice gives vectors with a high cosine similarity.

No torch: the package is installed without its dependencies (scripts/setup.sh) and never imported; its
weight file (PyTorch's legacy serialisation: pickled metadata, then the raw float32 storages) is read
here with a restricted unpickler that builds numpy arrays and accepts nothing else. The mel front end is
the encoder's own (linear mel power, not log: 25 ms Hann window, 10 ms hop, Slaney mel scale).

:func:`available` says whether the weights are installed; without them the diarizer falls back to MFCC
statistics (``audio.meeting.features``)."""

from __future__ import annotations

import collections
import importlib.metadata
import pickle
import struct
import threading
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from audio.frames import SAMPLE_RATE, Samples
from audio.meeting.features import HOP, WIN

FloatArray = npt.NDArray[np.float32]
N_MELS = 40
PARTIAL_ROWS = 160  # 1.6 s of 10 ms rows: what the encoder was trained on
DIM = 256
TARGET_RMS = 10 ** (-30 / 20)  # the encoder's training audio was levelled to -30 dBFS
WEIGHTS = "resemblyzer/pretrained.pt"


class EncoderUnavailable(RuntimeError):
    """The speaker-encoder weights are not installed (or not readable)."""


def weights_path() -> Path | None:
    try:
        p = Path(str(importlib.metadata.distribution("Resemblyzer").locate_file(WEIGHTS)))
    except importlib.metadata.PackageNotFoundError:
        return None
    return p if p.is_file() else None


def available() -> bool:
    return weights_path() is not None


# ------------------------------------------------------------------------------- weight file reader


class _Storage:
    def __init__(self, key: str, numel: int) -> None:
        self.key, self.numel = key, numel


class _Tensor:
    def __init__(self, storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...]) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


def _rebuild(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any) -> _Tensor:
    return _Tensor(storage, offset, tuple(size), tuple(stride))


class _Reader(pickle.Unpickler):
    """Only what a state dict of float tensors needs; any other global is refused."""

    def __init__(self, fh: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(fh)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild
        if module == "torch" and name == "FloatStorage":
            return name
        raise pickle.UnpicklingError(f"unexpected object in the weight file: {module}.{name}")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, storage_type, key, _location, numel = pid[:5]
        if kind != "storage" or storage_type != "FloatStorage":
            raise pickle.UnpicklingError("only float32 storages are expected")
        return self._storages.setdefault(str(key), _Storage(str(key), int(numel)))


def load_state(path: Path) -> dict[str, FloatArray]:
    """The model's tensors by name, as float32 arrays (PyTorch legacy format, read without torch)."""
    storages: dict[str, _Storage] = {}
    with open(path, "rb") as fh:
        for _ in range(3):  # magic number, protocol version, system info: plain data
            pickle.Unpickler(fh).load()
        state = _Reader(fh, storages).load()
        keys = pickle.Unpickler(fh).load()
        data: dict[str, npt.NDArray[np.float32]] = {}
        for key in keys:
            (numel,) = struct.unpack("<q", fh.read(8))
            data[key] = np.frombuffer(fh.read(4 * numel), "<f4")
    out: dict[str, FloatArray] = {}
    for name, t in state["model_state"].items():
        flat = data[t.storage.key]
        n = int(np.prod(t.size))
        arr = np.lib.stride_tricks.as_strided(flat[t.offset:], shape=t.size, strides=[4 * s for s in t.stride])
        out[name] = np.array(arr[..., :] if n else arr, np.float32)
    return out


# ---------------------------------------------------------------------------------------- front end


def _hz_to_mel(f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    f = np.asarray(f, np.float64)
    lin = f / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(f, 1e-9) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def _mel_to_hz(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    lin = m * (200.0 / 3)
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
    return np.where(m >= 15.0, log, lin)


def slaney_filterbank(n_mels: int = N_MELS, n_fft: int = WIN, rate: int = SAMPLE_RATE) -> FloatArray:
    """Triangular filters on the Slaney mel scale, area-normalised (as the encoder was trained with)."""
    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(rate / 2.0)), n_mels + 2))
    fb = np.zeros((n_mels, len(freqs)))
    for i in range(n_mels):
        lo, c, hi = edges[i], edges[i + 1], edges[i + 2]
        up = (freqs - lo) / (c - lo)
        down = (hi - freqs) / (hi - c)
        fb[i] = np.maximum(0.0, np.minimum(up, down)) * (2.0 / (hi - lo))
    return fb.astype(np.float32)


class MelPowerStream:
    """Push audio of any length; get one row per 10 ms: 40 mel band powers and the frame's mean power."""

    def __init__(self) -> None:
        self._fb = slaney_filterbank()
        self._window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)).astype(np.float32)  # periodic Hann
        self._buf = np.zeros(0, np.float32)

    def push(self, audio: Samples) -> tuple[FloatArray, FloatArray]:
        buf = np.concatenate([self._buf, audio.astype(np.float32, copy=False)])
        n = 0 if len(buf) < WIN else 1 + (len(buf) - WIN) // HOP
        self._buf = buf[n * HOP:]
        if n == 0:
            return np.zeros((0, N_MELS), np.float32), np.zeros(0, np.float32)
        idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
        frames = buf[idx]
        spec = np.abs(np.fft.rfft(frames * self._window, WIN)) ** 2
        return (spec.astype(np.float32) @ self._fb.T), (frames * frames).mean(1).astype(np.float32)

    def skip(self, audio: Samples) -> int:
        buf = np.concatenate([self._buf, audio.astype(np.float32, copy=False)])
        n = 0 if len(buf) < WIN else 1 + (len(buf) - WIN) // HOP
        self._buf = buf[n * HOP:]
        return n


# ------------------------------------------------------------------------------------------- model


def _sigmoid(x: FloatArray) -> FloatArray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


class SpeakerEncoder:
    """The GE2E encoder: mel windows in, unit speaker vectors out. Thread-safe (read-only weights)."""

    def __init__(self, path: Path | None = None) -> None:
        from audio.stt import limit_blas_threads

        limit_blas_threads()  # the LSTM's small matrix products: spinning BLAS threads cost 10x the CPU
        p = path or weights_path()
        if p is None:
            raise EncoderUnavailable("the speaker-encoder weights (package Resemblyzer) are not installed")
        try:
            w = load_state(p)
        except (OSError, pickle.UnpicklingError, KeyError, ValueError, struct.error) as exc:
            raise EncoderUnavailable(f"the speaker-encoder weights could not be read: {exc}") from None
        self._layers = [(np.ascontiguousarray(w[f"lstm.weight_ih_l{i}"].T), np.ascontiguousarray(w[f"lstm.weight_hh_l{i}"].T),
                         w[f"lstm.bias_ih_l{i}"] + w[f"lstm.bias_hh_l{i}"]) for i in range(3)]
        self._lin_w = np.ascontiguousarray(w["linear.weight"].T)
        self._lin_b = w["linear.bias"]

    def embed(self, mels: FloatArray) -> FloatArray:
        """``mels``: (batch, rows, 40) levelled mel power; returns (batch, 256) unit vectors."""
        x = mels.astype(np.float32, copy=False)
        b, t, _ = x.shape
        for w_ih, w_hh, bias in self._layers:
            h = np.zeros((b, DIM), np.float32)
            c = np.zeros((b, DIM), np.float32)
            pre = (x.reshape(b * t, -1) @ w_ih + bias).reshape(b, t, 4 * DIM)  # input part of every step at once
            outs = np.empty((b, t, DIM), np.float32)
            for step in range(t):
                g = pre[:, step] + h @ w_hh
                i, f = _sigmoid(g[:, :DIM]), _sigmoid(g[:, DIM:2 * DIM])
                gg, o = np.tanh(g[:, 2 * DIM:3 * DIM]), _sigmoid(g[:, 3 * DIM:])
                c = f * c + i * gg
                h = o * np.tanh(c)
                outs[:, step] = h
            x = outs
        e = np.maximum(0.0, h @ self._lin_w + self._lin_b)
        return (e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)).astype(np.float32)

    def embed_audio(self, audio: Samples, hop_rows: int = 80) -> FloatArray:
        """One unit vector for a clip of one voice (the mean of its 1.6 s windows), e.g. a profile sample."""
        stream = MelPowerStream()
        mel, power = stream.push(np.concatenate([audio, np.zeros(WIN, np.float32)]))
        if len(mel) == 0:
            raise ValueError("the clip is too short for a voice sample")
        mel = level(mel, power)
        if len(mel) <= PARTIAL_ROWS:
            wins = mel[None, -PARTIAL_ROWS:]
        else:
            starts = range(0, len(mel) - PARTIAL_ROWS + 1, hop_rows)
            wins = np.stack([mel[s:s + PARTIAL_ROWS] for s in starts])
        v = self.embed(wins).mean(0)
        return (v / max(float(np.linalg.norm(v)), 1e-9)).astype(np.float32)


def level(mel: FloatArray, power: FloatArray) -> FloatArray:
    """Mel power of audio brought to the encoder's -30 dBFS (from the rows' mean frame power)."""
    p = float(power.mean()) if len(power) else 0.0
    return mel * (TARGET_RMS ** 2 / p) if p > 1e-10 else mel


_shared: SpeakerEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> SpeakerEncoder:
    """The process's one encoder (weights loaded once, ~6 MB); EncoderUnavailable without them."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SpeakerEncoder()
        return _shared
