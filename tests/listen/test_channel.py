"""The listener's control channel (app/listen/channel.py) and the desktop app's side of it (link.py),
in one process with no devices: the socket is the user's only; a request that is no request (not JSON,
an unknown operation, a line too long) and a peer of another user each get one clear refusal, never a
traceback, and the listener goes on; the app's engine routes its push-to-talk through the channel while the listener
runs (the listener's refusal comes back as the app's one line) and gets the listener's events (the
meeting through the channel: test_app_attaches.py, on real devices); once the listener is gone, the app's next call ends with one line."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from app.engine import EngineError, EngineEvent, Notice
from app.listen.channel import ControlChannel
from app.listen.instance import SingleInstance, channel_path
from app.listen.service import DesktopListener
from app.listen.strings import CHANNEL
from app.settings import ListenSettings

pytestmark = pytest.mark.unit


def _listener() -> DesktopListener:
    from app.engine.local import LocalEngine
    from app.services import build_services

    engine = LocalEngine(build_services(), speech_output="off", preload=False, alarms=False)
    return DesktopListener(engine, ListenSettings(sounds=False), lambda line: None)


@asynccontextmanager
async def _channel(owner_uid: int | None = None) -> AsyncIterator[tuple[DesktopListener, ControlChannel]]:
    listener = _listener()
    await listener.prepare(load=False)
    channel = ControlChannel(listener, channel_path(listener.engine.sv.paths.cache_dir), owner_uid)
    assert await channel.start()
    try:
        yield listener, channel
    finally:
        await channel.close()
        listener.quit()
        await listener.wait()


async def _ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> dict[str, Any]:
    writer.write(raw)
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), 30)
    assert line.endswith(b"\n") and b"Traceback" not in line, line
    answer: dict[str, Any] = json.loads(line)
    return answer


def test_bad_and_foreign_requests_get_one_refusal() -> None:
    refusal = CHANNEL.text("bad_request", "en")

    async def main() -> None:
        async with _channel() as (listener, channel):
            assert stat.S_IMODE(channel.path.stat().st_mode) == 0o600  # the user's only
            reader, writer = await asyncio.open_unix_connection(str(channel.path))
            assert await _ask(reader, writer, b"not json at all\n") == {"id": None, "ok": False, "error": refusal}
            assert await _ask(reader, writer, b'{"id": 7, "op": "format_disk"}\n') == \
                {"id": 7, "ok": False, "error": refusal}
            assert await _ask(reader, writer, b'{"id": 8, "op": "state", "extra": 1}\n') == \
                {"id": 8, "ok": False, "error": refusal}
            assert await _ask(reader, writer, b'[1, 2]\n') == {"id": None, "ok": False, "error": refusal}
            # the same connection still answers a good request
            assert await _ask(reader, writer, b'{"id": 9, "op": "state"}\n') == {"id": 9, "ok": True, "state": "idle"}
            # a turn while muted: one line, nothing opened
            listener.set_muted(True)
            assert await _ask(reader, writer, b'{"id": 10, "op": "start_listening"}\n') == \
                {"id": 10, "ok": False, "error": CHANNEL.text("muted", "en")}
            assert listener._press is None and listener.engine.voice._mic is None
            listener.set_muted(False)
            # a release with no turn: nothing to answer
            assert await _ask(reader, writer, b'{"id": 11, "op": "stop_listening"}\n') == \
                {"id": 11, "ok": True, "reply": None}
            # a line longer than any request: refused, and that connection ends
            assert await _ask(reader, writer, b"x" * 100_000 + b"\n") == \
                {"id": None, "ok": False, "error": CHANNEL.text("too_long", "en")}
            assert await _closed(reader)
            writer.close()
            # the listener still answers on a new connection
            reader, writer = await asyncio.open_unix_connection(str(channel.path))
            assert (await _ask(reader, writer, b'{"id": 1, "op": "state"}\n'))["ok"] is True
            writer.close()
        assert not channel.path.exists()  # closed with the listener

        # a peer of another user (the test plays one: the channel's owner is someone else)
        async with _channel(owner_uid=os.getuid() + 1) as (_, channel):
            reader, writer = await asyncio.open_unix_connection(str(channel.path))
            writer.write(b'{"id": 1, "op": "state"}\n')
            line = await asyncio.wait_for(reader.readline(), 30)
            assert json.loads(line) == {"id": None, "ok": False, "error": CHANNEL.text("foreign", "en")}
            assert await _closed(reader)
            writer.close()

    asyncio.run(main())


def test_app_engine_goes_through_the_running_listener(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_STT__MODEL", str(models_dir / "whisper-base"))
    from app.gui.page import local_engine
    from app.services import build_services

    async def main() -> None:
        async with _channel() as (listener, _channel_):
            sv = build_services()
            app_engine = local_engine(sv)
            app_engine.preload = app_engine.alarms = False
            seen: list[EngineEvent] = []
            app_engine.subscribe(seen.append)
            held = SingleInstance(sv.paths.cache_dir).acquire()  # `personal-agent listen` runs
            try:
                # a press from the app while the listener is muted: the listener's one line
                listener.set_muted(True)
                with pytest.raises(EngineError, match="muted"):
                    await app_engine.start_listening("tab")
                assert app_engine.voice._mic is None and not app_engine.devices_elsewhere()
                # the app's hands-free goes to the listener (muted here: its microphone stays closed), the
                # window records nothing for it; off again from the app
                await app_engine.set_hands_free(True, "tab")
                assert listener.config.hands_free and not listener.hands_free and app_engine.devices_elsewhere()
                assert app_engine.voice._mic is None and app_engine.core.hands_free
                await app_engine.set_hands_free(False, "tab")
                assert not listener.config.hands_free and not app_engine.devices_elsewhere()
                assert not app_engine.core.hands_free
                listener.set_muted(False)
                # the listener's events come into the app's engine
                listener.engine.core.notice("from the listener", "warning")
                await _until(lambda: any(isinstance(e, Notice) and e.message == "from the listener" for e in seen))
            finally:
                held.release()
            # the listener quits: the app's next call says so in one line
            await _channel_.close()
            await _until(lambda: app_engine.voice.device_owner is not None
                         and app_engine.voice.device_owner._writer is None)  # type: ignore[attr-defined]
            assert app_engine.voice.device_owner is not None and not app_engine.voice.device_owner.present()
            await app_engine.close()

    asyncio.run(main())


async def _closed(reader: asyncio.StreamReader) -> bool:
    """The listener closed the connection (Linux resets a Unix socket closed with unread data in it)."""
    try:
        return await asyncio.wait_for(reader.read(), 30) == b""
    except ConnectionResetError:
        return True


async def _until(cond: Callable[[], bool], timeout: float = 30) -> None:
    for _ in range(int(timeout / 0.02)):
        if cond():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


def test_channel_catalogue_complete() -> None:
    assert CHANNEL.problems() == []
