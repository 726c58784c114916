"""The voice turn's first-audio timing: SpeakingStarted.first_audio_s runs from the end of the user's
speech (the clock stop_listening starts) to the reply's audio being handed to the client; a typed turn
has none. Real local intent, real Piper voice, no speech recognition (fast)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from app.engine import EngineEvent

pytestmark = pytest.mark.unit


@pytest.fixture
def engine() -> Any:
    from app.engine.local import LocalEngine
    from app.services import build_services

    return LocalEngine(build_services(), speech_output="client", preload=False, alarms=False)


def test_a_spoken_turn_reports_end_of_speech_to_first_audio(engine: Any) -> None:
    events: list[tuple[float, EngineEvent]] = []
    engine.subscribe(lambda e: events.append((time.monotonic(), e)))

    async def main() -> tuple[float, Any]:
        speech_end = time.monotonic() - 0.25  # the user released 0.25 s ago; recognition took 0.2 s
        reply = await engine.conversation.answer("what time is it", "t1", 0.2, speech_end)
        await engine.close()
        return speech_end, reply

    speech_end, reply = asyncio.run(main())
    assert reply.source == "local" and reply.timings["stt"] == 0.2, reply
    [(seen_at, started)] = [(t, e) for t, e in events if e.kind == "speaking_started"]
    [(audio_at, _)] = [(t, e) for t, e in events if e.kind == "speech_audio"]
    assert started.turn_id == "t1" and audio_at <= seen_at
    assert started.first_audio_s is not None and started.after_s is not None
    assert 0.25 + started.after_s <= started.first_audio_s <= seen_at - speech_end + 0.001
    done_at = next(t for t, e in events if e.kind == "reply_done")
    assert started.first_audio_s >= done_at - speech_end  # the reply is ready before its audio


def test_a_typed_turn_has_no_first_audio_timing(engine: Any) -> None:
    events: list[EngineEvent] = []
    engine.subscribe(events.append)

    async def main() -> None:
        await engine.ask("what time is it")
        await engine.close()

    asyncio.run(main())
    [started] = [e for e in events if e.kind == "speaking_started"]
    assert started.first_audio_s is None and started.after_s is not None
