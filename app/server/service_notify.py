"""systemd's service notifications for `personal-agent serve` run as a ``Type=notify`` unit
(deploy/personal-agent.service): ``READY=1`` once the API socket listens, ``WATCHDOG=1`` every half
``WatchdogSec`` from the server's event loop (a loop that hangs stops the pings and systemd restarts the
service), ``STOPPING=1`` when it shuts down. Sent with ``sdnotify`` (the protocol is one datagram to the
socket systemd names in ``NOTIFY_SOCKET``); without that variable (not started by systemd) nothing is sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Mapping

import uvicorn
from sdnotify import SystemdNotifier

log = logging.getLogger(__name__)


def watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """Seconds between watchdog pings: half of systemd's ``WATCHDOG_USEC``; None when there is no watchdog
    for this process (unset, 0, not a number, or ``WATCHDOG_PID`` names another process)."""
    pid = environ.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None
    try:
        usec = int(environ.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    return usec / 2_000_000 if usec > 0 else None


class ServiceNotifier:
    """Sends the notifications when systemd (or a test) gave a notify socket; else does nothing."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        self.interval = watchdog_interval(env) if self.enabled else None
        self._notifier = SystemdNotifier() if self.enabled else None

    def send(self, state: str) -> None:
        if self._notifier is not None:
            self._notifier.notify(state)

    async def watchdog(self) -> None:
        """Ping until cancelled (runs on the server's event loop)."""
        if self.interval is None:
            return
        while True:
            self.send("WATCHDOG=1")
            await asyncio.sleep(self.interval)


class NotifyingServer(uvicorn.Server):
    """uvicorn's server that tells systemd when it listens, pings its watchdog and says when it stops."""

    def __init__(self, config: uvicorn.Config, notifier: ServiceNotifier | None = None) -> None:
        super().__init__(config)
        self.notifier = notifier or ServiceNotifier()
        self._watchdog: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.notifier.enabled:
            self.notifier.send(f"READY=1\nSTATUS=serving on {self.config.host}:{self.config.port}\n"
                               f"MAINPID={os.getpid()}")
            self._watchdog = asyncio.create_task(self.notifier.watchdog(), name="systemd-watchdog")
            log.info("told systemd the server is ready (watchdog every %s s)", self.notifier.interval)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.notifier.send("STOPPING=1")
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        await super().shutdown(sockets)
