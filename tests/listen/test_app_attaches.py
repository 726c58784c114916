"""One owner of the devices, for real (``rig.py``: Xvfb and a private jackd), with one listener
process (`personal-agent listen --hands-free`) for the whole story:

- hands-free: the listener opens this machine's microphone at start and says so (its state, what the
  tray shows); speech without the wake phrase is heard but not answered; "Hey assistant, what time is
  it?" (Piper's voice, played into the microphone port) is answered aloud on the speaker port without
  any key; no audio is stored;
- the desktop app's engine (``app.gui.page.local_engine``, in the test's process, the same user
  folders) asks for a push-to-talk turn: it goes through the listener's control channel, a spoken
  request played into the listener's microphone port is answered aloud on the listener's speaker port,
  and the transcript and the reply arrive as the app's own events (what its conversation shows); one
  capture stream is open (the listener's hands-free one serves the turn);
- a meeting started from the app is recorded by the listener: hands-free closes its stream first, one
  capture stream is open, the app opens none; the meeting stops from the app with its transcript, and
  hands-free comes back."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import numpy as np
import pytest

from agents.turn import ReplyDone, TranscriptFinal
from app.engine import EngineEvent, MeetingUpdated, StateChanged
from tests.listen.rig import JACK_RATE, JackRig, ListenProcess, voice_onset
from tests.listen.test_listen_desktop import ROOT, SPEECH_LEVEL, _spoken, _wait, desktop  # noqa: F401
from tests.servers.xvfb import Xvfb
from tests.speech_input.test_microphone_jack import _read_48k

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".opus", ".mp3", ".webm", ".pcm", ".raw"}


def _capture_ports(rig: JackRig) -> list[str]:
    """The input ports of other programs on the sound server: one per microphone stream open."""
    return [p.name for p in rig.client.get_ports(is_audio=True, is_input=True)
            if not p.name.startswith(("rig:", "system:"))]


async def _until(cond: object, timeout: float, what: str, why: object = str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}: {why()}")  # type: ignore[operator]


def test_hands_free_then_the_apps_turn_and_meeting_on_the_listeners_devices(
        desktop: tuple[Xvfb, JackRig], models_dir: Path, shared_audio: Path, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    x, rig = desktop
    user = {"PA_HOME": str(tmp_path / "home"), "PA_STT__MODEL": str(models_dir / "whisper-base"),
            "PA_STT__LANGUAGE": "en", "PA_AUDIO__INPUT_DEVICE": "system", "PA_AUDIO__OUTPUT_DEVICE": "system"}
    env = {**os.environ, **rig.env(), "DISPLAY": x.display, "PYTHONPATH": str(ROOT), **user}
    env.pop("WAYLAND_DISPLAY", None)
    request = _spoken("What time is it?")  # a local intent: its reply is short
    addressed = _spoken("Hey assistant, what time is it?")
    timit = _read_48k(shared_audio / "timit_ldc93s1.wav")
    pause = np.zeros(JACK_RATE, np.float32)  # the end-pointer closes an utterance in the silence after it
    t0 = time.monotonic()
    listen = ListenProcess(env, rig, ("--hands-free",))
    try:
        _wait(lambda: listen.event("ready") or listen.proc.poll() is not None, 240, "the listener to be ready")
        assert listen.event("ready"), listen.why()
        ready_s = time.monotonic() - t0
        _hands_free(listen, rig, addressed, timit, pause)
        stored = [p for p in Path(user["PA_HOME"]).rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES]
        assert stored == [], stored  # nothing recorded: hands-free keeps no audio
        hands_free_s = time.monotonic() - t0 - ready_s

        for key, value in {**user, **rig.env()}.items():  # the app: the same user, the same sound server
            monkeypatch.setenv(key, value)
        from app.gui.page import local_engine
        from app.services import build_services

        app_engine = local_engine(build_services())
        app_engine.preload = app_engine.alarms = False  # the listener has the models; the app needs none
        seen: list[EngineEvent] = []
        app_engine.subscribe(seen.append)

        async def main() -> None:
            # push-to-talk from the app: the listener's microphone opens, the request is heard
            t1 = time.monotonic()
            n = len(listen.events)
            await app_engine.start_listening("window")
            await _until(lambda: listen.event("state", n, state="listening"), 30, "the microphone", listen.why)
            await _until(lambda: rig.client.get_all_connections(rig.mouth), 30, "the microphone's port", listen.why)
            assert len(_capture_ports(rig)) == 1 and app_engine.devices_elsewhere()  # hands-free's stream serves
            await asyncio.sleep(0.3)
            rig.play(np.concatenate([request, np.zeros(JACK_RATE // 4, np.float32)]))
            assert await asyncio.to_thread(rig.played.wait, 30), "the request was not played"
            released = rig.now()
            reply = await asyncio.wait_for(app_engine.stop_listening(), 120)
            assert reply is not None and reply.text, listen.why()
            assert "time" in reply.user_text.lower(), reply
            # answered aloud on the listener's speaker port (the reply has been spoken when the call returns)
            _, heard = rig.recording(released)
            assert voice_onset(heard, SPEECH_LEVEL) is not None, "no reply on the speaker port"
            # the transcript, the reply and the states came to the app's engine (its conversation shows them)
            await _until(lambda: any(isinstance(e, ReplyDone) and e.reply.turn_id == reply.turn_id for e in seen),
                         30, "the reply event in the app", lambda: [e.kind for e in seen])
            finals = [e for e in seen if isinstance(e, TranscriptFinal)]
            assert finals and finals[-1].turn_id == reply.turn_id and "time" in finals[-1].text.lower(), finals
            states = [e.state for e in seen if isinstance(e, StateChanged)]
            assert {"listening", "thinking"} <= set(states), states
            assert not app_engine.devices_elsewhere() and app_engine.voice._mic is None

            # a meeting from the app: recorded by the listener, one capture stream open
            t2 = time.monotonic()
            m = len(listen.events)
            view = await asyncio.wait_for(app_engine.meeting_start("Standup"), 120)
            assert view.state == "recording" and view.title == "Standup", view
            await _until(lambda: listen.event("meeting", m), 30, "the listener's meeting", listen.why)
            await _until(lambda: listen.event("listen_state", m, state="recording"), 30, "the recording state",
                         listen.why)
            await _until(lambda: len(_capture_ports(rig)) == 1 and rig.client.get_all_connections(rig.mouth), 30,
                         "one capture stream, the meeting's", lambda: f"{_capture_ports(rig)}; {listen.why()}")
            assert app_engine.devices_elsewhere() and app_engine.meetings_port.source is None
            assert any(isinstance(e, MeetingUpdated) and e.meeting.state == "recording" for e in seen)
            rig.play(timit)
            assert await asyncio.to_thread(rig.played.wait, 30), "the meeting audio was not played"
            t3 = time.monotonic()
            done = await asyncio.wait_for(app_engine.meeting_stop(), 300)
            print(f"\nlistener ready {ready_s:.1f} s, hands-free {hands_free_s:.1f} s, the app's turn {t2 - t1:.1f} s, meeting start and audio "
                  f"{t3 - t2:.1f} s, meeting stop {time.monotonic() - t3:.1f} s; load {os.getloadavg()[0]:.1f}")
            assert done.state == "done" and done.id == view.id, done
            said = " ".join(s.text for s in done.segments).lower()
            assert "suit" in said or "wash" in said, done.segments
            assert not app_engine.devices_elsewhere()
            # hands-free comes back after the meeting
            await _until(lambda: listen.event("listen_state", m, state="hands_free"), 60, "hands-free again", listen.why)
            await app_engine.close()

        asyncio.run(main())
        assert listen.proc.poll() is None, listen.why()
        # the devices stayed: no restart of the listener on the way (one ready line)
        assert [e["kind"] for e in listen.events].count("ready") == 1, listen.why()
    finally:
        code = listen.stop()
    assert code == 0, f"exit code {code}; {listen.why()}"


def _hands_free(listen: ListenProcess, rig: JackRig, addressed: np.ndarray, overheard: np.ndarray,
                pause: np.ndarray) -> None:
    # the microphone is open, and the listener says so (the tray's state)
    _wait(lambda: listen.event("listen_state", state="hands_free"), 60, "the hands-free state", listen.why)
    _wait(lambda: rig.client.get_all_connections(rig.mouth), 30, "the microphone's port", listen.why)
    assert len(_capture_ports(rig)) == 1, _capture_ports(rig)

    # speech not addressed to the assistant: transcribed, not answered
    n = len(listen.events)
    rig.play(np.concatenate([overheard, pause]))
    assert rig.played.wait(30), "the overheard speech was not played"
    heard = _wait(lambda: listen.event("final", n), 60, "the overheard transcript", listen.why)
    assert heard.get("addressed") is False, heard

    # the wake phrase and a request: answered aloud, no key pressed. Said at most twice, as a person
    # would: under load Whisper base once heard "Her assistant was on the street." (not addressed)
    for attempt in (1, 2):
        m = len(listen.events)
        start = rig.now()
        rig.play(np.concatenate([addressed, pause]))
        assert rig.played.wait(30), "the request was not played"
        heard = _wait(lambda m=m: listen.event("final", m), 60, "the request's transcript", listen.why)  # type: ignore[misc]
        if heard.get("addressed") or attempt == 2:
            break
        print(f"\nhands-free: not heard as addressed the first time: {heard.get('text')!r}")
    # under load the wake phrase may end an utterance of its own ("hey assistant"): the request is then the
    # follow-up within the engine's follow-up window, addressed too
    final = _wait(lambda: next((e for e in listen.events[m:] if e.get("kind") == "final" and e.get("addressed")
                                and "time" in str(e.get("text", "")).lower()), None),
                  60, "the request's transcript", listen.why)
    assert final["addressed"], final
    done = _wait(lambda: listen.event("reply_done", m), 60, "the reply", listen.why)
    assert done["reply"]["text"], done

    def voiced() -> bool:
        _, out = rig.recording(start + len(addressed))
        return voice_onset(out, SPEECH_LEVEL) is not None

    _wait(voiced, 30, "the reply's audio on the speaker port", listen.why)
    _wait(lambda: listen.event("listen_state", m, state="hands_free"), 60,
          "the reply to end (the microphone open again)", listen.why)
    _wait(lambda: rig.client.get_all_connections(rig.mouth), 30, "the microphone's port again", listen.why)
    replies = [e for e in listen.events[n:] if e.get("kind") == "reply_done"]
    assert len(replies) == 1, replies  # the overheard sentence got none
    assert not listen.event("listen_state", n, state="listening"), "no key was pressed"
