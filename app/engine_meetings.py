"""Meetings for the local engine: adapts the meeting recorder that the app provides as
``Services.meetings`` (``agents.deps.MeetingControl``) to the engine's models, and ticks the timer.
Without a recorder every call raises NotAvailable saying so."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from app.engine import (
    AudioClip,
    EngineError,
    ExportedFile,
    MeetingHit,
    MeetingSummary,
    MeetingUpdated,
    MeetingView,
    NotAvailable,
)

if TYPE_CHECKING:
    from app.engine_bus import EventBus
    from app.services import Services

log = logging.getLogger(__name__)
NOT_INSTALLED = "meeting recording is not installed here yet (the meeting recorder, audio/meeting)"


class MeetingAdapter:
    def __init__(self, sv: Services, bus: EventBus) -> None:
        self.sv = sv
        self.bus = bus
        self._ticker: threading.Thread | None = None
        self._stop_tick = threading.Event()

    def _control(self) -> Any:
        from agents.deps import MeetingControl

        try:
            mc = getattr(self.sv, "meetings", None)
        except Exception as exc:  # a recorder that cannot start counts as missing, with its reason
            raise NotAvailable(f"meeting recording is not available: {exc}") from None
        if mc is None or not isinstance(mc, MeetingControl):
            raise NotAvailable(NOT_INSTALLED)
        return mc

    def status(self) -> tuple[bool, str]:
        try:
            self._control()
        except NotAvailable as exc:
            return False, str(exc)
        return True, "records and transcribes offline"

    @staticmethod
    def _view(st: Any) -> MeetingView:
        state = st.state if st.state in ("idle", "recording", "paused", "processing", "done") else "idle"
        started = st.started_at
        elapsed = (datetime.now(UTC) - started).total_seconds() if started and state == "recording" else 0.0
        return MeetingView(id=st.recording_id, title=st.title or "", state=state, started_at=started,
                           elapsed_s=max(0.0, elapsed))

    async def _call(self, name: str, *args: Any) -> MeetingView:
        from agents.deps import ServiceError

        mc = self._control()
        try:
            st = await asyncio.to_thread(getattr(mc, name), *args)
        except ServiceError as exc:
            raise EngineError(str(exc)) from None
        view = self._view(st)
        self.bus.emit(MeetingUpdated(meeting=view))
        return view

    async def start(self, title: str) -> MeetingView:
        view = await self._call("start", title or None)
        self._start_ticker()
        return view

    async def pause(self) -> MeetingView:
        return await self._call("pause")

    async def resume(self) -> MeetingView:
        return await self._call("resume")

    async def stop(self) -> MeetingView:
        self._stop_tick.set()
        return await self._call("stop")

    def _start_ticker(self) -> None:
        self._stop_tick.clear()

        def tick() -> None:
            while not self._stop_tick.wait(0.5):
                try:
                    view = self._view(self._control().status())
                except Exception as exc:
                    log.info("meeting status: %s", exc)
                    return
                self.bus.emit(MeetingUpdated(meeting=view))
                if view.state not in ("recording", "paused"):
                    return

        self._ticker = threading.Thread(target=tick, name="meeting-ticker", daemon=True)
        self._ticker.start()

    async def past(self, query: str) -> list[MeetingSummary]:
        self._control()
        raise NotAvailable("the meeting recorder does not list past meetings yet")

    async def search(self, query: str) -> list[MeetingHit]:
        if not query.strip():
            raise EngineError("Type some words to search for.")
        mc = self._control()
        hits = await asyncio.to_thread(mc.search_transcripts, query, 20)
        return [MeetingHit(meeting_id=h.recording_id, title=h.title, at=h.at, start_s=h.offset_s or 0.0, text=h.text)
                for h in hits]

    async def audio(self, meeting_id: str, start_s: float, duration_s: float) -> AudioClip:
        self._control()
        raise NotAvailable("the meeting recorder does not offer playback yet")

    async def export(self, meeting_id: str, fmt: Literal["md", "txt", "json"]) -> ExportedFile:
        self._control()
        raise NotAvailable("the meeting recorder does not offer export yet")

    async def close(self) -> None:
        self._stop_tick.set()
