"""Fan-out of engine events to listeners, from any thread. A failing listener is logged and dropped
from that delivery only; it never breaks the engine or the other listeners."""

from __future__ import annotations

import logging
import threading

from app.engine import EngineEvent, Listener, Unsubscribe

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Unsubscribe:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: EngineEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("engine event listener failed on %s", event.kind)
