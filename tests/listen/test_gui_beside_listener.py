"""One owner of the devices: the desktop app opened beside a running `personal-agent listen` does not
open this computer's microphone a second time; when the listener cannot be reached (it holds the lock but
has no control channel: an older listener), its push-to-talk says, in plain words, who has it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from agents.phrasebook import phrase
from app.engine import NotAvailable
from app.listen.instance import SingleInstance, running_listener


def test_running_listener_is_seen_by_its_lock(tmp_path: Path) -> None:
    assert running_listener(tmp_path / "missing") is None
    held = SingleInstance(tmp_path).acquire()
    try:
        assert running_listener(tmp_path) == os.getpid()
    finally:
        held.release()
    assert running_listener(tmp_path) is None
    SingleInstance(tmp_path).acquire().release()  # the quick look left the lock free


def test_gui_push_to_talk_leaves_the_microphone_to_the_listener(
        models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_STT__MODEL", str(models_dir / "whisper-base"))
    monkeypatch.setenv("PA_GUI__SPEECH_OUTPUT", "device")  # the desktop app: this computer's mic and speaker
    from app.gui.page import local_engine
    from app.services import build_services

    sv = build_services()
    engine = local_engine(sv)
    states: list[str] = []
    engine.subscribe(lambda ev: states.append(getattr(ev, "state", "")))
    listener = SingleInstance(sv.paths.cache_dir).acquire()  # `personal-agent listen` runs
    try:
        with pytest.raises(NotAvailable) as err:
            asyncio.run(engine.start_listening("tab"))
        assert str(err.value) == phrase("engine.mic_in_listener", sv.settings.language if
                                        sv.settings.language in ("en", "de") else "en")
        assert engine.voice._mic is None and "listening" not in states  # nothing was opened
    finally:
        listener.release()
    assert engine.voice.device_owner is not None and not engine.voice.device_owner.present()
    asyncio.run(engine.close())
