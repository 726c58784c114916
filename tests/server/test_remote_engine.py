"""RemoteEngine (the Engine Protocol over the REST API) against the live server."""

from __future__ import annotations

import asyncio
import time
import wave
from pathlib import Path

import jwt
import pytest

from app.engine import (
    ApprovalRequested,
    AudioChunk,
    Engine,
    EngineError,
    EngineEvent,
    NotAvailable,
    ReplyDelta,
    ReplyDone,
    SpeechAudioReady,
    TranscriptFinal,
)
from app.engine.remote import RemoteEngine, Tokens
from tests.server.live import PASSWORD, LiveServer

pytestmark = pytest.mark.integration


def test_text_turn_with_events_and_speech(live_server: LiveServer) -> None:
    name = live_server.add_user()

    async def run() -> tuple[list[EngineEvent], str]:
        eng = await RemoteEngine.sign_in(live_server.url, name, PASSWORD, "pixel")
        assert isinstance(eng, Engine)
        events: list[EngineEvent] = []
        eng.subscribe(events.append)
        info = await eng.info()
        assert info.kind == "remote" and info.feature("text").available
        reply = await eng.ask("remember that the bike lock code is 1234", origin="phone-tab")
        history = await eng.history(2)  # what a window opened later shows
        assert (history[0].role, history[0].text) == ("user", "remember that the bike lock code is 1234")
        await eng.close()
        return events, reply.text

    events, text = asyncio.run(run())
    assert "bike lock" in text
    kinds = [e.kind for e in events]
    assert kinds[0] == "state" and "reply_delta" in kinds and "reply_done" in kinds and kinds[-1] == "state"
    assert kinds.index("reply_delta") < kinds.index("reply_done")
    [speech] = [e for e in events if isinstance(e, SpeechAudioReady)]
    assert speech.clip.wav[:4] == b"RIFF" and speech.clip.duration_s > 0.5 and speech.origin == "phone-tab"
    assert {e.turn_id for e in events if isinstance(e, ReplyDelta)} == {
        e.reply.turn_id for e in events if isinstance(e, ReplyDone)}


@pytest.mark.slow
def test_push_to_talk_over_the_server(live_server: LiveServer, shared_audio: Path) -> None:
    name = live_server.add_user()
    with wave.open(str(shared_audio / "timit_ldc93s1.wav")) as w:
        rate, channels, pcm = w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())

    async def run() -> list[EngineEvent]:
        eng = await RemoteEngine.sign_in(live_server.url, name, PASSWORD, speech_output="off")
        events: list[EngineEvent] = []
        eng.subscribe(events.append)
        await eng.start_listening()
        step = rate // 10 * 2 * channels
        for i in range(0, len(pcm), step):
            await eng.push_audio(AudioChunk(pcm16=pcm[i:i + step], sample_rate=rate, channels=channels))
        reply = await eng.stop_listening()
        assert reply is not None and reply.spoken
        await eng.start_listening()
        assert await eng.stop_listening() is None  # nothing pushed: nothing said
        with pytest.raises(NotAvailable):
            await eng.set_hands_free(True)
        await eng.close()
        return events

    events = asyncio.run(run())
    [final] = [e for e in events if isinstance(e, TranscriptFinal)]
    assert "dark suit" in final.text.lower()


def test_approvals_refresh_and_errors(live_server: LiveServer) -> None:
    name = live_server.add_user()
    saved: list[Tokens] = []

    async def run() -> None:
        eng = await RemoteEngine.sign_in(live_server.url, name, PASSWORD, speech_output="off", on_tokens=saved.append)
        events: list[EngineEvent] = []
        eng.subscribe(events.append)
        reply = await eng.ask("schedule Tennis on Sunday at 10")
        assert reply.approval is not None
        assert any(isinstance(e, ApprovalRequested) and e.approval.id == reply.approval.id for e in events)
        assert [a.id for a in await eng.approvals()] == [reply.approval.id]
        outcome = await eng.decide(reply.approval.id, False)
        assert outcome.status == "denied" and await eng.approvals() == []
        with pytest.raises(EngineError, match="already denied"):
            await eng.decide(reply.approval.id, True)
        with pytest.raises(EngineError):
            await eng.ask("   ")
        # an expired access token is refreshed transparently, and the new pair handed to the app
        claims = jwt.decode(eng.tokens.access_token, live_server.key, algorithms=["HS256"], issuer="personal-agent")
        expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, live_server.key, algorithm="HS256")
        stale = RemoteEngine(live_server.url, expired, eng.tokens.refresh_token, speech_output="off",
                             on_tokens=saved.append)
        assert (await stale.info()).kind == "remote"
        assert len(saved) == 2 and saved[-1].access_token != expired
        assert (await stale.ask("what time is it")).source == "local"
        # the old refresh token was rotated away: a client still holding it is signed out
        with pytest.raises(EngineError, match="sign in again"):
            await RemoteEngine(live_server.url, expired, eng.tokens.refresh_token).info()
        await stale.close()
        await eng.close()
        with pytest.raises(EngineError, match="wrong user name or password"):
            await RemoteEngine.sign_in(live_server.url, name, "not the password")
        with pytest.raises(EngineError, match="Cannot reach"):
            await RemoteEngine.sign_in("http://127.0.0.1:9", name, PASSWORD)

    asyncio.run(run())


def test_pairing_then_remote_settings(live_server: LiveServer) -> None:
    desktop = live_server.new_client()
    code = desktop.post("/api/v1/pairing/codes").json()["code"]

    async def run() -> None:
        phone = await RemoteEngine.pair(live_server.url, code, "phone")
        view = await phone.settings()
        assert view.stt_model.endswith("whisper-base")
        assert ("caldav", "cal") in [(a.kind, a.name) for a in await phone.accounts()]  # the household's
        with pytest.raises(NotAvailable):
            await phone.meeting_start("standup")
        assert await phone.meetings() == []
        await phone.close()
        with pytest.raises(EngineError, match="pairing code"):
            await RemoteEngine.pair(live_server.url, code, "second phone")

    asyncio.run(run())
