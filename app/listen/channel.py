"""The listener's control channel: the desktop app (``link.py``) asks the running listener for a
push-to-talk turn or a meeting recording on the listener's own devices, and receives its events (state,
transcript, reply, meeting), so one process owns the microphone and the speaker.

A Unix socket (``instance.channel_path``: in the user's runtime folder, else beside the lock), created
owner-only (mode 0600); on Linux the peer's user id is checked too (``SO_PEERCRED``). The protocol is
one JSON object per line. A request: ``{"id": 1, "op": "start_listening", "origin": "tab"}`` (ops:
``subscribe``, ``state``, ``start_listening``, ``stop_listening``, ``stop_speaking``, ``meeting_start`` with ``title``,
``meeting_pause``, ``meeting_resume``, ``meeting_stop``, ``hands_free`` with ``on``); its answer ``{"id": 1, "ok": true, ...}`` or
``{"id": 1, "ok": false, "error": "one line"}``. After ``subscribe`` each engine event comes as
``{"event": {...}}`` (``EngineEventAdapter`` reads it back). A request that is no request (not JSON,
an unknown op, too long) gets one refusal line; a peer of another user gets one and is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.engine import EngineError, EngineEvent
from app.listen.strings import CHANNEL

if TYPE_CHECKING:
    from app.listen.service import DesktopListener

log = logging.getLogger(__name__)
LINE_LIMIT = 64 * 1024  # a request is a few dozen bytes; anything longer is refused
Op = Literal["subscribe", "state", "start_listening", "stop_listening", "stop_speaking", "meeting_start",
             "meeting_pause", "meeting_resume", "meeting_stop", "hands_free"]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=0, le=2**53)
    op: Op
    origin: str = Field("", max_length=100)
    title: str = Field("", max_length=200)
    on: bool = False  # hands_free: on or off


def peer_uid(writer: asyncio.StreamWriter) -> int | None:
    """The user id of the process at the other end (Linux), None where it cannot be read."""
    sock = writer.get_extra_info("socket")
    cred = getattr(socket, "SO_PEERCRED", None)
    if sock is None or cred is None:
        return None
    try:
        _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, cred, struct.calcsize("3i")))
    except OSError:
        return None
    return int(uid)


def _owner_only_folder(folder: Path) -> None:
    """The socket's folder exists and, when it is the app's own (not the runtime folder), is the user's only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = folder.stat()
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise OSError(f"{folder} belongs to another user")


class ControlChannel:
    def __init__(self, listener: DesktopListener, path: Path, owner_uid: int | None = None) -> None:
        self.listener = listener
        self.path = path
        # requests are taken from this user only (the tests give another id to play a foreign user)
        self.owner_uid = owner_uid if owner_uid is not None else (os.getuid() if hasattr(os, "getuid") else None)
        self._server: asyncio.AbstractServer | None = None
        self._subscribers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def text(self, key: str) -> str:
        return CHANNEL.text(key, self.listener.engine.sv.settings.language)

    async def start(self) -> bool:
        """Listen on the socket; False (with a log line) where this system has no Unix sockets."""
        if not hasattr(asyncio, "start_unix_server"):
            log.warning("no control channel: this system has no Unix sockets (the desktop app opens its own microphone)")
            return False
        self.loop = asyncio.get_running_loop()
        try:
            _owner_only_folder(self.path.parent)
            self.path.unlink(missing_ok=True)  # a socket left by a listener that died (we hold the lock)
            old = os.umask(0o177)  # the socket is created owner-only, no moment of wider access
            try:
                self._server = await asyncio.start_unix_server(self._serve, path=str(self.path), limit=LINE_LIMIT)
            finally:
                os.umask(old)
            os.chmod(self.path, 0o600)
        except OSError as exc:
            log.warning("no control channel: %s", exc)
            return False
        self.listener.event_listeners.append(self._on_event)
        return True

    async def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.listener.event_listeners.remove(self._on_event)
        server, self._server = self._server, None
        if server is not None:
            server.close()
            for w in list(self._subscribers):
                w.close()
            self._subscribers.clear()
            with contextlib.suppress(OSError):
                self.path.unlink()

    # -- events (any thread) -> every subscribed connection

    def _on_event(self, ev: EngineEvent) -> None:
        if ev.kind == "speech_audio" or not self._subscribers or self.loop is None:
            return
        data = json.dumps({"event": ev.model_dump(mode="json")}, ensure_ascii=False) + "\n"
        self.loop.call_soon_threadsafe(self._broadcast, data.encode())

    def _broadcast(self, data: bytes) -> None:
        for w in list(self._subscribers):
            if w.is_closing():
                self._subscribers.discard(w)
            else:
                w.write(data)

    # -- one connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            uid = peer_uid(writer)
            if uid is not None and self.owner_uid is not None and uid != self.owner_uid:
                log.warning("control channel: a request from user %s refused", uid)
                await self._send(writer, {"id": None, "ok": False, "error": self.text("foreign")})
                return
            while True:
                try:
                    raw = await reader.readuntil(b"\n")
                except asyncio.IncompleteReadError:
                    return  # the peer closed
                except asyncio.LimitOverrunError:
                    await self._send(writer, {"id": None, "ok": False, "error": self.text("too_long")})
                    return  # the rest of that line cannot be told from a next request
                if raw.strip():
                    self._spawn(self._answer(raw, writer))
        except (ConnectionError, OSError) as exc:
            log.info("control channel: %s", exc)
        finally:
            self._subscribers.discard(writer)
            writer.close()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, writer: asyncio.StreamWriter, answer: dict[str, Any]) -> None:
        if writer.is_closing():
            return
        writer.write((json.dumps(answer, ensure_ascii=False) + "\n").encode())
        with contextlib.suppress(ConnectionError):
            await writer.drain()

    async def _answer(self, raw: bytes, writer: asyncio.StreamWriter) -> None:
        try:
            req = Request.model_validate_json(raw)
        except ValidationError:
            await self._send(writer, {"id": _id_of(raw), "ok": False, "error": self.text("bad_request")})
            return
        try:
            result = await self._do(req, writer)
        except EngineError as exc:
            await self._send(writer, {"id": req.id, "ok": False, "error": str(exc)})
            return
        except Exception as exc:  # never a traceback to the peer; the log has it
            log.exception("control channel: %s failed", req.op)
            await self._send(writer, {"id": req.id, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
            return
        await self._send(writer, {"id": req.id, "ok": True, **result})

    async def _do(self, req: Request, writer: asyncio.StreamWriter) -> dict[str, Any]:
        listener = self.listener
        if req.op == "subscribe":
            self._subscribers.add(writer)
            return {"state": listener.state}
        if req.op == "state":
            return {"state": listener.state}
        if req.op == "start_listening":
            await listener.press(req.origin or "app")
            return {}
        if req.op == "stop_listening":
            reply = await listener.release()
            return {"reply": reply.model_dump(mode="json") if reply is not None else None}
        if req.op == "stop_speaking":
            await listener.engine.stop_speaking()
            return {}
        if req.op == "hands_free":
            await listener.want_hands_free(req.on)
            return {"state": listener.state}
        op = {"meeting_start": "start", "meeting_pause": "pause", "meeting_resume": "resume"}.get(req.op, "stop")
        view = await listener.meeting(op, req.title)  # type: ignore[arg-type]
        return {"meeting": view.model_dump(mode="json")}


def _id_of(raw: bytes) -> int | None:
    """The id of a refused request, when it had a usable one (so the asker can match the refusal)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
