"""`codex_local`: `codex exec --json` (JSONL events); sessions resume by thread id (core §6.5).

Fresh: `codex exec --json [--model m] [extraArgs…] -`; resume: `codex exec --json … resume <thread> -`;
the prompt is on stdin. Parsed: `thread.started.thread_id`, `item.completed` agent messages,
`turn.completed.usage`, `turn.failed` / `error` events.
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
    environment_report,
    run_timeout_sec,
)
from paperclip.adapters.prompt import build_prompt, extra_args, read_instructions, with_instructions
from paperclip.adapters.spawn import run_process


def parse_codex_events(stdout: str) -> dict[str, Any]:
    thread_id = None
    messages: list[str] = []
    usage = Usage()
    saw_usage = False
    error = None
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        kind = event.get("type")
        if kind == "thread.started" and event.get("thread_id"):
            thread_id = str(event["thread_id"])
        elif kind == "item.completed":
            item = event.get("item") or {}
            if item.get("type") in ("agent_message", "assistant_message") and item.get("text"):
                messages.append(str(item["text"]))
        elif kind == "turn.completed":
            u = event.get("usage") or {}
            saw_usage = True
            usage.input_tokens += int(u.get("input_tokens") or 0)
            usage.cached_input_tokens += int(u.get("cached_input_tokens") or 0)
            usage.output_tokens += int(u.get("output_tokens") or 0)
        elif kind in ("turn.failed", "error"):
            err = event.get("error") if isinstance(event.get("error"), dict) else event
            error = str(err.get("message") or "Codex reported an error")
    return {
        "threadId": thread_id,
        "messages": messages,
        "usage": usage if saw_usage else None,
        "error": error,
    }


class CodexLocalAdapter:
    type = "codex_local"
    supports_sessions = True

    async def execute(self, ctx: AdapterContext) -> AdapterResult:
        cfg = ctx.config
        command = str(cfg.get("command") or "codex")
        args = ["exec", "--json"]
        if cfg.get("model"):
            args += ["--model", str(cfg["model"])]
        if cfg.get("dangerouslyBypassApprovalsAndSandbox"):
            args.append("--dangerously-bypass-approvals-and-sandbox")
        args += extra_args(cfg)
        resume = (ctx.runtime.session_params or {}).get("sessionId") or ctx.runtime.session_id
        if resume:
            args += ["resume", str(resume)]
        args.append("-")
        timeout = run_timeout_sec(cfg, ctx.limits)
        run = await run_process(
            command,
            args,
            env=ctx.env,
            cwd=cfg.get("cwd") or None,
            stdin_data=with_instructions(build_prompt(ctx), await read_instructions(ctx)).encode(),
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
            provider="openai",
            biller="openai",
            billing_type="metered_api",
            model=str(cfg.get("model") or "") or "codex",
        )
        if run.spawn_error:
            out.error_message, out.error_code = run.spawn_error, "adapter_not_installed"
            return out
        parsed = await asyncio.to_thread(parse_codex_events, run.stdout_tail)  # up to 4 MiB: off the loop
        out.usage = parsed["usage"]
        if parsed["threadId"]:
            out.session_id = parsed["threadId"]
            out.session_params = {"sessionId": parsed["threadId"], "cwd": cfg.get("cwd")}
            out.session_display_id = parsed["threadId"]
        out.summary = parsed["messages"][-1] if parsed["messages"] else None
        out.result_json = {"threadId": parsed["threadId"], "summary": out.summary}
        if run.timed_out:
            out.error_message, out.error_code = f"Timed out after {timeout:g}s", "timeout"
        elif run.cancelled:
            out.error_message, out.error_code = "Cancelled", "cancelled"
        elif parsed["error"]:
            out.error_message, out.error_code = parsed["error"], "adapter_error"
        elif run.exit_code not in (0, None):
            out.error_message, out.error_code = f"Codex exited with code {run.exit_code}", "nonzero_exit"
        return out

    async def test_environment(self, config: Mapping[str, Any]) -> dict[str, Any]:
        command = str(config.get("command") or "codex")
        found = shutil.which(command)
        check = (
            EnvironmentCheck("cli_found", "info", f"Codex CLI found: {found}")
            if found
            else EnvironmentCheck(
                "cli_missing", "error", f"Codex CLI not found: {command}", hint="npm install -g @openai/codex"
            )
        )
        return environment_report(self.type, [check])
