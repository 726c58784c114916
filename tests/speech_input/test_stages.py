"""The small stages one by one: framing, resampling, streaming VAD, end-pointing (no Whisper)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio.endpointing import EndpointConfig, EndPointer, Pause, UtteranceEnded, UtteranceStarted
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, Reframer, Resampler, as_mono_float32, frames_of, resample
from audio.sources import read_file
from audio.vad import SileroVad

pytestmark = pytest.mark.unit


def test_reframer_cuts_any_chunks_into_exact_frames() -> None:
    r = Reframer()
    data = np.arange(5000, dtype=np.float32)
    out = [f for i in range(0, 5000, 700) for f in r.push(data[i : i + 700])] + list(r.flush())
    assert all(len(f) == FRAME_SAMPLES for f in out)
    joined = np.concatenate(out)
    assert np.array_equal(joined[:5000], data)
    assert not joined[5000:].any()


def test_resampler_keeps_duration_and_pitch() -> None:
    t = np.arange(44100 * 2) / 44100
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    r = Resampler(44100)
    chunks = [r(tone[i : i + 1000]) for i in range(0, len(tone), 1000)] + [r.flush()]
    y = np.concatenate(chunks)
    assert abs(len(y) - 2 * SAMPLE_RATE) <= 32
    spectrum = np.abs(np.fft.rfft(y[:SAMPLE_RATE]))
    assert abs(int(np.argmax(spectrum)) - 440) <= 2  # 1 Hz bins over one second


def test_int16_stereo_is_mixed_down() -> None:
    a = np.array([[32767, -32768], [16384, 16384]], dtype=np.int16)
    m = as_mono_float32(a)
    assert m.dtype == np.float32 and m.shape == (2,)
    assert m[1] == pytest.approx(0.5, abs=1e-3)
    with pytest.raises(ValueError, match="1-D"):
        as_mono_float32(np.zeros((2, 2, 2)))


def test_streaming_vad_matches_silero_batch(shared_audio: Path) -> None:
    from faster_whisper.vad import get_vad_model

    audio = read_file(shared_audio / "jfk.flac")
    n = len(audio) // FRAME_SAMPLES * FRAME_SAMPLES
    streamed = SileroVad().probabilities(audio[:n])[: n // FRAME_SAMPLES]
    batch = np.asarray(get_vad_model()(audio[:n])).reshape(-1)
    # faster-whisper's batch code zeroes the last 64 samples of the final frame: compare the others
    assert np.abs(streamed[:-1] - batch[:-1]).max() < 0.01
    assert 0.5 < (streamed > 0.5).mean() < 0.95  # jfk: mostly speech, with pauses


def test_vad_rejects_wrong_frame_size() -> None:
    with pytest.raises(ValueError, match="512"):
        SileroVad()(np.zeros(480, np.float32))


def _run(ep: EndPointer, probs: list[float]) -> list[object]:
    events: list[object] = []
    for i, p in enumerate(probs):
        frame = np.full(FRAME_SAMPLES, i, np.float32)  # frame i holds the value i
        events += ep.push(frame, p)
    return events


def test_endpointer_pre_roll_trailing_silence_and_pause() -> None:
    cfg = EndpointConfig(min_speech_ms=96, pre_roll_ms=320, trailing_silence_ms=480, pause_ms=192)
    probs = [0.0] * 20 + [0.9] * 30 + [0.1] * 8 + [0.9] * 10 + [0.0] * 20
    ev = _run(EndPointer(cfg), probs)
    starts = [e for e in ev if isinstance(e, UtteranceStarted)]
    pauses = [e for e in ev if isinstance(e, Pause)]
    ends = [e for e in ev if isinstance(e, UtteranceEnded)]
    assert len(starts) == 1 and len(ends) == 1 and len(pauses) == 2
    end = ends[0]
    first_frame_value = end.audio[0]
    assert first_frame_value == 20 - 10  # 10 frames (320 ms) of pre-roll before speech at frame 20
    assert end.reason == "silence"
    assert end.speech_end_s == pytest.approx(68 * FRAME_SAMPLES / SAMPLE_RATE)
    assert end.end_s - end.speech_end_s == pytest.approx(15 * FRAME_SAMPLES / SAMPLE_RATE)  # 480 ms
    # the 8-frame gap (256 ms) inside the utterance is a pause, not an end
    assert pauses[0].speech_end_s == pytest.approx(50 * FRAME_SAMPLES / SAMPLE_RATE)


def test_endpointer_ignores_clicks() -> None:
    cfg = EndpointConfig(min_speech_ms=160)
    probs = ([0.0] * 10 + [0.99] * 3) * 5 + [0.0] * 30  # 96 ms bursts
    assert _run(EndPointer(cfg), probs) == []


def test_endpointer_caps_length_and_push_to_talk_waits_for_release() -> None:
    cfg = EndpointConfig(max_utterance_s=2.0)
    ev = _run(EndPointer(cfg), [0.9] * 200)
    ends = [e for e in ev if isinstance(e, UtteranceEnded)]
    assert ends and ends[0].reason == "max_length"
    assert len(ends[0].audio) <= 2.0 * SAMPLE_RATE + FRAME_SAMPLES

    ptt = EndPointer(EndpointConfig(), auto_end=False)
    ev = _run(ptt, [0.9] * 20 + [0.0] * 60)
    assert not [e for e in ev if isinstance(e, UtteranceEnded)]
    closed = ptt.close("release")
    assert closed is not None and closed.reason == "release"
    assert ptt.close() is None


def test_frames_of_whole_array_pads_last_frame() -> None:
    fr = list(frames_of(np.ones(1000, np.float32)))
    assert len(fr) == 2 and fr[1][1000 - FRAME_SAMPLES :].sum() == 0
    assert resample(np.ones(16000, np.float32), 16000).shape == (16000,)
