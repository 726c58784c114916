"""Log lines: structured, with the request and turn they belong to, scrubbed, rotated.

- stderr: JSON lines when it is not a terminal (a service, a container: a log collector parses them),
  readable lines on one; ``[logs] format`` forces either.
- a file in the data folder, ``logs/personal-agent.log``, always JSON lines, rotated by size
  (``file_max_mb``, ``file_backups`` kept).
- levels: ``log_level`` for everything, ``[logs] levels`` per module (logger name -> level).
- every line carries the home server's request id (``X-Request-ID``, app/server/request_id.py) and the
  turn's id (agents/turn_context.py) when there is one, and the trace id when traces are on.
- every line, its arguments and a traceback included, passes the secrets scrubber (storage/audit.py
  ``scrub``: passwords, tokens, keys in ``key=value``, JSON or a query string; bearer tokens; JWTs)."""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opentelemetry import trace

from agents.turn_context import current_turn_id
from app.settings import Settings
from storage.audit import scrub

request_id: ContextVar[str | None] = ContextVar("pa_request_id", default=None)
LOG_FILE = "personal-agent.log"
_levels_set: set[str] = set()
_OURS = "_pa_handler"  # marks the handlers this module installed (set up again: replaced, not added)


def log_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


class ContextFilter(logging.Filter):
    """Puts the current request id, turn id and trace id on every record (handler filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.turn_id = current_turn_id.get()
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else None
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        msg = record.getMessage()
    except Exception:  # a bad format string must not lose the line
        msg = f"{record.msg!r} {record.args!r}"
    return scrub(msg)


def _exception(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    if record.exc_info:
        return scrub(formatter.formatException(record.exc_info))
    if record.stack_info:
        return scrub(record.stack_info)
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, turn_id, trace_id, exc."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": _message(record)}
        for key in ("request_id", "turn_id", "trace_id"):
            value = getattr(record, key, None)
            if value:
                line[key] = value
        exc = _exception(self, record)
        if exc:
            line["exc"] = exc
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``2026-12-06 17:50:01,123 INFO app.server [req 1f2e turn 9a8b]: message`` for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = [f"{k} {v}" for k, v in (("req", getattr(record, "request_id", None)),
                                       ("turn", getattr(record, "turn_id", None))) if v]
        record.ids = f" [{' '.join(ids)}]" if ids else ""
        record.message = _message(record)
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        exc = _exception(self, record)
        return f"{line}\n{exc}" if exc else line


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def remove_handlers() -> None:
    """Take the handlers of :func:`setup_logging` off the root logger again (closing the file)."""
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(h)
        h.close()


def setup_logging(settings: Settings, data_dir: Path, stderr: bool | None = None) -> Path | None:
    """Configure the root logger from the settings (again on every call: the handlers of an earlier call
    are replaced); returns the log file, or None when there is none. ``stderr``: None adds the stderr
    handler unless another one is there already (a test runner's capture, an embedding host)."""
    cfg = settings.logs
    root = logging.getLogger()
    remove_handlers()
    root.setLevel(settings.log_level)
    context = ContextFilter()
    handlers: list[logging.Handler] = []
    if stderr or (stderr is None and not root.handlers):
        console = logging.StreamHandler()
        use_json = cfg.format == "json" or (cfg.format == "auto" and not _stderr_is_terminal())
        console.setFormatter(JsonFormatter() if use_json else TextFormatter())
        handlers.append(console)
    path: Path | None = None
    if cfg.file:
        try:
            log_dir(data_dir).mkdir(parents=True, exist_ok=True)
            path = log_dir(data_dir) / LOG_FILE
            file = logging.handlers.RotatingFileHandler(path, maxBytes=cfg.file_max_mb * 1024 * 1024,
                                                        backupCount=cfg.file_backups, encoding="utf-8", delay=True)
        except OSError as exc:  # a read-only data folder: log to stderr only (what uses the folder says why)
            logging.getLogger(__name__).debug("no log file in %s: %s", data_dir, exc.strerror or exc)
            path = None
        else:
            file.setFormatter(JsonFormatter())
            handlers.append(file)
    for h in handlers:
        setattr(h, _OURS, True)
        h.addFilter(context)
        root.addHandler(h)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in _levels_set - cfg.levels.keys():  # set by an earlier call, not any more
        logging.getLogger(name).setLevel(logging.NOTSET)
    for name, level in cfg.levels.items():
        logging.getLogger(name).setLevel(level)
        _levels_set.add(name)
    return path
