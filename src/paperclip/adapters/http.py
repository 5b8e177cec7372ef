"""`http` adapter: POST the wake to an external agent; 2xx is success, anything else fails (core §6.4).

The answer is streamed and read up to a cap (the agent's `maxResponseBytes`, else the server's
PAPERCLIP_HTTP_ADAPTER_MAX_RESPONSE_BYTES); the whole exchange has a timeout (the agent's `timeoutMs`
/ `timeoutSec`, else PAPERCLIP_RUN_TIMEOUT_SEC). A large JSON answer is parsed in a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import Mapping
from typing import Any

import httpx

from paperclip.adapters.base import (
    AdapterContext,
    AdapterResult,
    EnvironmentCheck,
    config_int,
    environment_report,
    run_timeout_sec,
)

JSON_INLINE_BYTES = 64 * 1024  # larger answers are parsed in a worker thread, off the event loop
LOG_PIECE_CHARS = 64 * 1024  # the answer goes to the run log in pieces of this size


_ssl_context: ssl.SSLContext | None = None


async def _tls() -> ssl.SSLContext:
    """One TLS context for every run: building one loads the CA bundle (~150 ms of CPU), which a
    client per run used to do on the heartbeat event loop. Built once, in a worker thread."""
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = await asyncio.to_thread(httpx.create_ssl_context)
    return _ssl_context


def _max_response_bytes(config: Mapping[str, Any], default: int) -> int:
    value = config_int(config, "maxResponseBytes", 0)
    return value if value > 0 else default


async def _read_capped(response: httpx.Response, cap: int) -> tuple[bytes, bool]:
    """At most `cap` bytes of the (decoded) body; True when there was more. The rest is never
    read: the connection is closed, so a huge or endless answer costs neither memory nor time."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        room = cap - size
        if len(chunk) > room:
            chunks.append(chunk[:room])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _pieces(text: str, size: int = LOG_PIECE_CHARS) -> list[str]:
    """`text` in pieces of about `size` characters, cut after a newline (a line longer than that
    stays whole: a secret is never split across two pieces, so masking sees it whole)."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        cut = text.rfind("\n", start, start + size)
        if cut < 0:
            cut = text.find("\n", start + size)
            if cut < 0:
                break
        pieces.append(text[start : cut + 1])
        start = cut + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _parse_json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


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
        body = {
            **(template if isinstance(template, dict) else {}),
            "agentId": str(ctx.agent.id),
            "runId": str(ctx.run_id),
            "context": ctx.context,
        }
        timeout = run_timeout_sec(ctx.config, ctx.limits)
        cap = _max_response_bytes(ctx.config, ctx.limits.http_max_response_bytes)
        summary = f"HTTP {method} {url}"
        await ctx.on_log("system", f"[paperclip] {summary}\n")

        tls = await _tls()

        async def call() -> tuple[httpx.Response, bytes, bool]:
            limits = httpx.Timeout(timeout, connect=min(timeout, ctx.limits.http_connect_timeout_sec))
            async with (
                httpx.AsyncClient(timeout=limits, verify=tls) as client,
                client.stream(method, url, json=body, headers=headers) as response,
            ):
                data, truncated = await _read_capped(response, cap)
                return response, data, truncated

        send = asyncio.ensure_future(asyncio.wait_for(call(), timeout))  # the whole exchange, not per read
        cancel = asyncio.ensure_future(ctx.cancel.wait())
        try:
            done, _ = await asyncio.wait({send, cancel}, return_when=asyncio.FIRST_COMPLETED)
            if send not in done:
                send.cancel()
                with contextlib.suppress(BaseException):
                    await send
                return AdapterResult(cancelled=True, error_message="Cancelled", error_code="cancelled")
            response, data, truncated = send.result()
        except (httpx.TimeoutException, TimeoutError):
            return AdapterResult(
                timed_out=True, error_message=f"Timed out after {timeout:g}s", error_code="timeout"
            )
        except httpx.HTTPError as exc:
            return AdapterResult(error_message=f"HTTP invoke failed: {exc}", error_code="http_error")
        finally:
            cancel.cancel()
        text = data.decode(response.encoding or "utf-8", errors="replace")
        for piece in _pieces(text if text.endswith("\n") or not text else text + "\n"):
            await ctx.on_log("stdout", piece)
            await asyncio.sleep(0)  # other runs' work between two pieces
        if truncated:
            await ctx.on_log(
                "system",
                f"[paperclip] response body truncated: only the first {cap} bytes were read "
                "(maxResponseBytes / PAPERCLIP_HTTP_ADAPTER_MAX_RESPONSE_BYTES)\n",
            )
        parsed: Any = None
        if data and not truncated:
            parsed = (
                _parse_json(data)
                if len(data) <= JSON_INLINE_BYTES
                else await asyncio.to_thread(_parse_json, data)
            )
        result_json = {
            "status": response.status_code,
            "body": parsed if parsed is not None else text[: 64 * 1024],
        }
        if truncated:
            result_json["truncated"] = True
        if not 200 <= response.status_code < 300:
            return AdapterResult(
                error_message=f"HTTP invoke failed with status {response.status_code}",
                error_code="http_status",
                result_json=result_json,
                summary=summary,
            )
        external = (
            parsed.get("runId") if isinstance(parsed, dict) and isinstance(parsed.get("runId"), str) else None
        )
        return AdapterResult(exit_code=0, result_json=result_json, summary=summary, external_run_id=external)

    async def test_environment(self, config: Mapping[str, Any]) -> dict[str, Any]:
        url = str(config.get("url") or "")
        if not url:
            return environment_report(
                self.type, [EnvironmentCheck("url_missing", "error", "HTTP adapter missing url")]
            )
        if not url.startswith(("http://", "https://")):
            return environment_report(
                self.type, [EnvironmentCheck("url_invalid", "error", f"Invalid URL: {url}")]
            )
        return environment_report(self.type, [EnvironmentCheck("url_valid", "info", f"Will call {url}")])
