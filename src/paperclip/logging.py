"""Logging: console at INFO (JSON lines in production, text locally), a size-rotated DEBUG file.

Every record passes through a redaction processor, so a token that reaches a log call anyway is masked.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from typing import Any

import structlog

from paperclip.redaction import redact, redact_text

MAX_LOG_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5


def _redact_event(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in list(event.items()):
        if key == "event" and isinstance(value, str):
            event[key] = redact_text(value)
        elif key not in ("timestamp", "level", "logger"):
            event[key] = redact(value, key)
    return event


SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    # The request log passes method/path/status/duration (and, for failures, the redacted body) as
    # `extra={"http": ...}`; other extras stay out so nothing unreviewed reaches a log by accident.
    structlog.stdlib.ExtraAdder(allow=["http"]),
    _redact_event,
]


def _renderers(fmt: str, colors: bool) -> list:
    """The final processors of a handler. Tracebacks are plain text without local variables: rich's
    default (every frame's locals) can print secrets that no redaction sees, and rendering it for a
    deep SQLAlchemy stack blocks the event loop for seconds while the server should be answering."""
    if fmt == "json":
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    return [structlog.dev.ConsoleRenderer(colors=colors, exception_formatter=structlog.dev.plain_traceback)]


def configure_logging(*, log_dir: Path | None, fmt: str = "text", console_level: str = "info") -> Path | None:
    """Idempotent; returns the log file path (None when the directory cannot be written)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG)

    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level.upper())
    console.setFormatter(structlog.stdlib.ProcessorFormatter(foreign_pre_chain=SHARED, processors=[
        structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_renderers(fmt, sys.stderr.isatty())]))
    root.addHandler(console)

    log_file = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            log_file = log_dir / "server.log"
            file_handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
            file_handler.setLevel(logging.DEBUG)
            file_handler.setFormatter(structlog.stdlib.ProcessorFormatter(foreign_pre_chain=SHARED, processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_renderers(fmt, False)]))
            root.addHandler(file_handler)
        except OSError as exc:
            logging.getLogger("paperclip").warning("Log directory %s is not writable (%s); logging to console only", log_dir, exc)
            log_file = None

    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "alembic", "asyncio", "botocore", "urllib3", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.INFO if name.startswith("uvicorn") else logging.WARNING)

    structlog.configure(
        processors=[*SHARED[:-1], structlog.stdlib.PositionalArgumentsFormatter(), _redact_event,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return log_file


def get_logger(name: str = "paperclip") -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
