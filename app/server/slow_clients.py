"""Slow clients are closed by the server itself, not only by a reverse proxy in front of it.

uvicorn closes an idle keep-alive connection, but a client that trickles its request head (slowloris)
or stops sending a body half way holds a connection and a worker slot for as long as it likes. This is
uvicorn's own HTTP/1.1 protocol with two deadlines, the way nginx has ``client_header_timeout`` and
``client_body_timeout``:

- the request line and headers must be complete within ``head_timeout_s`` of their first byte (or of
  the connection's opening): else ``408 Request Timeout`` and the connection is closed;
- while a body is being received, each piece must follow the last within ``body_idle_s``: else the
  connection is closed (the app sees the client disconnect; an upload in progress is dropped whole, as
  for any broken connection);
- a body of declared length must be complete within ``body_idle_s`` plus its length at ``MIN_BODY_RATE``
  (10 bytes a second): a client that sends a byte now and then, never idle long enough for the first
  deadline, no longer holds a connection for hours (a 4 KB sign-in body at one byte a second).

A subclass rather than middleware: the head is parsed before any ASGI code runs, so only the protocol
can see it trickle."""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
MIN_BODY_RATE = 10.0  # bytes a second, on average over a whole body (after body_idle_s of grace)


def _declared_length(scope: Any) -> int | None:
    for name, value in (scope or {}).get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class DeadlineH11Protocol(H11Protocol):
    head_timeout_s: float = 10.0
    body_idle_s: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_total: asyncio.TimerHandle | None = None

    @classmethod
    def configured(cls, head_timeout_s: float, body_idle_s: float) -> type[DeadlineH11Protocol]:
        """This protocol with the given deadlines (uvicorn takes a class)."""
        return type("DeadlineH11Protocol", (cls,), {"head_timeout_s": head_timeout_s, "body_idle_s": body_idle_s})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def data_received(self, data: bytes) -> None:
        before = self.cycle
        super().data_received(data)
        waiting = self.cycle is None or self.cycle.response_complete
        if self.cycle is not before or not waiting:  # a request head is in: its body may follow
            self._stop(head=True)
        if self.cycle is not before and self.cycle is not None and self.conn.their_state is h11.SEND_BODY:
            length = _declared_length(self.cycle.scope)
            if length is not None:
                self._stop(total=True)
                self._body_total = self.loop.call_later(self.body_idle_s + length / MIN_BODY_RATE,
                                                        self._body_too_long)
        elif self._head_timer is None and not self.transport.is_closing():  # the next request has begun
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_too_slow)
        self._stop(body=True)
        if not waiting and self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            self._body_timer = self.loop.call_later(self.body_idle_s, self._body_too_slow)

    def on_response_complete(self) -> None:
        self._stop(body=True, total=True)
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop(head=True, body=True, total=True)
        super().connection_lost(exc)

    def _stop(self, head: bool = False, body: bool = False, total: bool = False) -> None:
        if total and self._body_total is not None:
            self._body_total.cancel()
            self._body_total = None
        if head and self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if body and self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not (self.cycle is None or self.cycle.response_complete):
            return
        self.transport.write(TIMEOUT_408)
        self.transport.close()

    def _body_too_slow(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the app has not taken what came: the client is not the slow one
            self._body_timer = self.loop.call_later(self.body_idle_s, self._body_too_slow)
            return
        self.transport.close()  # the app's receive() gets http.disconnect

    def _body_too_long(self) -> None:
        self._body_total = None
        if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
            return
        if self.flow.read_paused:  # the app has not taken what came: the client is not the slow one
            self._body_total = self.loop.call_later(self.body_idle_s, self._body_too_long)
            return
        self.transport.close()  # the app's receive() gets http.disconnect
