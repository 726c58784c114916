"""`personal-agent listen` for real, on a desktop with no screen and no sound card (``rig.py``: Xvfb and
a private jackd): the listener runs as its own process; another program (xlogo) has the keyboard focus;
xdotool holds the push-to-talk key (Right Ctrl) while the test plays a recorded request into the
microphone the listener opened; the reply is heard on the listener's speaker port; a press during the
reply stops it (measured on JACK's frame clock, the device clock); a second `listen` is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.listen.strings import TRAY
from tests.listen.rig import (
    JACK_RATE,
    JackRig,
    ListenProcess,
    cue_band,
    require_tools,
    voice_band,
    voice_onset,
)
from tests.servers.xvfb import Xvfb
from tests.speech_input.conftest import wer
from tests.speech_input.test_microphone_jack import _read_48k

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[2]
KEY = "Control_R"  # the listener's default key, ctrl_r, as X11 names it
SPEECH_LEVEL = 0.002  # RMS of the 80-900 Hz band above which the ear hears the reply's voice


@pytest.fixture(scope="module")
def desktop() -> Iterator[tuple[Xvfb, JackRig]]:
    require_tools()
    x = Xvfb().start()
    rig = JackRig()
    try:
        rig.start()
        yield x, rig
    finally:
        rig.stop()
        x.stop()


def _wait(cond: Callable[[], Any], timeout: float, what: str, why: Callable[[], str] = str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}: {why()}")


def _xdotool(env: dict[str, str], *args: str) -> str:
    return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=20, check=True).stdout


def test_listen_hotkey_turn_and_barge_in(desktop: tuple[Xvfb, JackRig], models_dir: Path, shared_audio: Path,
                                         tmp_path: Path) -> None:
    x, rig = desktop
    env = {**os.environ, **rig.env(), "DISPLAY": x.display, "PYTHONPATH": str(ROOT), "PA_HOME": str(tmp_path / "home"),
           "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_STT__LANGUAGE": "en",
           "PA_AUDIO__INPUT_DEVICE": "system", "PA_AUDIO__OUTPUT_DEVICE": "system"}
    env.pop("WAYLAND_DISPLAY", None)
    other = subprocess.Popen(["xlogo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listen = ListenProcess(env, rig)
    try:
        wid = _xdotool(env, "search", "--sync", "--class", "xlogo").split()[0]
        _xdotool(env, "windowfocus", "--sync", wid)
        _wait(lambda: listen.event("ready") or listen.proc.poll() is not None, 240, "the listener to be ready")
        assert listen.event("ready"), listen.why()

        # a second listener is refused with one line, before it opens anything
        second = subprocess.run([sys.executable, "-m", "app.cli.main", "listen"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 1 and second.stderr.count("\n") == 1, second
        assert "already running" in second.stderr and "Traceback" not in second.stderr

        # hold the key while xlogo has the focus, say the request, let go
        request = _read_48k(shared_audio / "timit_ldc93s1.wav")
        reference = "She had your dark suit in greasy wash water all year."
        n = len(listen.events)
        _xdotool(env, "keydown", KEY)
        _wait(lambda: listen.event("state", n, state="listening"), 30, "the microphone to open", listen.why)
        _wait(lambda: rig.client.get_all_connections(rig.mouth), 30, "the microphone's port", listen.why)
        time.sleep(0.3)  # its stream runs
        rig.play(np.concatenate([request, np.zeros(JACK_RATE // 4, np.float32)]))
        assert rig.played.wait(30), "the request was not played"
        released = rig.now()
        _xdotool(env, "keyup", KEY)
        assert _xdotool(env, "getwindowfocus").strip() == wid, "the key took the focus from the other program"

        final = _wait(lambda: listen.event("final", n), 60, "the transcript", listen.why)
        # Whisper base on this TIMIT sentence is rough (the mic test's JFK clip is 11 s: too long here)
        assert wer(reference, final["text"]) <= 0.5 and "dark suit" in final["text"].lower(), final
        done = _wait(lambda: listen.event("reply_done", n), 60, "the reply", listen.why)
        assert done["reply"]["text"], done
        _wait(lambda: listen.event("speaking_started", n), 60, "the reply to be spoken", listen.why)

        # the reply is heard on the speaker port (its voice band, after the closing cue)
        def voice_since(frame: int) -> int | None:
            start, heard = rig.recording(frame)
            onset = voice_onset(heard, SPEECH_LEVEL)
            return None if onset is None else start + onset

        reply_at = _wait(lambda: voice_since(released), 30, "the reply's audio on the speaker port")
        _, around_press = rig.recording(released - JACK_RATE)
        assert cue_band(around_press).max() > SPEECH_LEVEL, "no cue tone was heard"

        # press during the reply: it stops (barge-in), measured on the device clock
        _wait(lambda: rig.now() - reply_at > JACK_RATE * 0.4, 10, "0.4 s of the reply")

        def speaking_now() -> bool:  # the last 60 ms were voice: the press lands in a word, not a pause
            _, recent = rig.recording(rig.now() - JACK_RATE * 6 // 100)
            band = voice_band(recent[-JACK_RATE * 6 // 100 :])
            return len(band) == 6 and bool((band > SPEECH_LEVEL).all())

        end = time.monotonic() + 10
        while not speaking_now() and time.monotonic() < end:
            time.sleep(0.003)
        pressed = rig.now()
        _xdotool(env, "keydown", KEY)
        time.sleep(1.0)
        _xdotool(env, "keyup", KEY)
        start, heard = rig.recording(pressed - JACK_RATE // 2)
        voiced = voice_band(heard) > SPEECH_LEVEL
        at_press = (pressed - start) * 100 // JACK_RATE  # the 10 ms window of the press
        # the reply was playing (voice in the half second before the press); none may follow its stop
        assert voiced[:at_press].any(), "the reply was not playing when the key was pressed"
        last = int(np.nonzero(voiced)[0][-1])
        stop_s = max(0.0, (start + (last + 1) * JACK_RATE // 100 - pressed) / JACK_RATE)
        print(f"\nbarge-in: the reply stopped {stop_s * 1000:.0f} ms after the key press (device clock); "
              f"load {os.getloadavg()[0]:.1f}")
        # the aim is 100 ms; measured here 19-59 ms at load 7-17 on 2 cores (docs/listen.md): the
        # bound leaves room for a loaded CI machine and still fails a reply that plays on
        assert stop_s < 0.25, f"the reply went on for {stop_s:.3f} s after the key press"
        _wait(lambda: listen.event("state", n, state="idle") and listen.events[-1].get("state") != "listening",
              30, "the listener to settle")
    finally:
        code = listen.stop()
        other.terminate()
        other.wait(10)
    assert code == 0, f"exit code {code}; {listen.why()}"


def test_bad_key_and_no_desktop_are_one_line(desktop: tuple[Xvfb, JackRig], tmp_path: Path) -> None:
    x, _ = desktop
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA_HOME": str(tmp_path / "home")}
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DISPLAY", None)
    run = [sys.executable, "-m", "app.cli.main", "listen", "--no-tray"]
    p = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stderr == ("no keyboard to watch: the listener needs a desktop session "
                                              "(no display found)\n"), p.stderr
    p = subprocess.run([*run, "--key", "hyper_space"], cwd=ROOT, env={**env, "DISPLAY": x.display},
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "unknown push-to-talk key 'hyper_space'" in p.stderr, \
        p.stderr


def _spoken(text: str) -> np.ndarray:
    """``text`` spoken by the product's Piper voice, at the JACK rate."""
    from audio.frames import Resampler
    from audio.speaker import render
    from audio.tts import PiperTts

    audio = render(PiperTts(), text, "en")
    return np.asarray(Resampler(audio.sample_rate, JACK_RATE)(audio.samples.astype(np.float32)), np.float32)


def _spoken_turn(listen: ListenProcess, rig: JackRig, env: dict[str, str], request: np.ndarray) -> str:
    """Hold the key, play ``request`` into the listener's microphone, let go; the transcript, once the
    reply's voice was heard on the speaker port and the listener is idle again."""
    n = len(listen.events)
    _xdotool(env, "keydown", KEY)
    _wait(lambda: listen.event("state", n, state="listening"), 30, "the microphone to open", listen.why)
    _wait(lambda: rig.client.get_all_connections(rig.mouth), 30, "the microphone's port", listen.why)
    time.sleep(0.3)
    rig.play(np.concatenate([request, np.zeros(JACK_RATE // 4, np.float32)]))
    assert rig.played.wait(30), "the request was not played"
    released = rig.now()
    _xdotool(env, "keyup", KEY)
    final = _wait(lambda: listen.event("final", n), 60, "the transcript", listen.why)
    _wait(lambda: listen.event("speaking_started", n), 60, "the reply to be spoken", listen.why)

    def voiced() -> bool:
        _, heard = rig.recording(released)
        return voice_onset(heard, SPEECH_LEVEL) is not None

    _wait(voiced, 30, "the reply's audio on the speaker port", listen.why)
    _wait(lambda: listen.events[-1].get("state") == "idle", 60, "the reply to end", listen.why)
    return str(final["text"])


def _press_finds_device_gone(listen: ListenProcess, env: dict[str, str]) -> None:
    """A press whose microphone or cue cannot open: the listener says so in one line and starts again."""
    n = len(listen.events)
    _xdotool(env, "keydown", KEY)
    time.sleep(1.0)
    _xdotool(env, "keyup", KEY)
    line = _wait(lambda: listen.event("line", n), 60, "the listener to notice", listen.why)
    assert line["text"] == TRAY.text("audio_lost", "en"), listen.why()
    _wait(lambda: listen.event("ready", n), 240, "the listener to be ready again", listen.why)


def test_listen_survives_sound_server_restart_and_a_frozen_process(
        desktop: tuple[Xvfb, JackRig], models_dir: Path, tmp_path: Path) -> None:
    """Unplugged and plugged back: after a turn, jackd stops under the running listener and starts
    again. PortAudio connects to the sound server once per process and cannot come back to a new one, so
    the next press finds the devices gone: the listener says so and starts again (same process id, same
    command line), and the press after that is heard and answered aloud. Then the listener is frozen
    for a while (SIGSTOP, as a suspended machine) while the sound server runs on, and thawed (SIGCONT):
    a turn is heard and answered."""
    x, rig = desktop
    env = {**os.environ, **rig.env(), "DISPLAY": x.display, "PYTHONPATH": str(ROOT), "PA_HOME": str(tmp_path / "home"),
           "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_STT__LANGUAGE": "en",
           "PA_AUDIO__INPUT_DEVICE": "system", "PA_AUDIO__OUTPUT_DEVICE": "system"}
    env.pop("WAYLAND_DISPLAY", None)
    listen = ListenProcess(env, rig)
    request = _spoken("What time is it?")  # a local intent: its reply is short
    try:
        _wait(lambda: listen.event("ready") or listen.proc.poll() is not None, 240, "the listener to be ready")
        assert listen.event("ready"), listen.why()
        # a first turn: this process's PortAudio connects to the sound server (not before its first stream)
        assert "time" in _spoken_turn(listen, rig, env, request).lower(), listen.why()

        rig.restart()  # the sound card goes away and comes back
        pid = listen.proc.pid
        _press_finds_device_gone(listen, env)
        assert listen.proc.poll() is None and listen.proc.pid == pid, listen.why()
        assert "time" in _spoken_turn(listen, rig, env, request).lower(), listen.why()

        listen.proc.send_signal(signal.SIGSTOP)  # suspended: the sound server goes on without it
        time.sleep(3)
        listen.proc.send_signal(signal.SIGCONT)
        assert "time" in _spoken_turn(listen, rig, env, request).lower(), listen.why()
        assert listen.proc.poll() is None, listen.why()
    finally:
        listen.proc.send_signal(signal.SIGCONT)
        code = listen.stop()
    assert code == 0, f"exit code {code}; {listen.why()}"
