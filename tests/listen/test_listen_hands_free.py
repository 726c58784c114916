"""Hands-free in the background listener, for real (``rig.py``: Xvfb and a private jackd): `listen
--hands-free` opens this machine's microphone at start and says so (its state, what the tray shows);
speech without the wake phrase is heard but not answered; "Hey assistant, what time is it?" (Piper's
voice, played into the microphone port) is answered aloud on the speaker port without any key; no
audio is stored."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.listen.rig import JACK_RATE, JackRig, ListenProcess, Xvfb, voice_onset
from tests.listen.test_listen_desktop import ROOT, SPEECH_LEVEL, _spoken, _wait, desktop  # noqa: F401
from tests.speech_input.test_microphone_jack import _read_48k

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".opus", ".mp3", ".webm", ".pcm", ".raw"}


def test_hands_free_answers_the_wake_phrase_without_a_key(
        desktop: tuple[Xvfb, JackRig], models_dir: Path, shared_audio: Path, tmp_path: Path) -> None:  # noqa: F811
    x, rig = desktop
    home = tmp_path / "home"
    env = {**os.environ, **rig.env(), "DISPLAY": x.display, "PYTHONPATH": str(ROOT), "PA_HOME": str(home),
           "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_STT__LANGUAGE": "en",
           "PA_AUDIO__INPUT_DEVICE": "system", "PA_AUDIO__OUTPUT_DEVICE": "system"}
    env.pop("WAYLAND_DISPLAY", None)
    addressed = _spoken("Hey assistant, what time is it?")
    pause = np.zeros(JACK_RATE, np.float32)  # the end-pointer closes the utterance in the silence after it
    listen = ListenProcess(env, rig, ("--hands-free",))
    try:
        _wait(lambda: listen.event("ready") or listen.proc.poll() is not None, 240, "the listener to be ready")
        assert listen.event("ready"), listen.why()
        # the microphone is open, and the listener says so (the tray's state)
        _wait(lambda: listen.event("listen_state", state="hands_free"), 60, "the hands-free state", listen.why)
        _wait(lambda: rig.client.get_all_connections(rig.mouth), 30, "the microphone's port", listen.why)

        # speech not addressed to the assistant: transcribed, not answered
        n = len(listen.events)
        rig.play(np.concatenate([_read_48k(shared_audio / "timit_ldc93s1.wav"), pause]))
        assert rig.played.wait(30), "the overheard speech was not played"
        overheard = _wait(lambda: listen.event("final", n), 60, "the overheard transcript", listen.why)
        assert overheard.get("addressed") is False, overheard

        # the wake phrase and a request: answered aloud, no key pressed
        m = len(listen.events)
        start = rig.now()
        rig.play(np.concatenate([addressed, pause]))
        assert rig.played.wait(30), "the request was not played"
        final = _wait(lambda: listen.event("final", m, addressed=True), 60, "the request's transcript", listen.why)
        assert "time" in final["text"].lower(), final
        done = _wait(lambda: listen.event("reply_done", m), 60, "the reply", listen.why)
        assert done["reply"]["text"], done

        def voiced() -> bool:
            _, heard = rig.recording(start + len(addressed))
            return voice_onset(heard, SPEECH_LEVEL) is not None

        _wait(voiced, 30, "the reply's audio on the speaker port", listen.why)
        _wait(lambda: listen.event("listen_state", m, state="hands_free"), 60,
              "the reply to end (the microphone still open)", listen.why)
        replies = [e for e in listen.events[n:] if e.get("kind") == "reply_done"]
        assert len(replies) == 1, replies  # the overheard sentence got none
        assert not listen.event("listen_state", n, state="listening"), "no key was pressed, nothing else opened"
        stored = [p for p in home.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES]
        assert stored == [], stored  # nothing recorded: hands-free keeps no audio
        assert listen.proc.poll() is None, listen.why()
    finally:
        listen.proc.terminate()
        code: int | None
        try:
            code = listen.proc.wait(30)
        except subprocess.TimeoutExpired:
            listen.proc.kill()
            code = None
    assert code == 0, f"exit code {code}; {listen.why()}"
