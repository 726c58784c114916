"""The far side's echo in the microphone channel of a call.

Without a headset the computer's speakers play the far side (channel 2) and the microphone (channel 1)
hears it again, delayed (the output buffer, the room, the input buffer: tens of milliseconds) and quieter.
Transcribed as it is, every far-side sentence would come out twice: once under the far side's speaker and
once, as a copy, under the user's.

:class:`EchoGate` tells, per 32 ms microphone frame, whether the microphone holds nothing but that copy:
over the last ``window_s`` of the microphone it finds the delay (0 to ``max_delay_s``) at which the far
side's audio is most alike (normalised cross-correlation, one FFT per frame) and calls the frame an echo
when that likeness is at least ``threshold``. The live transcript treats such frames as silence on the
microphone channel (no voice activity, no speaker features, no transcript); the far side's words stay
with the far side. When the user talks over the far side, the microphone is mostly the user's voice, the
likeness falls and the frame is kept (the quiet echo under it is not removed: this is a gate, not an
echo canceller). The frames are kept as recorded; only what is transcribed changes."""

from __future__ import annotations

import numpy as np

from audio.frames import SAMPLE_RATE, Samples

ECHO_WINDOW_S = 0.256
ECHO_MAX_DELAY_S = 0.3
ECHO_THRESHOLD = 0.5
_QUIET_RMS = 10 ** (-60 / 20)  # a far side this quiet cannot be heard in the microphone


class EchoGate:
    """Frame by frame: is the microphone only the far side's echo? Feed every far-side sample with
    :meth:`far` (before the microphone frames of the same time) and every microphone frame with :meth:`near`."""

    def __init__(self, window_s: float = ECHO_WINDOW_S, max_delay_s: float = ECHO_MAX_DELAY_S,
                 threshold: float = ECHO_THRESHOLD) -> None:
        self.win = int(window_s * SAMPLE_RATE)
        self.lag = int(max_delay_s * SAMPLE_RATE)
        self.threshold = threshold
        self._keep = 4 * SAMPLE_RATE + self.win + self.lag  # far-side history (the blocks may be long)
        self._far = np.zeros(0, np.float32)
        self._far_end = 0  # absolute sample index after the last far-side sample
        self._near = np.zeros(self.win, np.float32)
        self._near_end = 0
        self._n = 1 << int(np.ceil(np.log2(2 * self.win + self.lag)))
        self.frames = 0  # microphone frames checked
        self.echo_frames = 0  # ... of which were the far side's echo

    def far(self, samples: Samples) -> None:
        self._far = np.concatenate([self._far, samples.astype(np.float32, copy=False)])[-self._keep:]
        self._far_end += len(samples)

    def near(self, frame: Samples) -> bool:
        """True when this microphone frame (and the window before it) is the far side's echo."""
        self._near = np.concatenate([self._near[len(frame):], frame.astype(np.float32, copy=False)])
        self._near_end += len(frame)
        self.frames += 1
        echo = self.likeness() >= self.threshold
        self.echo_frames += int(echo)
        return echo

    def _far_window(self) -> Samples:
        """The far side's samples from ``win + lag`` before the microphone's last sample up to it."""
        want = self.win + self.lag
        stop = len(self._far) - (self._far_end - self._near_end)  # the microphone's end, in the buffer
        start = stop - want
        part = self._far[max(0, start): max(0, stop)]
        if len(part) < want:  # the far side started later or is behind: silence in its place
            head = np.zeros(min(want, max(0, -start)), np.float32)
            part = np.concatenate([head, part, np.zeros(want - len(head) - len(part), np.float32)])
        return part

    def likeness(self) -> float:
        """The largest normalised cross-correlation of the microphone's window with the far side at a
        delay of 0 to ``max_delay_s`` (0.0 when either side is quiet)."""
        x = self._near
        y = self._far_window()
        ex = float(x @ x)
        if ex < len(x) * _QUIET_RMS ** 2 or float(np.sqrt(y @ y / len(y))) < _QUIET_RMS:
            return 0.0
        c = np.fft.irfft(np.fft.rfft(y, self._n) * np.conj(np.fft.rfft(x, self._n)), self._n)[: self.lag + 1]
        e = np.concatenate([[0.0], np.cumsum(y.astype(np.float64) ** 2)])
        ey = e[self.win: self.win + self.lag + 1] - e[: self.lag + 1]
        heard = ey >= self.win * _QUIET_RMS ** 2  # delays at which the far side's window is not silent
        if not heard.any():
            return 0.0
        ncc = np.abs(c[heard]) / np.sqrt(ex * ey[heard])
        return float(ncc.max())

    @property
    def echo_share(self) -> float:
        return self.echo_frames / self.frames if self.frames else 0.0
