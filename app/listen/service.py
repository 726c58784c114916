"""The background desktop listener: the local engine's voice port (the GUI's Listener, turn and events)
driven by the global push-to-talk key.

Key down: a rising tone, the reply that is playing stops (barge-in) and the microphone opens; key up: a
falling tone, the microphone closes, the request is transcribed and answered, the reply is spoken on
this machine's speaker. The microphone is open only while the key is held (or while a meeting records,
which the tray shows); muted, the key does nothing. Events go to ``write`` as lines: a person's
transcript (``you: …``, ``assistant: …``) or, with ``as_json``, each engine event as one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal

from agents.turn import ApprovalRequested, ReplyDone, TranscriptFinal, TurnError
from app.engine import (
    EngineError,
    EngineEvent,
    MeetingUpdated,
    MeetingView,
    Notice,
    StateChanged,
    TimerChanged,
    TurnReply,
)
from app.listen.cues import play_cue

if TYPE_CHECKING:
    from app.engine.local import LocalEngine
    from app.settings import ListenSettings

log = logging.getLogger(__name__)
ListenState = Literal["idle", "listening", "thinking", "speaking", "muted", "recording", "hands_free"]
# (title, body, approval id or None) -> shown: a desktop notification (notify.py); not shown: a line
Alert = Callable[[str, str, int | None], bool]


class DesktopListener:
    def __init__(self, engine: LocalEngine, config: ListenSettings, write: Callable[[str], None],
                 as_json: bool = False) -> None:
        self.engine = engine
        self.config = config
        self.write = write
        self.as_json = as_json
        self.muted = False
        self.recording = False
        self.hands_free = False  # the microphone is open for the wake phrase (config.hands_free, not muted)
        self._meeting_op = False  # a meeting starts or stops: hands-free waits for it
        self.engine_state = "idle"
        self.state_listeners: list[Callable[[ListenState], None]] = []
        # every engine event (any thread): the control channel hands them to the desktop app (channel.py)
        self.event_listeners: list[Callable[[EngineEvent], None]] = []
        self.alert: Alert | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopped: asyncio.Event | None = None
        self._press: asyncio.Task[str | None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._write_lock = threading.Lock()
        self._last_state: ListenState | None = None
        # the microphone or speaker went away (a sound server restarted, a device unplugged, a machine
        # woke up): PortAudio cannot find them again in this process, so the command starts it anew
        self.restart = False
        engine.voice.on_device_lost = self.audio_lost
        engine.core.microphone = True  # push-to-talk opens this machine's microphone
        engine.meetings_port.capture = "device"  # ... and so does a meeting

    # -- state (the tray shows it; the microphone is open exactly while it is "listening" or "recording")

    @property
    def state(self) -> ListenState:
        if self.engine_state in ("listening", "thinking", "speaking"):
            return self.engine_state  # type: ignore[return-value]
        if self.recording:
            return "recording"
        if self.muted:
            return "muted"
        return "hands_free" if self.hands_free else "idle"

    def _state_changed(self) -> None:
        state = self.state
        if state == self._last_state:
            return
        self._last_state = state
        if self.as_json:  # what the tray shows (the tests and scripts read it here)
            with self._write_lock:
                self.write(json.dumps({"kind": "listen_state", "state": state, "t": time.monotonic()}))
        for listener in list(self.state_listeners):
            try:
                listener(state)
            except Exception:
                log.exception("state listener failed")

    # -- start, run, stop

    async def prepare(self, load: bool = True) -> None:
        """Subscribe to the engine on this loop; ``load``: load the assistant, the voice and speech
        recognition now, so the first press answers fast."""
        self.loop = asyncio.get_running_loop()
        self.stopped = asyncio.Event()
        core = self.engine.core
        core.loop = self.loop
        self.engine.subscribe(self._on_event)
        for part in (core.assistant, core.tts, core.recognizer, self.engine.voice.prepare) if load else ():
            await core.thread(part)
        if self.config.hands_free and not self.muted:
            await self._set_hands_free(True)

    async def _set_hands_free(self, on: bool) -> None:
        """Hands-free through the engine's own path (the Listener matches the wake phrase as in the app),
        on this machine's microphone, which stays open while it is on."""
        try:
            await self.engine.set_hands_free(on, origin="listen")
            self.hands_free = on
        except EngineError as exc:
            self.hands_free = False
            self._line(f"hands-free: {exc}")
        self._state_changed()

    async def wait(self) -> None:
        assert self.stopped is not None, "prepare() first"
        await self.stopped.wait()
        for task in list(self._tasks):
            task.cancel()
        await self.engine.close()

    def quit(self) -> None:
        """From any thread (the tray's menu, a signal)."""
        if self.loop is not None and self.stopped is not None:
            self.loop.call_soon_threadsafe(self.stopped.set)

    # -- the key (called on the hotkey's thread)

    def key_down(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._down)

    def key_up(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._up)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _down(self) -> None:
        if self.muted or self._press is not None:
            return
        self._begin("listen")

    def _begin(self, origin: str) -> asyncio.Task[str | None]:
        if self.config.sounds:
            play_cue(True, self.engine.sv.settings.audio.output_device, self.audio_lost)
        self._press = press = asyncio.ensure_future(self._start(origin))
        return press

    async def _start(self, origin: str) -> str | None:
        """None: the microphone is open; else why not."""
        try:
            await self.engine.start_listening(origin=origin)  # stops a reply that is playing first
            return None
        except EngineError as exc:
            return str(exc)

    def _end(self) -> asyncio.Task[str | None] | None:
        press, self._press = self._press, None
        if press is not None and self.config.sounds:
            play_cue(False, self.engine.sv.settings.audio.output_device, self.audio_lost)
        return press

    def _up(self) -> None:
        press = self._end()
        if press is not None:
            self._spawn(self._finish(press))

    async def _finish(self, press: asyncio.Task[str | None]) -> None:
        error = await press
        if error is not None:
            self._line(f"cannot listen: {error}")
            return
        try:
            await self.engine.stop_listening()
        except EngineError as exc:
            self._line(f"cannot answer: {exc}")

    # -- a turn asked for by the desktop app through the control channel (on the loop; channel.py):
    # the same press as the key's, so the key and the app never open the microphone twice

    async def press(self, origin: str) -> None:
        """Open the microphone for a turn; EngineError (one line) when it cannot."""
        from app.listen.strings import CHANNEL

        language = self.engine.sv.settings.language
        if self.muted:
            raise EngineError(CHANNEL.text("muted", language))
        if self._press is not None:
            raise EngineError(CHANNEL.text("busy", language))
        press = self._begin(origin)
        error = await press
        if error is not None:
            if self._press is press:
                self._press = None
            raise EngineError(error)

    async def release(self) -> TurnReply | None:
        """Close the microphone and answer (the reply is spoken on this machine's speaker); None when no
        turn was open (the key's release ended it already) or nothing was heard."""
        press = self._end()
        if press is None:
            return None
        error = await press
        if error is not None:
            raise EngineError(error)
        return await self.engine.stop_listening()

    # -- a device that went away (any thread)

    def audio_lost(self, detail: str) -> None:
        log.warning("audio device lost: %s", detail)
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._audio_lost)

    def _audio_lost(self) -> None:
        if self.restart:
            return
        self.restart = True
        from app.listen.strings import TRAY

        self._line(TRAY.text("audio_lost", self.engine.sv.settings.language))
        self._spawn(self._restart_when_idle())

    async def _restart_when_idle(self) -> None:
        """Once the key is up and the turn is over (it heard nothing), the listener ends for its restart."""
        while self._press is not None or self._tasks - {asyncio.current_task()} or \
                self.engine_state in ("listening", "thinking", "speaking"):
            await asyncio.sleep(0.1)
        if self.stopped is not None:
            self.stopped.set()

    # -- the tray's actions (any thread)

    def set_muted(self, muted: bool) -> None:
        """Muted, the key does nothing and hands-free closes the microphone (until unmuted)."""
        self.muted = muted
        self._state_changed()
        self._sync_hands_free()

    async def want_hands_free(self, on: bool) -> None:
        """The desktop app's hands-free switch (channel.py): the listener's microphone listens for the wake
        phrase, not the window's; off again when the app says so (until then as the setting says)."""
        self.config = self.config.model_copy(update={"hands_free": on})
        want = on and not self.muted and not self.recording
        if want != self.hands_free and not self._meeting_op:
            await self._set_hands_free(want)

    def _sync_hands_free(self) -> None:
        """Hands-free (when set) is on unless muted or a meeting records (the meeting has the
        microphone then: one stream, and what is said in a meeting is not a request)."""
        want = self.config.hands_free and not self.muted and not self.recording
        if want != self.hands_free and self.loop is not None and not self._meeting_op:
            asyncio.run_coroutine_threadsafe(self._set_hands_free(want), self.loop)

    def toggle_meeting(self) -> None:
        if self.loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._toggle_meeting(), self.loop)

    async def _toggle_meeting(self) -> None:
        try:
            await self.meeting("stop" if self.recording else "start")
        except EngineError as exc:
            self._line(f"meeting: {exc}")
        self._state_changed()

    async def meeting(self, op: Literal["start", "pause", "resume", "stop"], title: str = "") -> MeetingView:
        """A meeting on this machine's microphone (the tray, the app through the control channel); while
        it records, hands-free is off (its microphone is closed first: one capture stream)."""
        self._meeting_op = True
        try:
            return await self._meeting(op, title)
        finally:
            self._meeting_op = False
            self._sync_hands_free()

    async def _meeting(self, op: Literal["start", "pause", "resume", "stop"], title: str) -> MeetingView:
        engine = self.engine
        if op == "start":
            if self.hands_free:
                await self._set_hands_free(False)
            view = await engine.meeting_start(title)
            self.recording = True
        elif op == "pause":
            view = await engine.meeting_pause()
        elif op == "resume":
            view = await engine.meeting_resume()
        else:
            view = await engine.meeting_stop()
            self.recording = False
        self._state_changed()
        return view

    def decide(self, approval_id: int, approve: bool) -> None:
        """A notification's Approve or Deny."""
        if self.loop is not None:
            asyncio.run_coroutine_threadsafe(self.engine.decide(approval_id, approve, origin="listen"), self.loop)

    # -- events

    def _line(self, text: str) -> None:
        from app.cli.common import terminal_safe

        with self._write_lock:
            self.write(terminal_safe(text) if not self.as_json else json.dumps({"kind": "line", "text": text}))

    def _on_event(self, ev: EngineEvent) -> None:
        if isinstance(ev, StateChanged):
            self.engine_state = ev.state
            self._state_changed()
        elif isinstance(ev, MeetingUpdated):
            recording = ev.meeting.state in ("recording", "paused")
            if recording != self.recording:
                self.recording = recording
                self._state_changed()
                if ev.meeting.state != "processing":  # its microphone closes only when it is done
                    self._sync_hands_free()
        for forward in list(self.event_listeners):
            forward(ev)
        if self.as_json:
            if ev.kind != "speech_audio":
                data = ev.model_dump(mode="json")
                data["t"] = time.monotonic()  # this process's clock: benches compare it with the key
                with self._write_lock:
                    self.write(json.dumps(data, ensure_ascii=False))
        elif isinstance(ev, TranscriptFinal):
            self._line(f"you: {ev.text}")
        elif isinstance(ev, ReplyDone):
            self._line(f"assistant: {ev.reply.text}")
        elif isinstance(ev, TurnError):
            self._line(f"error: {ev.message}")
        elif isinstance(ev, Notice) and ev.level != "info":
            self._line(ev.message)
        self._notify(ev)

    def _notify(self, ev: EngineEvent) -> None:
        if isinstance(ev, TimerChanged) and ev.change == "rang":
            title, body, approval = ev.timer.label or ev.timer.kind, ev.timer.text, None
        elif isinstance(ev, ApprovalRequested):
            title, body, approval = ev.approval.summary, ev.approval.action, ev.approval.id
        else:
            return
        alert = self.alert
        if alert is not None and alert(title, body, approval):
            return
        from app.listen.strings import TRAY

        language = self.engine.sv.settings.language
        self._line(TRAY.text("approval.title", language, summary=title) if approval is not None
                   else f"{title}: {body}" if body and body != title else title)
