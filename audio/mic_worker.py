"""Child process of an isolated :class:`audio.sources.MicrophoneSource`:
``python -m audio.mic_worker DEVICE BLOCK_MS`` opens the input device (name substring or index; empty =
default) and writes one JSON header line (``{"rate": R}``) and then raw mono float32 samples at the
device's rate to stdout. It exits with a message on stderr when the device fails or stops delivering,
and when the parent closes the pipe."""

from __future__ import annotations

import contextlib
import json
import queue
import sys

import numpy as np


def main() -> int:
    from audio.sources import AudioInputError, _default_rate, resolve_input_device

    device = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "" else None
    block_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    import sounddevice as sd

    q: queue.Queue[bytes | None] = queue.Queue(maxsize=500)

    def callback(indata: np.ndarray, frames: int, t: object, status: object) -> None:
        with contextlib.suppress(queue.Full):  # the parent is behind: drop, like a sound card would
            q.put_nowait(np.ascontiguousarray(indata.mean(axis=1), np.float32).tobytes())

    try:
        idx = resolve_input_device(device)
        rate = _default_rate(idx)
        stream = sd.InputStream(
            device=idx,
            channels=1,
            samplerate=rate,
            dtype="float32",
            blocksize=max(1, int(rate * block_ms / 1000)),
            callback=callback,
            finished_callback=lambda: q.put(None),
        )
        stream.start()
    except (AudioInputError, Exception) as exc:  # PortAudio errors are plain Exceptions
        print(f"cannot open input device {device or 'default'!r}: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    try:
        out.write((json.dumps({"rate": rate}) + "\n").encode())
        out.flush()
        while True:
            try:
                data = q.get(timeout=max(2.0, 10 * block_ms / 1000))
            except queue.Empty:
                print(f"input device {device or 'default'!r} delivers no audio", file=sys.stderr)
                return 3
            if data is None:
                print(f"input device {device or 'default'!r} stopped", file=sys.stderr)
                return 3
            out.write(data)
            out.flush()
    except (BrokenPipeError, OSError):
        return 0


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    import os

    os._exit(code)  # never wait for a dead stream to close
