"""The wake prompt handed to local coding-agent CLIs (claude_local, codex_local, …)."""

from __future__ import annotations

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
