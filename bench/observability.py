"""What traces and structured logs cost: a local turn's time with traces off and on, and one log line.

    .venv/bin/python bench/observability.py [--turns 200] [--lines 20000]

Prints ONE JSON object. Turns: the offline Assistant ("what time is it", a local intent) on a SQLite
database in a temp folder, ``--turns`` times with traces off (the OpenTelemetry API without a provider:
what every install runs), then with traces on (app/tracing.py with the in-memory exporter: the turn
span, its stage spans, the instrumented database statements, every attribute scrubbed, exported at
once) on a fresh database (engines are instrumented when made). Log lines: ``--lines`` records through
app/logs.py's JSON file handler (context filter, scrubber, rotation check) with a secret in each.

Targets: traces add at most 2 ms to a local turn's p50; a log line costs at most 100 µs. The machine's
load average is reported: these cores are shared."""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stt_common import pct

TARGET_TRACE_OVERHEAD_P50_MS = 2.0
TARGET_LOG_LINE_US = 100.0


def run_turns(folder: Path, name: str, n: int) -> list[float]:
    from agents.approvals import ApprovalStore
    from agents.assistant import Assistant
    from agents.domains import migration_folders
    from agents.memory import Memory
    from agents.turn import final_reply
    from storage.audit import AuditLog
    from storage.db.engine import Database

    db = Database(f"sqlite:///{folder / name}", migration_folders())
    db.migrate()
    assistant = Assistant(memory=Memory(db), approvals=ApprovalStore(db, AuditLog(db)))
    final_reply(assistant.run("what time is it"))  # warm: the recognizer's tables, the first statements
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        reply = final_reply(assistant.run("what time is it"))
        times.append((time.perf_counter() - t0) * 1000)
        assert reply.intent == "GetTime", reply
    db.dispose()
    return times


def log_lines(folder: Path, n: int) -> float:
    from app.logs import remove_handlers, setup_logging
    from app.settings import Settings

    setup_logging(Settings(), folder, stderr=False)  # type: ignore[call-arg]
    log = logging.getLogger("bench.logs")
    t0 = time.perf_counter()
    for i in range(n):
        log.info("request %d from %s: password=%s", i, "127.0.0.1", "hunter22")
    per_line_us = (time.perf_counter() - t0) / n * 1e6
    remove_handlers()
    return per_line_us


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--lines", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["PA_HOME"] = str(folder / "home")
        off = run_turns(folder, "off.sqlite3", args.turns)

        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        from app.settings import TraceSettings
        from app.tracing import setup_tracing, shutdown_tracing

        exporter = InMemorySpanExporter()
        setup_tracing(TraceSettings(), exporter=exporter)
        on = run_turns(folder, "on.sqlite3", args.turns)
        spans = len(exporter.get_finished_spans())
        shutdown_tracing()
        per_line = log_lines(folder / "data", args.lines)
    result: dict[str, Any] = {
        "bench": "observability",
        "turns": args.turns,
        "turn_ms_traces_off": {"p50": pct(off, 50), "p95": pct(off, 95)},
        "turn_ms_traces_on": {"p50": pct(on, 50), "p95": pct(on, 95)},
        "trace_overhead_p50_ms": round(statistics.median(on) - statistics.median(off), 3),
        "spans_per_turn": round(spans / (args.turns + 1), 1),
        "log_line_us": round(per_line, 2),
        "target_trace_overhead_p50_ms": TARGET_TRACE_OVERHEAD_P50_MS,
        "target_log_line_us": TARGET_LOG_LINE_US,
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    result["ok"] = (result["trace_overhead_p50_ms"] <= TARGET_TRACE_OVERHEAD_P50_MS
                    and per_line <= TARGET_LOG_LINE_US)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
