"""LocalEngine's voice input as the browser and the phone use it: PCM16 chunks at 44.1 kHz stereo go
through the engine's one audio.listener.Listener (real Silero VAD, real Whisper base, real recordings).
Push-to-talk: press -> chunks -> release -> the transcript and an answer; interim text while speaking.
Hands-free: the wake phrase addresses the assistant, other speech does not; a reply opens the follow-up
window."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.engine import AudioChunk, EngineError, EngineEvent
from audio.events import Interim

pytestmark = pytest.mark.slow

RATE = 44_100


@pytest.fixture
def voice_engine(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PA_STT__MODEL", str(models_dir / "whisper-base"))
    monkeypatch.setenv("PA_STT__LANGUAGE", "en")
    from app.engine.local import LocalEngine
    from app.services import build_services

    return LocalEngine(build_services(), speech_output="off", preload=False)


def _stereo_chunks(path: Path, lead_s: float = 0.5, tail_s: float = 1.5, chunk_s: float = 0.1) -> list[bytes]:
    """A recording as the browser sends it: 44.1 kHz stereo PCM16 in chunks."""
    import soundfile as sf

    from audio.frames import Resampler

    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = Resampler(rate, RATE)(audio.mean(axis=1)) if rate != RATE else audio.mean(axis=1)
    mono = np.concatenate([np.zeros(int(lead_s * RATE), np.float32), mono, np.zeros(int(tail_s * RATE), np.float32)])
    pcm = (np.clip(np.repeat(mono[:, None], 2, axis=1), -1, 1) * 32767).astype("<i2").tobytes()
    step = int(chunk_s * RATE) * 4
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


async def _push(engine: Any, chunks: list[bytes], realtime: float) -> None:
    """Push chunks paced at ``realtime`` x real time (0 = as fast as possible)."""
    t0 = time.monotonic()
    for i, c in enumerate(chunks):
        await engine.push_audio(AudioChunk(pcm16=c, sample_rate=RATE, channels=2))
        if realtime:
            await asyncio.sleep(max(0.0, t0 + (i + 1) * len(c) / 4 / RATE / realtime - time.monotonic()))


def _seen(events: list[EngineEvent]) -> list[str]:
    return [f"{e.kind} {getattr(e, 'text', '')} {getattr(e, 'addressed', '')}" for e in events]


async def _wait_for(events: list[EngineEvent], pred: Any, timeout: float = 120.0) -> EngineEvent:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in events:
            if pred(e):
                return e
        await asyncio.sleep(0.05)
    raise AssertionError(f"no such event within {timeout:.0f} s; got {[e.kind for e in events]}")


def test_push_to_talk_chunks_give_interim_text_transcript_and_answer(voice_engine: Any, shared_audio: Path) -> None:
    events: list[EngineEvent] = []
    voice_engine.subscribe(events.append)
    chunks = _stereo_chunks(shared_audio / "jfk.flac")

    async def main() -> Any:
        await voice_engine.start_listening()
        await _push(voice_engine, chunks, realtime=1.5)
        # the Listener's interim text becomes the turn's interim text (how often it decodes while the
        # user speaks depends on the CPU: one is injected so that the mapping is always checked)
        voice_engine.voice._voice._event(Interim(text="and so my fellow"))
        reply = await voice_engine.stop_listening()
        await voice_engine.close()
        return reply

    reply = asyncio.run(main())
    assert reply is not None and "country" in reply.user_text.lower(), reply
    assert "offline" in reply.text  # no LLM configured: the honest offline answer
    interims = [e for e in events if e.kind == "interim"]
    finals = [e for e in events if e.kind == "final"]
    assert interims and all(e.turn_id == finals[0].turn_id for e in interims)  # text while speaking
    assert any(e.text == "and so my fellow" for e in interims)
    assert len(finals) == 1 and finals[0].text == reply.user_text
    states = [e.state for e in events if e.kind == "state"]
    assert "listening" in states and "thinking" in states and states[-1] == "idle"


def test_a_press_while_speech_recognition_loads_keeps_every_word(voice_engine: Any, shared_audio: Path) -> None:
    """The session's first press loads Whisper (seconds): the browser's chunks of that time are kept, and a
    release before the load is done waits for it (the CI lost JFK's last words when the microphone opened
    only after the load; a real user loses the first ones)."""
    chunks = _stereo_chunks(shared_audio / "jfk.flac")

    async def main() -> tuple[Any, bool]:
        press = asyncio.create_task(voice_engine.start_listening())
        await asyncio.sleep(0.05)  # the press has begun loading the recognizer
        await _push(voice_engine, chunks, realtime=0)
        loading = not press.done()
        reply = await voice_engine.stop_listening()  # the release, as the UI sends it: maybe before the press is done
        await press
        await voice_engine.close()
        return reply, loading

    reply, loading = asyncio.run(main())
    assert loading, "the recognizer was loaded before the audio came: this test shows nothing"
    assert reply is not None
    said = " ".join(reply.user_text.lower().replace(",", "").replace(".", "").split())
    assert "ask not what your country can do for you" in said and "what you can do for your country" in said, said


def test_push_to_talk_without_speech_says_so(voice_engine: Any) -> None:
    events: list[EngineEvent] = []
    voice_engine.subscribe(events.append)
    silence = np.zeros(RATE // 10 * 2, "<i2").tobytes()

    async def main() -> Any:
        await voice_engine.start_listening()
        await _push(voice_engine, [silence] * 10, realtime=0)
        out = await voice_engine.stop_listening()
        await voice_engine.close()
        return out

    assert asyncio.run(main()) is None
    assert any(e.kind == "notice" and "didn't hear" in e.message for e in events)
    assert [e.state for e in events if e.kind == "state"][-1] == "idle"
    assert not [e for e in events if e.kind == "final"]


def test_torn_chunk_is_refused(voice_engine: Any) -> None:
    async def main() -> None:
        await voice_engine.start_listening()
        try:
            with pytest.raises(EngineError, match="not whole PCM16 frames"):
                await voice_engine.push_audio(AudioChunk(pcm16=b"\x00\x01\x02", sample_rate=RATE, channels=2))
        finally:
            await voice_engine.stop_listening()
            await voice_engine.close()

    asyncio.run(main())


@pytest.mark.parametrize(("wake", "addressed"), [("and so my fellow Americans", True), ("hey assistant", False)])
def test_hands_free_answers_only_the_wake_phrase(voice_engine: Any, shared_audio: Path, wake: str,
                                                 addressed: bool) -> None:
    from app.engine import SettingsPatch

    events: list[EngineEvent] = []
    voice_engine.subscribe(events.append)
    chunks = _stereo_chunks(shared_audio / "jfk.flac", tail_s=2.0)

    async def main() -> None:
        await voice_engine.update_settings(SettingsPatch(wake_phrase=wake))
        await voice_engine.set_hands_free(True)
        await _push(voice_engine, chunks, realtime=2.0)
        await _wait_for(events, lambda e: e.kind == "final" and "country" in e.text.lower())
        finals = [e for e in events if e.kind == "final"]
        if addressed:
            # the wake phrase is cut off the request. JFK pauses after it: when that pause ends the
            # utterance, it is the wake phrase alone, and the next utterance (inside the follow-up
            # window) is the request
            if finals[0].text == wake:
                assert finals[0].addressed, _seen(events)
                request = finals[1]
            else:
                request = finals[0]
            assert request.addressed and not request.text.lower().startswith("and so"), _seen(events)
            await _wait_for(events, lambda e: e.kind == "reply_done" and e.reply.user_text == request.text)
        else:
            assert all(not e.addressed for e in finals), finals
            assert finals[0].text.lower().startswith("and so"), finals
            await asyncio.sleep(1.0)
            assert not [e for e in events if e.kind == "reply_done"]
        await voice_engine.set_hands_free(False)
        await voice_engine.close()

    asyncio.run(main())
    assert [e.hands_free for e in events if e.kind == "state"][-1] is False


def test_hands_free_follow_up_after_a_reply_needs_no_wake_phrase(voice_engine: Any, shared_audio: Path) -> None:
    events: list[EngineEvent] = []
    voice_engine.subscribe(events.append)
    chunks = _stereo_chunks(shared_audio / "jfk.flac", tail_s=2.0)

    async def main() -> None:
        await voice_engine.set_hands_free(True)
        await voice_engine.ask("what time is it")  # the reply (speech off) opens the follow-up window
        await _push(voice_engine, chunks, realtime=2.0)
        final = await _wait_for(events, lambda e: e.kind == "final" and "country" in e.text.lower())
        assert final.kind == "final" and final.addressed, final
        await _wait_for(events, lambda e: e.kind == "reply_done" and "country" in e.reply.user_text.lower())
        await voice_engine.close()

    asyncio.run(main())


def test_hands_free_barge_in_stops_the_reply_in_the_client(models_dir: Path, shared_audio: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """While the browser plays a long reply, the user speaks (hands-free): the engine tells the client to
    stop playing (SpeechStopped) and is no longer speaking; what the user said is still transcribed."""
    monkeypatch.setenv("PA_STT__MODEL", str(models_dir / "whisper-base"))
    monkeypatch.setenv("PA_STT__LANGUAGE", "en")
    from app.engine.local import LocalEngine
    from app.services import build_services

    engine = LocalEngine(build_services(), speech_output="client", preload=False)
    events: list[EngineEvent] = []
    engine.subscribe(events.append)
    chunks = _stereo_chunks(shared_audio / "jfk.flac", tail_s=2.0)
    long_reply = " ".join(["This is a long answer that keeps going so that the user has time to interrupt it."] * 4)

    async def main() -> None:
        await engine.set_hands_free(True)
        await engine.speak(long_reply)  # rendered and sent to the client, which plays it (~20 s)
        # two clips: the first clause at once (the client plays it while the rest renders), then the rest
        first = await _wait_for(events, lambda e: e.kind == "speech_audio")
        rest = await _wait_for(events, lambda e: e.kind == "speech_audio" and e is not first)
        assert first.kind == rest.kind == "speech_audio"
        assert first.clip.text == "This is a long answer that keeps going so that the user has time to interrupt it."
        assert first.clip.duration_s + rest.clip.duration_s > 10
        assert not [e for e in events if e.kind == "speech_stopped"]
        await _push(engine, chunks, realtime=1.0)  # the user talks over it
        await _wait_for(events, lambda e: e.kind == "speech_stopped")
        await _wait_for(events, lambda e: e.kind == "final" and "country" in e.text.lower())
        await engine.set_hands_free(False)
        await engine.close()

    asyncio.run(main())
    stopped = [e for e in events if e.kind == "speech_stopped"]
    assert stopped[0].reason == "barge_in"
    assert [e.state for e in events if e.kind == "state"][-1] != "speaking"


def test_client_reply_comes_as_first_clause_then_rest_and_stop_drops_the_rest(models_dir: Path) -> None:
    """Speech output client: the reply's first clause is a clip of its own, sent before the rest is rendered
    (the first audio comes sooner); a reply stopped after its first clip sends nothing more."""
    from app.engine.local import LocalEngine
    from app.services import build_services

    engine = LocalEngine(build_services(), speech_output="client", preload=False)
    events: list[EngineEvent] = []
    engine.subscribe(events.append)
    reply = "Today is Sunday, December 6, 2026. Your next event is lunch with Tom at one."

    async def main() -> None:
        await engine.speak(reply, "tab-a")
        clips = [e for e in events if e.kind == "speech_audio"]
        assert [c.origin for c in clips] == ["tab-a", "tab-a"]  # for the tab that asked only
        assert [c.clip.text for c in clips] == ["Today is Sunday,", "December 6, 2026. Your next event is lunch with Tom at one."]
        assert 0.3 < clips[0].clip.duration_s < clips[1].clip.duration_s
        assert [e.kind for e in events].index("speaking_started") > [e.kind for e in events].index("speech_audio")
        del events[:]
        task = asyncio.create_task(engine.speak(reply))
        await _wait_for(events, lambda e: e.kind == "speech_audio", timeout=60)
        await engine.stop_speaking()  # the user pressed stop (or the talk key) while the first clause plays
        await task
        assert [c.clip.text for c in events if c.kind == "speech_audio"] == ["Today is Sunday,"]
        await engine.close()

    asyncio.run(main())
