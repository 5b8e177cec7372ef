"""Logging: console at INFO (JSON lines in production, text locally), a size-rotated DEBUG file.

Every record passes through a redaction processor, so a token that reaches a log call anyway is masked.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from paperclip.redaction import redact, redact_text

MAX_LOG_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5
# The id of the HTTP request being served (set by the request middleware): every log line written
# while serving it carries it as `request_id`.
REQUEST_ID: ContextVar[str | None] = ContextVar("paperclip_request_id", default=None)


def _add_request_id(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def _redact_event(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in list(event.items()):
        if key == "event" and isinstance(value, str):
            event[key] = redact_text(value)
        elif key not in ("timestamp", "level", "logger"):
            event[key] = redact(value, key)
    return event


SHARED = [
    structlog.contextvars.merge_contextvars,
    _add_request_id,
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


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter, with a direct path for the request log: it writes one line per request,
    and the processor chain cost more than the rest of a simple request. Only records the request
    middleware marks `http_safe` take it (path and query already redacted, no body, no traceback);
    the output is the same as the chain's."""

    def __init__(self, fmt: str, colors: bool, **kwargs: Any):
        super().__init__(**kwargs)
        self._json = fmt == "json"
        self._fast = self._json or not colors

    def format(self, record: logging.LogRecord) -> str:
        http = record.__dict__.get("http")
        if not (self._fast and http is not None and record.__dict__.get("http_safe") and not record.exc_info):
            return super().format(record)
        timestamp = datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z")
        level = record.levelname.lower()
        request_id = REQUEST_ID.get()
        if self._json:
            line = {
                "http": http,
                "event": record.getMessage(),
                "level": level,
                "logger": record.name,
                "timestamp": timestamp,
            }
            if request_id is not None:
                line["request_id"] = request_id
            return json.dumps(line)
        suffix = f" request_id={request_id!r}" if request_id is not None else ""
        return f"{timestamp} [{level:<9}] {record.getMessage()} [{record.name}] http={http!r}{suffix}"


class _RotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotation by a byte count kept in memory: the stdlib's check formats every record a second
    time and seeks the file on every line."""

    _size: int | None = None

    def _open(self):
        """0600 whatever the umask: request lines name paths and ids a shared machine should not read."""
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115 - the handler owns it

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - stdlib name
        return False  # decided in emit, where the line is formatted once

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
            if self.stream is None:
                self.stream = self._open()
            if self._size is None:
                self._size = os.fstat(self.stream.fileno()).st_size
            size = len(line.encode("utf-8", "replace")) if not line.isascii() else len(line)
            if self.maxBytes > 0 and self._size > 0 and self._size + size > self.maxBytes:
                self.doRollover()
                self._size = 0
                if self.stream is None:
                    self.stream = self._open()
            self.stream.write(line)
            self.stream.flush()
            self._size += size
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


def configure_logging(
    *, log_dir: Path | None, fmt: str = "text", console_level: str = "info", private_dir: bool = False
) -> Path | None:
    """Idempotent; returns the log file path (None when the directory cannot be written).

    The directory is made 0700 when created here, or when `private_dir` says it is the instance's own
    (an operator's PAPERCLIP_LOG_DIR may be shared, e.g. /var/log: its mode is theirs)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG)

    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level.upper())
    colors = sys.stderr.isatty()
    console.setFormatter(
        _Formatter(
            fmt,
            colors,
            foreign_pre_chain=SHARED,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_renderers(fmt, colors)],
        )
    )
    root.addHandler(console)

    log_file = None
    if log_dir is not None:
        try:
            existed = log_dir.exists()
            log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            if private_dir or not existed:
                os.chmod(log_dir, 0o700)
            log_file = log_dir / "server.log"
            file_handler = _RotatingFileHandler(
                log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
            )
            file_handler.setLevel(logging.DEBUG)
            file_handler.setFormatter(
                _Formatter(
                    fmt,
                    False,
                    foreign_pre_chain=SHARED,
                    processors=[
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        *_renderers(fmt, False),
                    ],
                )
            )
            root.addHandler(file_handler)
        except OSError as exc:
            logging.getLogger("paperclip").warning(
                "Log directory %s is not writable (%s); logging to console only", log_dir, exc
            )
            log_file = None

    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    for name in (
        "uvicorn",
        "uvicorn.error",
        "sqlalchemy",
        "alembic",
        "asyncio",
        "botocore",
        "urllib3",
        "httpx",
        "httpcore",
    ):
        logging.getLogger(name).setLevel(logging.INFO if name.startswith("uvicorn") else logging.WARNING)

    structlog.configure(
        processors=[
            *SHARED[:-1],
            structlog.stdlib.PositionalArgumentsFormatter(),
            _redact_event,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return log_file


def get_logger(name: str = "paperclip") -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
