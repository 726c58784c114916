"""The desktop app's side of the listener's control channel (``channel.py``): while `personal-agent
listen` runs, the app's push-to-talk and meeting recordings happen on the listener's devices (it owns the
microphone and the speaker), and the listener's events come into the app's own event bus, so its
conversation and meeting screens show them.

``present()`` looks at the listener's lock (another process holds it); the connection is made on the
first turn or meeting and kept (its events keep coming, also of turns spoken with the listener's key);
when the listener goes away, the waiting calls end with one line and the next turn is the app's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agents.phrasebook import phrase
from app.engine import (
    EngineError,
    EngineEvent,
    EngineEventAdapter,
    MeetingUpdated,
    MeetingView,
    NotAvailable,
    TurnReply,
)
from app.listen.instance import channel_path, running_listener
from app.listen.strings import CHANNEL

log = logging.getLogger(__name__)


class ListenerLink:
    def __init__(self, cache_dir: Path, emit: Callable[[EngineEvent], None], language: Callable[[], str]) -> None:
        self.cache_dir = cache_dir
        self.emit = emit  # into the app's event bus
        self.language = language
        self.turn_active = False  # a push-to-talk turn of the app runs on the listener
        self.meeting_active = False  # ... a meeting started from the app records there
        self.hands_free_active = False  # ... the app's hands-free listens there
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._connect_lock: asyncio.Lock | None = None

    def present(self) -> bool:
        """Whether this user's listener runs (blocking: a file lock; call it in a thread)."""
        return running_listener(self.cache_dir) is not None

    @property
    def busy(self) -> bool:
        """The microphone is the listener's for the app now (a turn or a meeting of the app)."""
        return self.turn_active or self.meeting_active or self.hands_free_active

    def _lang(self) -> str:
        language = self.language()
        return language if language in ("en", "de") else "en"

    # -- the connection

    async def _connect(self) -> None:
        if self._writer is not None and not self._writer.is_closing():
            return
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
        async with self._connect_lock:
            if self._writer is not None and not self._writer.is_closing():
                return
            try:
                self._reader, self._writer = await asyncio.open_unix_connection(
                    str(channel_path(self.cache_dir)), limit=16 * 1024 * 1024)
            except (OSError, AttributeError) as exc:  # an older listener without the channel, no Unix sockets
                log.info("no listener channel: %s", exc)
                raise NotAvailable(phrase("engine.mic_in_listener", self._lang())) from None
            self._read_task = asyncio.ensure_future(self._read(self._reader))
            await self._call("subscribe")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while line := await reader.readline():
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(data, dict):
                    continue
                if "event" in data:
                    self._event(data["event"])
                    continue
                waiting = self._waiting.pop(data.get("id") or 0, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(data)
                elif not data.get("ok", True):
                    log.warning("listener channel: %s", data.get("error"))
        except (ConnectionError, OSError, ValueError) as exc:
            log.info("listener channel: %s", exc)
        finally:
            self._gone()

    def _event(self, data: Any) -> None:
        try:
            ev = EngineEventAdapter.validate_python(data)
        except ValidationError as exc:  # an event of a newer listener: left out
            log.debug("listener event not read: %s", exc)
            return
        if isinstance(ev, MeetingUpdated):
            self.meeting_active = ev.meeting.state in ("recording", "paused")
        self.emit(ev)

    def _gone(self) -> None:
        """The listener closed the channel (it quit or restarts): every waiting call ends, saying so."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        self.turn_active = self.meeting_active = self.hands_free_active = False
        waiting, self._waiting = self._waiting, {}
        for fut in waiting.values():
            if not fut.done():
                fut.set_exception(EngineError(CHANNEL.text("gone", self._lang())))

    async def _call(self, op: str, **fields: Any) -> dict[str, Any]:
        writer = self._writer
        if writer is None or writer.is_closing():
            raise EngineError(CHANNEL.text("gone", self._lang()))
        request_id = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = fut
        writer.write((json.dumps({"id": request_id, "op": op, **fields}) + "\n").encode())
        try:
            await writer.drain()
        except (ConnectionError, OSError):
            self._gone()
        answer = await fut
        if not answer.get("ok"):
            raise EngineError(str(answer.get("error") or CHANNEL.text("gone", self._lang())))
        return answer

    # -- what the app's engine asks (app/engine/local/voice.py: DeviceOwner)

    async def start_listening(self, origin: str) -> None:
        await self._connect()
        await self._call("start_listening", origin=origin[:100])
        self.turn_active = True

    async def stop_listening(self) -> TurnReply | None:
        if not self.turn_active:
            return None
        try:
            answer = await self._call("stop_listening")
        finally:
            self.turn_active = False
        reply = answer.get("reply")
        return TurnReply.model_validate(reply) if reply else None

    async def meeting(self, op: str, title: str = "") -> MeetingView:
        await self._connect()
        answer = await self._call(f"meeting_{op}", **({"title": title[:200]} if op == "start" else {}))
        view = MeetingView.model_validate(answer["meeting"])
        self.meeting_active = view.state in ("recording", "paused")
        return view

    async def hands_free(self, on: bool) -> None:
        """The app's hands-free switch: the listener's microphone listens for the wake phrase."""
        await self._connect()
        await self._call("hands_free", on=on)
        self.hands_free_active = on

    async def stop_speaking(self) -> None:
        """The listener's reply stops (the app's Stop button); nothing when the app is not attached."""
        if self._writer is not None and not self._writer.is_closing():
            with contextlib.suppress(EngineError):
                await self._call("stop_speaking")

    async def close(self) -> None:
        writer, task = self._writer, self._read_task
        self._writer = self._read_task = None
        if writer is not None:
            writer.close()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
