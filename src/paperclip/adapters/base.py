"""The adapter protocol: `execute(ctx) -> AdapterResult` and `test_environment(config)` (core §6.2).

Adapters never touch the database: the heartbeat runner hands them a context (config, wake
context, session, env, callbacks) and persists everything from the result.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from paperclip.config.limits import RunLimits

LogSink = Callable[[str, str], Awaitable[None]]  # (stream "stdout"|"stderr"|"system", text)
SpawnSink = Callable[[int], Awaitable[None]]  # pid of the agent process (its process group id too)


@dataclass(frozen=True)
class AgentInfo:
    id: uuid.UUID
    company_id: uuid.UUID
    name: str
    adapter_type: str


@dataclass(frozen=True)
class SessionState:
    task_key: str
    session_id: str | None = None
    session_params: dict[str, Any] | None = None
    session_display_id: str | None = None


async def _discard_log(stream: str, text: str) -> None:
    return None


async def _discard_spawn(pid: int) -> None:
    return None


@dataclass
class AdapterContext:
    run_id: uuid.UUID
    agent: AgentInfo
    config: dict[str, Any]  # the adapter config (env bindings already resolved)
    context: dict[str, Any]  # the wake context snapshot
    env: dict[str, str]  # runtime env for the agent process (PAPERCLIP_* included)
    runtime: SessionState
    auth_token: str | None = None
    api_url: str | None = None
    on_log: LogSink = _discard_log
    on_spawn: SpawnSink = _discard_spawn
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    limits: RunLimits = field(default_factory=RunLimits)  # the server's defaults (timeouts, caps)


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "cachedInputTokens": self.cached_input_tokens,
        }


@dataclass
class AdapterResult:
    exit_code: int | None = None
    signal: str | None = None
    timed_out: bool = False
    cancelled: bool = False
    error_message: str | None = None
    error_code: str | None = None
    usage: Usage | None = None
    session_id: str | None = None
    session_params: dict[str, Any] | None = None
    session_display_id: str | None = None
    clear_session: bool = False
    provider: str | None = None
    biller: str | None = None
    model: str | None = None
    billing_type: str | None = None
    cost_usd: float | None = None
    result_json: dict[str, Any] | None = None
    summary: str | None = None
    external_run_id: str | None = None
    pid: int | None = None


@dataclass
class EnvironmentCheck:
    code: str
    level: str  # info | warn | error
    message: str
    hint: str | None = None

    def as_json(self) -> dict[str, Any]:
        out = {"code": self.code, "level": self.level, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


def environment_report(adapter_type: str, checks: list[EnvironmentCheck]) -> dict[str, Any]:
    levels = {c.level for c in checks}
    status = "fail" if "error" in levels else "warn" if "warn" in levels else "pass"
    return {
        "adapterType": adapter_type,
        "status": status,
        "checks": [c.as_json() for c in checks],
        "testedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


@runtime_checkable
class Adapter(Protocol):
    type: str
    supports_sessions: bool

    async def execute(self, ctx: AdapterContext) -> AdapterResult: ...

    async def test_environment(self, config: Mapping[str, Any]) -> dict[str, Any]: ...


def config_int(config: Mapping[str, Any], key: str, default: int) -> int:
    value = config.get(key)
    if isinstance(value, bool) or value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def config_float(config: Mapping[str, Any], key: str, default: float) -> float:
    value = config.get(key)
    if isinstance(value, bool) or value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def run_timeout_sec(config: Mapping[str, Any], limits: RunLimits) -> float:
    """The run's timeout: the agent's `timeoutMs` (http) or `timeoutSec` when positive, else the server's
    default (PAPERCLIP_RUN_TIMEOUT_SEC). No run is unbounded: 0 means "the default", not "forever"."""
    seconds = config_float(config, "timeoutMs", 0) / 1000
    if seconds <= 0:
        seconds = config_float(config, "timeoutSec", 0)
    return seconds if seconds > 0 else float(limits.run_timeout_sec)


def render_template(template: str, values: Mapping[str, Any]) -> str:
    """`{{agent.name}}`-style placeholders filled from nested dicts; unknown ones become empty."""
    import re

    def lookup(match: re.Match[str]) -> str:
        current: Any = values
        for part in match.group(1).strip().split("."):
            if isinstance(current, Mapping) and part in current:
                current = current[part]
            else:
                return ""
        return "" if current is None else str(current)

    return re.sub(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}", lookup, template)
