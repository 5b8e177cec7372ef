"""The request log's direct formatting path writes what the structlog chain would have written."""

from __future__ import annotations

import json
import logging
import re

from paperclip.logging import LOG_BACKUPS, configure_logging

HTTP = {"method": "GET", "path": "/api/issues/1?token=***REDACTED***", "status": 200, "duration_ms": 1.25}


def _emit(safe: bool) -> None:
    logging.getLogger("paperclip.http").info("%s %s %s %sms", "GET", HTTP["path"], 200, 1.25,
                                             extra={"http": dict(HTTP), "http_safe": safe})


def _lines(tmp_path, fmt: str) -> list[str]:
    log_file = configure_logging(log_dir=tmp_path, fmt=fmt, console_level="error")
    try:
        _emit(True)
        _emit(False)
    finally:
        configure_logging(log_dir=None, console_level="error")
    return log_file.read_text().splitlines()


def _without_time(line: str) -> str:
    return re.sub(r"^\S+Z ", "", line)


def test_text_lines_match_the_processor_chain(tmp_path):
    fast, chain = _lines(tmp_path, "text")
    assert _without_time(fast) == _without_time(chain)
    assert fast.endswith("[paperclip.http] http={'method': 'GET', 'path': '/api/issues/1?token=***REDACTED***', "
                         "'status': 200, 'duration_ms': 1.25}")


def test_json_lines_match_the_processor_chain(tmp_path):
    fast, chain = (json.loads(line) for line in _lines(tmp_path, "json"))
    assert fast.pop("timestamp").endswith("Z") and chain.pop("timestamp").endswith("Z")
    assert fast == chain
    assert fast["http"] == HTTP and fast["logger"] == "paperclip.http" and fast["level"] == "info"


def test_the_log_file_rotates_by_size(tmp_path, monkeypatch):
    monkeypatch.setattr("paperclip.logging.MAX_LOG_BYTES", 2000)
    configure_logging(log_dir=tmp_path, fmt="text", console_level="error")
    try:
        for _ in range(60):
            _emit(True)
    finally:
        configure_logging(log_dir=None, console_level="error")
    rotated = sorted(p.name for p in tmp_path.iterdir())
    assert rotated[:2] == ["server.log", "server.log.1"] and len(rotated) <= LOG_BACKUPS + 1
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= 2000
        assert all(line.endswith("'duration_ms': 1.25}") for line in path.read_text().splitlines())
