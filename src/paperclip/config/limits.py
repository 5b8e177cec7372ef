"""Limits that keep one agent from starving the others (and the server): run timeouts, how much of
an HTTP agent's answer is read, how much of a run's output is kept. Each has a server-wide default
from the environment; an agent's adapter config may set its own timeout (`timeoutSec`, `timeoutMs`)
and response cap (`maxResponseBytes`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from paperclip.config.envparse import env_int

MIB = 1024 * 1024


@dataclass(frozen=True)
class RunLimits:
    # A run whose adapter config sets no timeout (absent or 0) is stopped after this long.
    run_timeout_sec: int = 2 * 3600
    # An HTTP agent's answer: bytes read at most (the rest is not read; the connection is closed).
    http_max_response_bytes: int = 256 * 1024
    # Seconds to open the connection to an HTTP agent.
    http_connect_timeout_sec: int = 10
    # A run's log: bytes kept (the first part as it comes, the last `run_log_tail_bytes` at the end).
    run_log_max_bytes: int = 8 * MIB
    run_log_tail_bytes: int = 1 * MIB


def run_limits(env: Mapping[str, str]) -> RunLimits:
    defaults = RunLimits()
    max_bytes = (
        env_int(env, "PAPERCLIP_RUN_LOG_MAX_BYTES", 64 * 1024, 1024 * MIB) or defaults.run_log_max_bytes
    )
    return RunLimits(
        run_timeout_sec=env_int(env, "PAPERCLIP_RUN_TIMEOUT_SEC", 1, 30 * 86400) or defaults.run_timeout_sec,
        http_max_response_bytes=env_int(env, "PAPERCLIP_HTTP_ADAPTER_MAX_RESPONSE_BYTES", 1024, 1024 * MIB)
        or defaults.http_max_response_bytes,
        http_connect_timeout_sec=env_int(env, "PAPERCLIP_HTTP_ADAPTER_CONNECT_TIMEOUT_SEC", 1, 600)
        or defaults.http_connect_timeout_sec,
        run_log_max_bytes=max_bytes,
        run_log_tail_bytes=min(defaults.run_log_tail_bytes, max_bytes // 4),
    )
