"""`claude_local`: Claude Code in print mode with JSON output; sessions resume with --resume (core §6.5).

`claude --print --output-format json [--resume <id>] [--model m] [--max-turns n] [extraArgs…]` with
the prompt on stdin; the last JSON object printed carries `session_id`, `usage`, `total_cost_usd`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Mapping
from typing import Any

from paperclip.adapters.base import (
    AdapterContext,
    AdapterResult,
    EnvironmentCheck,
    Usage,
    config_float,
    config_int,
    environment_report,
    run_timeout_sec,
)
from paperclip.adapters.prompt import build_prompt, extra_args, read_instructions
from paperclip.adapters.spawn import run_process


def parse_claude_output(stdout: str) -> dict[str, Any] | None:
    """The result object: the whole output as JSON, else the last line that parses to a `result`."""
    text = stdout.strip()
    if not text:
        return None
    try:
        value = json.loads(text)
        if isinstance(value, dict):
            return value
        if isinstance(value, list):  # --output-format json may print the event list
            results = [v for v in value if isinstance(v, dict) and v.get("type") == "result"]
            return results[-1] if results else None
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and (value.get("type") == "result" or "session_id" in value):
            return value
    return None


class ClaudeLocalAdapter:
    type = "claude_local"
    supports_sessions = True

    async def execute(self, ctx: AdapterContext) -> AdapterResult:
        cfg = ctx.config
        command = str(cfg.get("command") or "claude")
        args = ["--print", "--output-format", "json"]
        resume = ctx.runtime.session_id or (ctx.runtime.session_params or {}).get("sessionId")
        if resume:
            args += ["--resume", str(resume)]
        if cfg.get("model"):
            args += ["--model", str(cfg["model"])]
        max_turns = config_int(cfg, "maxTurnsPerRun", 0)
        if max_turns > 0:
            args += ["--max-turns", str(max_turns)]
        if cfg.get("dangerouslySkipPermissions"):
            args.append("--dangerously-skip-permissions")
        instructions = await read_instructions(ctx)
        if instructions is not None:  # the agent's AGENTS.md: appended to Claude's system prompt
            args += ["--append-system-prompt-file", instructions[0]]
        args += extra_args(cfg)
        timeout = run_timeout_sec(cfg, ctx.limits)
        run = await run_process(
            command,
            args,
            env=ctx.env,
            cwd=cfg.get("cwd") or None,
            stdin_data=build_prompt(ctx).encode(),
            timeout_sec=timeout,
            grace_sec=config_float(cfg, "graceSec", 20),
            cancel=ctx.cancel,
            on_output=ctx.on_log,
            on_spawn=ctx.on_spawn,
            tail_limit=4 * 1024 * 1024,
        )
        out = AdapterResult(
            exit_code=run.exit_code,
            signal=run.signal,
            timed_out=run.timed_out,
            cancelled=run.cancelled,
            pid=run.pid,
            provider="anthropic",
            biller="anthropic",
            billing_type="metered_api",
            model=str(cfg.get("model") or "") or None,
        )
        if run.spawn_error:
            out.error_message, out.error_code = run.spawn_error, "adapter_not_installed"
            return out
        parsed = await asyncio.to_thread(parse_claude_output, run.stdout_tail)  # up to 4 MiB: off the loop
        if parsed is not None:
            usage = parsed.get("usage") or {}
            out.usage = Usage(
                input_tokens=int(usage.get("input_tokens") or 0)
                + int(usage.get("cache_creation_input_tokens") or 0),
                output_tokens=int(usage.get("output_tokens") or 0),
                cached_input_tokens=int(usage.get("cache_read_input_tokens") or 0),
            )
            if parsed.get("total_cost_usd") is not None:
                out.cost_usd = float(parsed["total_cost_usd"])
            model_usage = parsed.get("modelUsage")
            if not out.model and isinstance(model_usage, dict) and model_usage:
                out.model = next(iter(model_usage))
            session_id = parsed.get("session_id")
            if session_id:
                out.session_id = str(session_id)
                out.session_params = {"sessionId": str(session_id), "cwd": cfg.get("cwd")}
                out.session_display_id = str(session_id)
            out.summary = parsed.get("result") if isinstance(parsed.get("result"), str) else None
            out.result_json = parsed
            if parsed.get("is_error"):
                out.error_message = str(
                    parsed.get("result") or parsed.get("subtype") or "Claude reported an error"
                )
                out.error_code = "adapter_error"
        if run.timed_out:
            out.error_message, out.error_code = f"Timed out after {timeout:g}s", "timeout"
        elif run.cancelled:
            out.error_message, out.error_code = "Cancelled", "cancelled"
        elif run.exit_code not in (0, None) and not out.error_message:
            out.error_message, out.error_code = f"Claude exited with code {run.exit_code}", "nonzero_exit"
            if resume and "session" in run.stderr_tail.lower():
                out.clear_session = True  # a stale session id: start fresh next time
        elif parsed is None and not out.error_message and run.exit_code == 0:
            out.error_message, out.error_code = "Claude printed no JSON result", "invalid_output"
        return out

    async def test_environment(self, config: Mapping[str, Any]) -> dict[str, Any]:
        command = str(config.get("command") or "claude")
        found = shutil.which(command)
        check = (
            EnvironmentCheck("cli_found", "info", f"Claude CLI found: {found}")
            if found
            else EnvironmentCheck(
                "cli_missing",
                "error",
                f"Claude CLI not found: {command}",
                hint="npm install -g @anthropic-ai/claude-code",
            )
        )
        return environment_report(self.type, [check])
