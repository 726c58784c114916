"""Long test sources for soak tests and benchmarks of hours-long meetings (as fast as the pipeline takes
them; mono): one loop of real audio played again and again until ``total_s``.

- :class:`LoopedClipsSource`: real clips back to back (``gap_s`` of silence after each): continuous speech.
- :class:`RepeatingClipSource`: one clip every ``every_s`` seconds with digital silence between."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

from audio.frames import SAMPLE_RATE, Samples
from audio.meeting.capture import Block


class LoopedClipsSource:
    """Real clips back to back (``gap_s`` of silence after each), looped until ``total_s``."""

    channels = 1
    live = False

    def __init__(self, clips: list[Samples], total_s: float, gap_s: float = 0.5, block_s: float = 0.064) -> None:
        if not clips:
            raise ValueError("no clips to loop")
        gap = np.zeros(int(gap_s * SAMPLE_RATE), np.float32)
        self.loop = np.concatenate([part for c in clips for part in (c.astype(np.float32), gap)])
        self.total = int(total_s * SAMPLE_RATE)
        self.block = int(block_s * SAMPLE_RATE)
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def blocks(self) -> Iterator[Block]:
        pos = 0
        n_loop = len(self.loop)
        while pos < self.total and not self._stop.is_set():
            n = min(self.block, self.total - pos)
            off = pos % n_loop
            chunk = self.loop[off : off + n]
            while len(chunk) < n:  # the loop ends inside this block: it starts again
                chunk = np.concatenate([chunk, self.loop[: n - len(chunk)]])
            pos += n
            yield chunk.reshape(-1, 1).copy()


class RepeatingClipSource(LoopedClipsSource):
    """A real clip repeated every ``every_s`` seconds, digital silence between."""

    def __init__(self, clip: Samples, total_s: float, every_s: float, block_s: float = 0.064) -> None:
        every = int(every_s * SAMPLE_RATE)
        if len(clip) > every:
            raise ValueError("the clip is longer than the repeat interval")
        super().__init__([clip], total_s, gap_s=(every - len(clip)) / SAMPLE_RATE, block_s=block_s)
        self.loop = self.loop[:every]  # the gap's rounding must not move the next clip's start
        if len(self.loop) < every:
            self.loop = np.pad(self.loop, (0, every - len(self.loop)))
        self.clip = clip.astype(np.float32)
        self.every = every

    def clip_starts(self) -> list[float]:
        return [i / SAMPLE_RATE for i in range(0, self.total, self.every)]


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
