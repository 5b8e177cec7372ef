"""Check 9, Server port: nothing else listens on the configured host and port."""

from __future__ import annotations

from paperclip.cli.checks.base import CheckResult
from paperclip.config import Settings
from paperclip.server.ports import bind_socket

NAME = "Server port"


def check(settings: Settings) -> CheckResult:
    port, host = settings.port, settings.host
    try:
        bind_socket(host, port).close()
    except OSError as exc:
        consequence = (
            "the server will use the next free port"
            if settings.is_local_trusted
            else "authenticated mode refuses to start on a busy port"
        )
        return CheckResult(
            NAME,
            "warn",
            f"Port {port} on {host} is not available ({exc.strerror}); {consequence}",
            f"Check what's using port {port} with: lsof -i :{port} (or set PORT / server.port)",
        )
    return CheckResult(NAME, "pass", f"Port {port} on {host} is available")
