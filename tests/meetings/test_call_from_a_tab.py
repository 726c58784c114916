"""An online call recorded in the browser (issue 23): the client's two channels (microphone, shared tab)
stay apart down to the meeting's 16 kHz blocks; audio the browser sends while the meeting is still
starting is kept; a second channel that stays silent is told to the user. The browser side is
tests/e2e/test_call_audio.py."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import numpy as np

from app.engine import AudioChunk, Notice
from app.engine.bus import EventBus
from app.engine.local.meetings import NO_TAB_NOTICE_S, MeetingAdapter, PushedSource
from app.engine.local.voice_input import ChannelsToSixteenK

RATE = 44_100


def stereo_chunks(left: np.ndarray, right: np.ndarray, size: int = 4096) -> list[AudioChunk]:
    pcm = (np.stack([left, right], axis=1) * 32767).astype("<i2")
    return [AudioChunk(pcm16=pcm[i:i + size].tobytes(), sample_rate=RATE, channels=2) for i in range(0, len(pcm), size)]


def tone(seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_two_channels_stay_apart_and_aligned() -> None:
    convert = ChannelsToSixteenK(2)
    voice = tone(2.0)
    out = np.concatenate([convert(c) for c in stereo_chunks(voice, np.zeros_like(voice))])
    assert out.shape[1] == 2 and abs(len(out) - 32_000) < 400
    assert np.abs(out[1000:, 0]).max() > 0.4 and not np.any(out[:, 1])  # the tab's silence stays silence
    convert = ChannelsToSixteenK(2)
    both = np.concatenate([convert(c) for c in stereo_chunks(voice, voice, size=1000)])
    assert np.array_equal(both[:, 0], both[:, 1])  # the same sound in both: sample for sample the same


def test_a_mono_chunk_in_a_call_gives_a_silent_second_channel() -> None:
    src = PushedSource(2)
    pcm = (tone(0.5) * 32767).astype("<i2").tobytes()
    src.push(AudioChunk(pcm16=pcm, sample_rate=RATE, channels=1))
    src.stop()
    blocks = list(src.blocks())
    assert blocks and all(b.shape[1] == 2 for b in blocks) and not src.second_heard
    assert not any(np.any(b[:, 1]) for b in blocks)


class SlowStart:
    """A meeting service whose start takes a moment (loading speech recognition), as the real one's first."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.source: Any = None

    def subscribe(self, fn: Any) -> Any:
        return lambda: None

    def start(self, title: str | None, source: Any) -> Any:
        self.source = source
        self.started.set()
        assert self.release.wait(10)
        return SimpleNamespace(id="m1", title=title or "Call", started_at=datetime.now(UTC))


def adapter_with(svc: SlowStart) -> tuple[MeetingAdapter, list[Notice]]:
    bus = EventBus()
    notices: list[Notice] = []
    bus.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)
    sv = SimpleNamespace(meeting_service=svc, settings=SimpleNamespace(language="en"))
    return MeetingAdapter(sv, bus), notices  # type: ignore[arg-type]


def test_audio_sent_while_the_meeting_starts_is_kept_and_a_silent_tab_is_told() -> None:
    async def run() -> tuple[list[Notice], int]:
        svc = SlowStart()
        adapter, notices = adapter_with(svc)
        starting = asyncio.ensure_future(adapter.start("Call", call_audio=True))
        await asyncio.to_thread(svc.started.wait, 10)
        early = stereo_chunks(tone(1.0), np.zeros(RATE, np.float32))
        assert all(adapter.push(c) for c in early)  # taken, not handed to speech input
        svc.release.set()
        view = await starting
        assert view.state == "recording" and not view.waiting_for_audio  # audio is already there
        src = adapter.source
        assert src is not None and src.channels == 2 and src.pushed_s > 0.9
        told_before = len(notices)
        for c in stereo_chunks(tone(NO_TAB_NOTICE_S), np.zeros(int(NO_TAB_NOTICE_S * RATE), np.float32)):
            adapter.push(c)
        return notices, told_before

    notices, told_before = asyncio.run(run())
    assert told_before == 0
    assert len(notices) == 1 and "shared tab" in notices[0].message and "microphone" in notices[0].message


def test_a_tab_with_sound_is_not_told_and_one_channel_is_the_default() -> None:
    async def run() -> tuple[MeetingAdapter, list[Notice]]:
        svc = SlowStart()
        svc.release.set()
        adapter, notices = adapter_with(svc)
        await adapter.start("Call", call_audio=True)
        for c in stereo_chunks(tone(NO_TAB_NOTICE_S + 1), tone(NO_TAB_NOTICE_S + 1, 300.0)):
            adapter.push(c)
        plain, _ = adapter_with(SlowStart())
        plain_svc = plain.sv.meeting_service
        plain_svc.release.set()
        await plain.start("Talk")
        assert plain.source is not None and plain.source.channels == 1
        return adapter, notices

    adapter, notices = asyncio.run(run())
    assert adapter.source is not None and adapter.source.second_heard and not notices
