"""Speaker features without torch: streaming MFCCs (25 ms window, 10 ms hop, 40 mel bands) in numpy."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from audio.frames import SAMPLE_RATE, Samples

HOP = 160  # 10 ms
WIN = 400  # 25 ms
NFFT = 512
N_MELS = 40
N_MFCC = 20  # c1..c19 are kept (c0 is loudness, not voice)

FloatArray = npt.NDArray[np.float32]


def _mel(f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 2595.0 * np.log10(1.0 + f / 700.0)


def _imel(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank(n_mels: int = N_MELS, nfft: int = NFFT, rate: int = SAMPLE_RATE) -> FloatArray:
    pts = _imel(np.linspace(_mel(np.array(0.0)), _mel(np.array(rate / 2)), n_mels + 2))
    bins = np.floor((nfft + 1) * pts / rate).astype(int)
    fb = np.zeros((n_mels, nfft // 2 + 1), np.float32)
    for i in range(n_mels):
        lo, c, hi = bins[i], bins[i + 1], bins[i + 2]
        for k in range(lo, c):
            fb[i, k] = (k - lo) / max(1, c - lo)
        for k in range(c, hi):
            fb[i, k] = (hi - k) / max(1, hi - c)
    return fb


class MfccStream:
    """Push audio of any length, get MFCC rows (one per 10 ms) for every complete window."""

    def __init__(self) -> None:
        self._fb = mel_filterbank()
        n = np.arange(N_MELS)
        self._dct = np.cos(np.pi / N_MELS * (n[None, :] + 0.5) * np.arange(N_MFCC)[:, None]).astype(np.float32)
        self._window = np.hamming(WIN).astype(np.float32)
        self._buf = np.zeros(0, np.float32)
        self.frames = 0

    def skip(self, audio: Samples) -> int:
        """Advance over audio whose MFCCs are not needed (non-speech); returns the rows skipped."""
        buf = np.concatenate([self._buf, audio.astype(np.float32, copy=False)])
        n = 0 if len(buf) < WIN else 1 + (len(buf) - WIN) // HOP
        self._buf = buf[n * HOP :]
        self.frames += n
        return n

    def push(self, audio: Samples) -> FloatArray:
        buf = np.concatenate([self._buf, audio.astype(np.float32, copy=False)])
        n = 0 if len(buf) < WIN else 1 + (len(buf) - WIN) // HOP
        if n == 0:
            self._buf = buf
            return np.zeros((0, N_MFCC - 1), np.float32)
        idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
        spec = np.abs(np.fft.rfft(buf[idx] * self._window, NFFT)) ** 2
        logmel = np.log(spec.astype(np.float32) @ self._fb.T + 1e-8)
        self._buf = buf[n * HOP :]
        self.frames += n
        return (logmel @ self._dct.T)[:, 1:].astype(np.float32)
