"""The numbers an operator watches, in Prometheus' text format (``prometheus-client``).

One registry per process (``REGISTRY``): the process collector (memory, CPU, open files), the turn,
approval, service-call, bank-sync, meeting and sign-in counters, and a collector that reads storage
sizes, free disk and the offline spool's backlog when Prometheus scrapes. The home server serves it on
its own local port (``serve_metrics``; docs/DEPLOYMENT.md "Metrics"). Every name starts with ``pa_``;
``deploy/alerts.yml`` and ``deploy/grafana-dashboard.json`` use only names defined here
(``metric_names``, checked by tests/ops).

Counting happens where there is one place for it: a turn's final reply (its source, error, timings per
stage, tool calls and actions), the audit log (approvals requested/approved/denied/expired, failed
sign-ins: every sensitive operation passes it), the bank-sync scheduler, the meeting service and the
sign-in rate limiter."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from agents.assistant import Assistant
from agents.replies import AgentReply
from agents.turn import ReplyDone, TurnError, TurnEvent
from storage import audit

if TYPE_CHECKING:
    from app.services import Services

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, process_cpu_seconds_total ...
PlatformCollector(registry=REGISTRY)

STAGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 20.0, 45.0)

TURNS = Counter("pa_turns", "Turns answered, by source (local, llm, fallback, approval, unavailable) and outcome "
                "(ok, error: the reply carries an error; failed: no reply could be made)",
                ["source", "outcome"], registry=REGISTRY)
STAGE_SECONDS = Histogram("pa_turn_stage_seconds", "Seconds per stage of a turn, from the reply's timings (stt, "
                          "intent, approval, llm, fallback, total) and the server's speech output (tts)",
                          ["stage"], buckets=STAGE_BUCKETS, registry=REGISTRY)
APPROVALS = Counter("pa_approvals", "Approvals by outcome: requested, approved, denied, expired",
                    ["outcome"], registry=REGISTRY)
SERVICE_CALLS = Counter("pa_service_calls", "Calls to an outside service a turn made (tool calls and actions), "
                        "by service: mail, calendar, bank, social, other", ["service"], registry=REGISTRY)
SERVICE_ERRORS = Counter("pa_service_errors", "Failed calls to an outside service, by service and kind (the "
                         "action or tool that failed; bank_sync for a scheduled bank sync)",
                         ["service", "kind"], registry=REGISTRY)
BANK_SYNCS = Counter("pa_bank_syncs", "Bank syncs per account run, by outcome (ok, failed)", ["outcome"],
                     registry=REGISTRY)
MEETING_SECONDS = Counter("pa_meeting_recorded_seconds", "Seconds of meeting audio recorded or imported",
                          registry=REGISTRY)
MEETING_LAG = Histogram("pa_meeting_live_lag_seconds", "Live transcript lag: from the end of the speech to its "
                        "text", buckets=(0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 60.0), registry=REGISTRY)
LOGIN_FAILURES = Counter("pa_login_failures", "Failed sign-ins (wrong name or password)", registry=REGISTRY)
RATE_LIMITED = Counter("pa_rate_limited", "Requests refused as too many attempts (HTTP 429), by what was limited "
                       "(sign_in, pairing)", ["what"], registry=REGISTRY)

_SERVICES = (("mail", ("mail",)), ("calendar", ("calendar", "event")),
             ("bank", ("bank", "finance", "transfer", "invoice", "fints")),
             ("social", ("social", "mastodon", "bluesky", "post", "toot")))


def service_of(name: str) -> str | None:
    """The outside service a tool or action name belongs to (``calendar.events`` -> calendar,
    ``send_mail`` -> mail); None for the assistant's own tools (notes, timers, ...)."""
    low = name.lower()
    head = low.split(".", 1)[0]
    for service, words in _SERVICES:
        if head in words or any(w in low for w in words):
            return service
    return None


def observe_reply(reply: AgentReply) -> None:
    """Count one finished turn: its source and outcome, its stages, the services it called."""
    TURNS.labels(reply.source, "error" if reply.error else "ok").inc()
    for stage, seconds in reply.timings.items():
        if seconds >= 0:
            STAGE_SECONDS.labels(stage).observe(seconds)
    tools = [c.name for c in reply.tool_calls]
    called = tools + [a.name for a in reply.actions if a.status != "pending" and a.name not in tools]
    for name in called:
        service = service_of(name)
        if service is not None:
            SERVICE_CALLS.labels(service).inc()
    for action in reply.actions:
        service = service_of(action.name)
        if action.status == "failed" and service is not None:
            SERVICE_ERRORS.labels(service, action.name[:40]).inc()


def observe_failed_turn() -> None:
    TURNS.labels("none", "failed").inc()


def _on_audit(action: str, outcome: str) -> None:
    if action.startswith("approval.") and outcome in ("requested", "approved", "denied", "expired"):
        APPROVALS.labels(outcome).inc()
    elif action == "server.sign_in" and outcome == "failed":
        LOGIN_FAILURES.inc()


audit.listeners.append(_on_audit)


def observe_bank_sync(ok: bool) -> None:
    BANK_SYNCS.labels("ok" if ok else "failed").inc()
    if not ok:
        SERVICE_ERRORS.labels("bank", "bank_sync").inc()


class StorageCollector(Collector):
    """Read at scrape time: the database's and the recordings' bytes, free and total disk of the data
    folder, and what waits in the offline spool per backend. The folder walk is cached for ``ttl_s``."""

    def __init__(self, services: Services, ttl_s: float = 60.0) -> None:
        self.services = services
        self.ttl_s = ttl_s
        self._sizes: tuple[float, dict[str, int]] = (-1e9, {})
        self._lock = threading.Lock()

    def _walk_sizes(self) -> dict[str, int]:
        with self._lock:
            at, sizes = self._sizes
            if time.monotonic() - at < self.ttl_s:
                return sizes
            paths = self.services.paths
            st = self.services.settings.storage
            sizes = {"database": _tree_bytes(paths.database_file) + _tree_bytes(paths.data_dir / "server" / "users")}
            if st.backend == "local":
                sizes["recordings"] = _tree_bytes(st.local_root or paths.recordings_dir)
            self._sizes = (time.monotonic(), sizes)
            return sizes

    def collect(self) -> Iterable[Metric]:
        stored = GaugeMetricFamily("pa_storage_bytes", "Bytes stored, by part (database; recordings on a local "
                                   "backend)", labels=["part"])
        for part, n in self._walk_sizes().items():
            stored.add_metric([part], n)
        yield stored
        data_dir = self.services.paths.data_dir
        free = GaugeMetricFamily("pa_disk_free_bytes", "Free bytes on the disk of the data folder")
        size = GaugeMetricFamily("pa_disk_size_bytes", "Size of the disk of the data folder")
        try:
            du = shutil.disk_usage(data_dir)
            free.add_metric([], du.free)
            size.add_metric([], du.total)
        except OSError:
            pass
        yield free
        yield size
        pending = GaugeMetricFamily("pa_spool_pending", "Objects waiting in the offline spool for their backend",
                                    labels=["backend"])
        pending_bytes = GaugeMetricFamily("pa_spool_pending_bytes", "Bytes waiting in the offline spool",
                                          labels=["backend"])
        for kind, objects, n in _spool_backlog(self.services):
            pending.add_metric([kind], objects)
            pending_bytes.add_metric([kind], n)
        yield pending
        yield pending_bytes


def _tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.stat(os.path.join(root, f)).st_size
            except OSError:
                continue
    return total


def _spool_backlog(sv: Services) -> Iterator[tuple[str, int, int]]:
    from app.wiring.storage import spool_for
    from storage.backends import KINDS

    base = sv.settings.storage.spool_dir or sv.paths.data_dir / "spool"
    for kind in KINDS:
        if kind == "local":
            continue
        if not (base / kind).exists():
            yield kind, 0, 0
            continue
        try:
            summary = spool_for(sv, kind).summary()
        except Exception as exc:  # a scrape must not fail because one spool cannot be read
            log.warning("spool %s not readable for metrics: %s", kind, type(exc).__name__)
            continue
        yield kind, summary.pending, summary.bytes


def metric_names() -> set[str]:
    """Every metric name this process exports, as a query writes it (counters with ``_total``,
    histograms with ``_bucket``/``_sum``/``_count``), whether or not it has been counted yet."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    names: set[str] = set()
    for metric in REGISTRY.collect():
        names.update(metric.name + s for s in suffixes.get(metric.type, ("",)))
        names.update(s.name for s in metric.samples)
    names.update({"pa_storage_bytes", "pa_disk_free_bytes", "pa_disk_size_bytes", "pa_spool_pending",
                  "pa_spool_pending_bytes"})
    return names


_storage_collector: StorageCollector | None = None


def serve_metrics(services: Services, host: str, port: int) -> Callable[[], None]:
    """Serve ``/metrics`` on ``host:port`` from a background thread (no sign-in: bind it to a local
    address only); returns the function that stops it."""
    global _storage_collector
    if _storage_collector is None:
        _storage_collector = StorageCollector(services)
        REGISTRY.register(_storage_collector)
    server, thread = start_http_server(port, addr=host, registry=REGISTRY)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop


class ObservedAssistant(Assistant):
    """The assistant whose turns are counted: every event passes through, the final one is observed."""

    def run(self, text: str, turn_id: str | None = None, stream: bool = True) -> Iterator[TurnEvent]:
        done = False
        try:
            for ev in super().run(text, turn_id, stream):
                if isinstance(ev, ReplyDone):
                    done = True
                    observe_reply(ev.reply)
                elif isinstance(ev, TurnError):
                    done = True
                    observe_failed_turn()
                yield ev
        except Exception:
            if not done:
                observe_failed_turn()
            raise


def observed(assistant: Assistant) -> ObservedAssistant:
    """The same assistant (same parts, same settings), counted."""
    fields = {f.name: getattr(assistant, f.name) for f in dataclasses.fields(assistant) if f.init}
    return ObservedAssistant(**fields)
