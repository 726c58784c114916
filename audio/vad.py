"""Silero VAD (v6 ONNX, shipped inside faster-whisper) run in streaming mode with onnxruntime: one
512-sample frame at a time with the model's LSTM state and 64-sample context carried over. No torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audio.frames import FRAME_SAMPLES, Samples, frames_of
from audio.models import silero_vad_path

CONTEXT_SAMPLES = 64


class SileroVad:
    """Streaming speech probability per 512-sample frame. Not thread-safe: one instance per stream."""

    def __init__(self, model_path: Path | None = None, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = threads
        opts.enable_cpu_mem_arena = False
        opts.log_severity_level = 4
        self._session = ort.InferenceSession(
            str(model_path or silero_vad_path()), providers=["CPUExecutionProvider"], sess_options=opts
        )
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, np.float32)

    def __call__(self, frame: Samples) -> float:
        """Speech probability (0..1) of one frame of exactly 512 samples at 16 kHz."""
        if frame.shape != (FRAME_SAMPLES,):
            raise ValueError(f"VAD frames must have {FRAME_SAMPLES} samples, got shape {frame.shape}")
        x = np.concatenate([self._context, frame.astype(np.float32, copy=False)])[None, :]
        out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = frame[-CONTEXT_SAMPLES:].astype(np.float32, copy=True)
        return float(np.asarray(out).reshape(-1)[0])

    def probabilities(self, audio: Samples) -> Samples:
        """Probabilities for every frame of a whole array (streams it; state is reset first)."""
        self.reset()
        return np.array([self(f) for f in frames_of(audio)], np.float32)
