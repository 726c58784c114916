"""The engine layer the UI talks to: LocalEngine on a real database and keyring (offline, no LLM),
its voice input (client chunks through the one audio.listener.Listener, real Whisper base on real
recordings), approval cards, settings written to config.toml. Bad input is refused clearly and
changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from agents.approvals import details_of
from app.engine import (
    AccountDraft,
    AudioChunk,
    Engine,
    EngineError,
    EngineEvent,
    SettingsPatch,
)
from app.engine.bus import EventBus
from app.engine.local.voice_input import decode_chunk

pytestmark = pytest.mark.unit


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def engine() -> Any:
    from app.engine.local import LocalEngine
    from app.services import build_services

    return LocalEngine(build_services(), speech_output="off", preload=False)


def test_local_engine_is_an_engine_and_reports_features(engine: Any) -> None:
    assert isinstance(engine, Engine)
    info = run(engine.info())
    assert info.kind == "local"
    assert info.feature("text").available
    llm = info.feature("llm")
    assert not llm.available and "offline" in llm.detail


def test_typed_turn_streams_events_and_answers_offline(engine: Any) -> None:
    events: list[EngineEvent] = []
    unsubscribe = engine.subscribe(events.append)
    reply = run(engine.ask("what time is it"))
    assert reply.source == "local" and "It's" in reply.spoken and reply.error is None
    kinds = [e.kind for e in events]
    assert kinds[0] == "state" and "final" in kinds and "reply_delta" in kinds and kinds.count("reply_done") == 1
    assert kinds.index("final") < kinds.index("reply_done")
    assert [e.state for e in events if e.kind == "state"][-1] == "idle"
    unsubscribe()
    run(engine.ask("what time is it"))
    assert sum(e.kind == "reply_done" for e in events) == 1  # no events after unsubscribing


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_bad_typed_input_is_refused(engine: Any, text: str) -> None:
    with pytest.raises(EngineError):
        run(engine.ask(text))
    from agents.memory import Memory

    assert Memory(engine.sv.db).recent_turns() == []  # nothing stored


def test_settings_are_written_and_a_bad_value_changes_nothing(engine: Any) -> None:
    view = run(engine.update_settings(SettingsPatch(theme="dark", wake_phrase="hello computer", onboarded=True)))
    assert (view.theme, view.wake_phrase, view.onboarded) == ("dark", "hello computer", True)
    cfg = engine.sv.paths.config_file
    before = cfg.read_text()
    assert "hello computer" in before
    with pytest.raises(EngineError, match=r"llm\.provider"):
        run(engine.update_settings(SettingsPatch(llm_provider="skynet")))
    with pytest.raises(EngineError, match="language"):
        run(engine.update_settings(SettingsPatch(language="xx")))
    assert cfg.read_text() == before
    assert run(engine.settings()).llm_provider == "none"


def test_settings_that_would_break_the_app_are_refused_in_plain_words(engine: Any) -> None:
    view = run(engine.settings())
    assert view.stt_models and all(m in ("base", "tiny.en") for m in view.stt_models)  # installed ones only
    assert view.voices == ["en_US-joe-medium"]  # the bundled voice; no other is installed here
    cfg = engine.sv.paths.config_file
    before = cfg.read_text() if cfg.exists() else ""
    for patch, words in ((SettingsPatch(wake_phrase=" "), "wake the assistant"),
                         (SettingsPatch(ptt_key="banana"), "Not a key"),
                         (SettingsPatch(llm_provider="openai-compatible"), "address of your model server"),
                         (SettingsPatch(voice="de_DE-thorsten-medium"), "voice is not installed")):
        with pytest.raises(EngineError, match=words) as err:
            run(engine.update_settings(patch))
        assert not any(w in str(err.value) for w in ("pip", "python", "config", "PA_")), err.value
    assert (cfg.read_text() if cfg.exists() else "") == before
    saved = run(engine.update_settings(SettingsPatch(ptt_key="f8", llm_provider="openai-compatible",
                                                     llm_base_url="http://127.0.0.1:9/v1")))
    assert (saved.ptt_key, saved.llm_base_url) == ("F8", "http://127.0.0.1:9/v1")


def test_accounts_add_list_remove_and_refuse_duplicates(engine: Any) -> None:
    mail = AccountDraft(kind="mail", name="work", username="me@example.org", host="imap.example.org", port=993,
                        secret="pw", options={"smtp_host": "smtp.example.org", "address": "me@example.org"})
    acc = run(engine.add_account(mail))
    assert acc.has_secret
    with pytest.raises(EngineError, match="exists"):
        run(engine.add_account(mail.model_copy(update={"secret": "other"})))
    assert [(a.kind, a.name) for a in run(engine.accounts())] == [("mail", "work")]
    from app import secrets

    assert secrets.get_secret("mail", "work") == "pw"
    run(engine.remove_account("mail", "work"))
    assert run(engine.accounts()) == []
    with pytest.raises(EngineError):
        run(engine.remove_account("mail", "work"))


def test_deciding_an_unknown_approval_is_refused(engine: Any) -> None:
    with pytest.raises(EngineError, match="no approval"):
        run(engine.decide(999, True))
    assert run(engine.approvals()) == []


def test_pcm16_chunks_are_downmixed_and_torn_chunks_refused() -> None:
    stereo = np.array([[1000, 3000], [-2000, 0]], "<i2").tobytes()
    mono, rate = decode_chunk(AudioChunk(pcm16=stereo, sample_rate=44_100, channels=2))
    assert rate == 44_100 and mono.shape == (2,)
    assert np.allclose(mono, [2000 / 32768, -1000 / 32768])
    with pytest.raises(EngineError, match="not whole PCM16 frames"):
        decode_chunk(AudioChunk(pcm16=stereo[:-1], sample_rate=44_100, channels=2))


def test_approval_card_shows_every_argument() -> None:
    d = details_of("communication.send_mail", {"calls": [{"args": {
        "to": ["ann@example.org"], "subject": "Invoice", "body": "Here it is.", "amount": "120 EUR"}}]})
    assert d == {"Action": "communication.send_mail", "Recipient": "ann@example.org", "Subject": "Invoice",
                 "Body": "Here it is.", "Amount": "120 EUR"}
    ev = details_of("calendar.create_event", {"event": {"title": "Dentist", "start": "2026-11-27T10:00:00+01:00",
                                                        "all_day": False, "location": None}})
    assert ev["Title"] == "Dentist" and ev["Start"] == "Fri 27 Nov 2026, 10:00" and ev["All day"] == "no"
    assert "Location" not in ev


def test_event_bus_survives_a_failing_listener() -> None:
    from app.engine import Notice

    bus = EventBus()
    got: list[str] = []

    def broken(e: EngineEvent) -> None:
        raise RuntimeError("boom")

    bus.subscribe(broken)
    unsub = bus.subscribe(lambda e: got.append(e.kind))
    bus.emit(Notice(message="x"))
    unsub()
    bus.emit(Notice(message="y"))
    assert got == ["notice"]


def test_a_timer_rings_on_screen_and_aloud_once() -> None:
    """The engine's alarm clock: "set a timer for 2 seconds" -> a notice and a spoken clip, once, not early."""
    import time

    from app.engine.local import LocalEngine
    from app.services import build_services

    engine = LocalEngine(build_services(), speech_output="client", preload=False)
    events: list[tuple[float, EngineEvent]] = []

    def rang() -> list[tuple[float, Any]]:
        return [(t, e) for t, e in events if e.kind == "notice" and "timer" in e.message.lower()]

    async def main() -> float:
        engine.subscribe(lambda e: events.append((time.monotonic(), e)))
        t0 = time.monotonic()
        reply = await engine.ask("set a timer for 2 seconds")
        assert reply.error is None and reply.source == "local", reply
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (rang() and events[-1][1].kind == "speech_audio"):
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # a second ring would come within the clock's next ticks
        await engine.close()
        return t0

    t0 = run(main())
    [(at, notice)] = rang()
    assert notice.message == "Your timer of 2 seconds is done."
    assert at - t0 >= 1.9, "rang before the time was up"
    assert any(e.kind == "speech_audio" and t >= at for t, e in events), [e.kind for _, e in events]
