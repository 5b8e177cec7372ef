"""The wake prompt handed to local coding-agent CLIs (claude_local, codex_local, …)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from paperclip.adapters.base import AdapterContext, render_template

DEFAULT_PROMPT = (
    "You are agent {{agent.name}} ({{agent.id}}) of a Paperclip company. This is heartbeat run {{run.id}}; "
    "wake reason: {{context.wakeReason}}. Use the Paperclip API at $PAPERCLIP_API_URL with "
    "`Authorization: Bearer $PAPERCLIP_API_KEY` and `X-Paperclip-Run-Id: $PAPERCLIP_RUN_ID`: read your "
    "assignments, check out one task, do the work, and report progress in comments."
)


def build_prompt(ctx: AdapterContext) -> str:
    values: dict[str, Any] = {
        "agent": {"id": str(ctx.agent.id), "name": ctx.agent.name, "companyId": str(ctx.agent.company_id)},
        "company": {"id": str(ctx.agent.company_id)},
        "run": {"id": str(ctx.run_id)},
        "context": ctx.context,
    }
    template = ctx.config.get("promptTemplate")
    return render_template(
        template if isinstance(template, str) and template.strip() else DEFAULT_PROMPT, values
    )


def extra_args(config: dict[str, Any]) -> list[str]:
    raw = config.get("extraArgs") or config.get("args") or []
    if isinstance(raw, str):
        return raw.split()
    return [str(a) for a in raw]


MAX_INSTRUCTIONS_BYTES = 1024 * 1024  # the bundle routes' own per-file limit


def instructions_path(config: dict[str, Any]) -> str | None:
    """The agent's instructions file (adapterConfig.instructionsFilePath, written by the instructions
    bundle routes or set by hand): a relative path resolves against adapterConfig.cwd."""
    raw = config.get("instructionsFilePath")
    if not isinstance(raw, str) or not raw.strip():
        return None
    path = Path(raw.strip())
    cwd = config.get("cwd")
    if not path.is_absolute() and isinstance(cwd, str) and cwd:
        path = Path(cwd) / path
    return str(path)


async def read_instructions(ctx: AdapterContext) -> tuple[str, str] | None:
    """(path, text) of the instructions file, or None (a missing or unreadable file is reported in
    the run log and the run goes on without it, as with no file at all)."""
    path = instructions_path(ctx.config)
    if path is None:
        return None

    def load() -> str:
        with open(path, "rb") as handle:
            return handle.read(MAX_INSTRUCTIONS_BYTES).decode("utf-8", "replace")

    try:
        return path, await asyncio.to_thread(load)
    except OSError as exc:
        await ctx.on_log(
            "system",
            f"[paperclip] instructions file {path} not readable ({exc.strerror}); running without it\n",
        )
        return None


def with_instructions(prompt: str, loaded: tuple[str, str] | None) -> str:
    """The prompt with the agent's instructions in front, for CLIs without a system-prompt flag."""
    if loaded is None:
        return prompt
    path, text = loaded
    return (
        f"{text.rstrip()}\n\n(These are your standing instructions, from {path}; relative file references "
        f"in them are relative to {os.path.dirname(path)}.)\n\n{prompt}"
    )
