"""`http` adapter: POST the wake to an external agent; 2xx is success, anything else fails (core §6.4)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from paperclip.adapters.base import (
    AdapterContext,
    AdapterResult,
    EnvironmentCheck,
    config_float,
    environment_report,
)


def _timeout_seconds(config: Mapping[str, Any]) -> float:
    if config.get("timeoutMs") is not None:
        return config_float(config, "timeoutMs", 0) / 1000
    return config_float(config, "timeoutSec", 0)


class HttpAdapter:
    type = "http"
    supports_sessions = False

    async def execute(self, ctx: AdapterContext) -> AdapterResult:
        url = str(ctx.config.get("url") or "").strip()
        if not url:
            return AdapterResult(error_message="HTTP adapter missing url", error_code="invalid_config")
        method = str(ctx.config.get("method") or "POST").upper()
        headers = {str(k): str(v) for k, v in (ctx.config.get("headers") or {}).items()}
        template = ctx.config.get("payloadTemplate") or {}
        body = {**(template if isinstance(template, dict) else {}),
                "agentId": str(ctx.agent.id), "runId": str(ctx.run_id), "context": ctx.context}
        timeout = _timeout_seconds(ctx.config)
        summary = f"HTTP {method} {url}"
        await ctx.on_log("system", f"[paperclip] {summary}\n")
        try:
            async with httpx.AsyncClient(timeout=timeout if timeout > 0 else None) as client:
                request = client.request(method, url, json=body, headers=headers)
                send = asyncio.ensure_future(request)
                cancel = asyncio.ensure_future(ctx.cancel.wait())
                done, _ = await asyncio.wait({send, cancel}, return_when=asyncio.FIRST_COMPLETED)
                if send not in done:
                    send.cancel()
                    return AdapterResult(cancelled=True, error_message="Cancelled", error_code="cancelled")
                cancel.cancel()
                response = send.result()
        except httpx.TimeoutException:
            return AdapterResult(timed_out=True, error_message=f"Timed out after {timeout:g}s", error_code="timeout")
        except httpx.HTTPError as exc:
            return AdapterResult(error_message=f"HTTP invoke failed: {exc}", error_code="http_error")
        text = response.text
        await ctx.on_log("stdout", text if text.endswith("\n") or not text else text + "\n")
        try:
            parsed: Any = response.json()
        except ValueError:
            parsed = None
        result_json = {"status": response.status_code, "body": parsed if parsed is not None else text[:64 * 1024]}
        if not 200 <= response.status_code < 300:
            return AdapterResult(error_message=f"HTTP invoke failed with status {response.status_code}",
                                 error_code="http_status", result_json=result_json, summary=summary)
        external = parsed.get("runId") if isinstance(parsed, dict) and isinstance(parsed.get("runId"), str) else None
        return AdapterResult(exit_code=0, result_json=result_json, summary=summary, external_run_id=external)

    async def test_environment(self, config: Mapping[str, Any]) -> dict[str, Any]:
        url = str(config.get("url") or "")
        if not url:
            return environment_report(self.type, [EnvironmentCheck("url_missing", "error", "HTTP adapter missing url")])
        if not url.startswith(("http://", "https://")):
            return environment_report(self.type, [EnvironmentCheck("url_invalid", "error", f"Invalid URL: {url}")])
        return environment_report(self.type, [EnvironmentCheck("url_valid", "info", f"Will call {url}")])
