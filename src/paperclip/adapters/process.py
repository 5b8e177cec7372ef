"""`process` adapter: run a command (no shell) with the runtime env; exit code decides (core §6.3)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

from paperclip.adapters.base import (
    AdapterContext,
    AdapterResult,
    EnvironmentCheck,
    config_float,
    environment_report,
    run_timeout_sec,
)
from paperclip.adapters.spawn import run_process

DEFAULT_GRACE_SEC = 15


def _args(config: Mapping[str, Any]) -> list[str]:
    args = config.get("args") or []
    if isinstance(args, str):
        return [args]
    return [str(a) for a in args]


class ProcessAdapter:
    type = "process"
    supports_sessions = False

    async def execute(self, ctx: AdapterContext) -> AdapterResult:
        command = str(ctx.config.get("command") or "").strip()
        if not command:
            return AdapterResult(error_message="Process adapter missing command", error_code="invalid_config")
        timeout = run_timeout_sec(ctx.config, ctx.limits)
        grace = config_float(ctx.config, "graceSec", DEFAULT_GRACE_SEC)
        result = await run_process(
            command,
            _args(ctx.config),
            env=ctx.env,
            cwd=ctx.config.get("cwd") or None,
            timeout_sec=timeout,
            grace_sec=grace,
            cancel=ctx.cancel,
            on_output=ctx.on_log,
            on_spawn=ctx.on_spawn,
        )
        out = AdapterResult(
            exit_code=result.exit_code,
            signal=result.signal,
            timed_out=result.timed_out,
            cancelled=result.cancelled,
            pid=result.pid,
            result_json={"stdout": result.stdout_tail, "stderr": result.stderr_tail},
        )
        if result.spawn_error:
            out.error_message, out.error_code = result.spawn_error, "spawn_failed"
        elif result.timed_out:
            out.error_message, out.error_code = f"Timed out after {timeout:g}s", "timeout"
        elif result.cancelled:
            out.error_message, out.error_code = "Cancelled", "cancelled"
        elif result.exit_code not in (0, None):
            out.error_message, out.error_code = f"Process exited with code {result.exit_code}", "nonzero_exit"
        elif result.signal:
            out.error_message, out.error_code = f"Process terminated by {result.signal}", "nonzero_exit"
        return out

    async def test_environment(self, config: Mapping[str, Any]) -> dict[str, Any]:
        checks = []
        command = str(config.get("command") or "").strip()
        if not command:
            checks.append(EnvironmentCheck("command_missing", "error", "Process adapter missing command"))
        elif shutil.which(command) is None:
            checks.append(EnvironmentCheck("command_not_found", "error", f"Command not found: {command}"))
        else:
            checks.append(
                EnvironmentCheck("command_found", "info", f"Command found: {shutil.which(command)}")
            )
        cwd = config.get("cwd")
        if cwd and not os.path.isdir(str(cwd)):
            checks.append(
                EnvironmentCheck("cwd_missing", "error", f"Working directory does not exist: {cwd}")
            )
        return environment_report(self.type, checks)
