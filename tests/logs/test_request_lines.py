"""The request log's direct formatting path writes what the structlog chain would have written."""

from __future__ import annotations

import json
import logging
import re

from paperclip.logging import LOG_BACKUPS, configure_logging

HTTP = {"method": "GET", "path": "/api/issues/1?token=***REDACTED***", "status": 200, "duration_ms": 1.25}


def _emit(safe: bool) -> None:
    logging.getLogger("paperclip.http").info(
        "%s %s %s %sms", "GET", HTTP["path"], 200, 1.25, extra={"http": dict(HTTP), "http_safe": safe}
    )


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
    assert fast.endswith(
        "[paperclip.http] http={'method': 'GET', 'path': '/api/issues/1?token=***REDACTED***', "
        "'status': 200, 'duration_ms': 1.25}"
    )


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


def test_server_log_is_private_whatever_the_umask(tmp_path, monkeypatch):
    """server.log and its rotations 0600 in a 0700 directory (they were 0644 in 0755 under umask 022)."""
    import os
    import stat

    monkeypatch.setattr("paperclip.logging.MAX_LOG_BYTES", 2000)
    old_umask = os.umask(0o022)
    try:
        fresh = tmp_path / "instance" / "logs"
        configure_logging(log_dir=fresh, fmt="text", console_level="error")
        for _ in range(30):
            _emit(True)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
        assert {stat.S_IMODE(p.stat().st_mode) for p in fresh.iterdir()} == {0o600} and len(
            list(fresh.iterdir())
        ) > 1

        existing = tmp_path / "existing"
        existing.mkdir(mode=0o755)
        (existing / "server.log").write_text("old line\n")
        os.chmod(existing / "server.log", 0o644)
        configure_logging(log_dir=existing, fmt="text", console_level="error", private_dir=True)
        _emit(True)
        assert stat.S_IMODE(existing.stat().st_mode) == 0o700
        assert stat.S_IMODE((existing / "server.log").stat().st_mode) == 0o600

        shared = tmp_path / "var-log"  # an operator's PAPERCLIP_LOG_DIR: the directory's mode is theirs
        shared.mkdir(mode=0o755)
        configure_logging(log_dir=shared, fmt="text", console_level="error")
        _emit(True)
        assert stat.S_IMODE(shared.stat().st_mode) == 0o755
        assert stat.S_IMODE((shared / "server.log").stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)
        configure_logging(log_dir=None, console_level="error")
