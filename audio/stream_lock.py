"""One guard around opening, starting and closing PortAudio streams in this process. PortAudio is not
thread-safe: with JACK, a speaker stream (a cue tone, a reply) and the microphone's stream started or
closed at the same time from two threads broke them (a port connection or registration failed, the
stream was dropped from the host API's queue). A stream whose device died can block in close for good,
so the guard is waited for at most ``timeout_s``: after that the caller goes on without it."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

log = logging.getLogger(__name__)
_LOCK = threading.Lock()


@contextlib.contextmanager
def stream_guard(timeout_s: float = 2.0) -> Iterator[None]:
    acquired = _LOCK.acquire(timeout=timeout_s)
    if not acquired:
        log.warning("an audio stream is still busy (a device gone?): going on without waiting")
    try:
        yield
    finally:
        if acquired:
            _LOCK.release()
