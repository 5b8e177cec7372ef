"""The environment an agent process receives (core §5.6), and masking of the secrets put into it.

Base: the server's environment without its own secrets and configuration; then the adapter
config's `env` bindings; then the runtime-owned PAPERCLIP_* variables, which always win.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from paperclip.redaction import MIN_MASK_LENGTH, REDACTED, redact_text

# What the server knows and the agent must not: its database, keys, auth and storage credentials.
SERVER_ONLY_PREFIXES = (
    "PAPERCLIP_",
    "BETTER_AUTH_",
    "DATABASE_",
    "PG",
    "HEARTBEAT_SCHEDULER_",
    "AWS_SECRET",
    "AWS_SESSION",
    "AWS_ACCESS_KEY",
    "SUPABASE_",
)
SERVER_ONLY_KEYS = {
    "DATABASE_URL",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "SECRET_KEY",
}
PREFIX_SET_MAX = 256


def base_env(server_env: Mapping[str, str]) -> dict[str, str]:
    return {
        k: v
        for k, v in server_env.items()
        if k not in SERVER_ONLY_KEYS and not k.startswith(SERVER_ONLY_PREFIXES)
    }


def runtime_env(
    *,
    agent_id: uuid.UUID,
    company_id: uuid.UUID,
    run_id: uuid.UUID,
    api_url: str,
    api_key: str,
    context: Mapping[str, Any],
) -> dict[str, str]:
    env = {
        "PAPERCLIP_AGENT_ID": str(agent_id),
        "PAPERCLIP_COMPANY_ID": str(company_id),
        "PAPERCLIP_API_URL": api_url.rstrip("/"),
        "PAPERCLIP_API_KEY": api_key,
        "PAPERCLIP_RUN_ID": str(run_id),
    }
    optional = {
        "PAPERCLIP_TASK_ID": context.get("taskId") or context.get("issueId"),
        "PAPERCLIP_WAKE_REASON": context.get("wakeReason"),
        "PAPERCLIP_WAKE_COMMENT_ID": context.get("wakeCommentId") or context.get("commentId"),
        "PAPERCLIP_APPROVAL_ID": context.get("approvalId"),
        "PAPERCLIP_APPROVAL_STATUS": context.get("approvalStatus"),
        "PAPERCLIP_LINKED_ISSUE_IDS": ",".join(str(i) for i in context.get("issueIds") or []) or None,
    }
    env.update({k: str(v) for k, v in optional.items() if v not in (None, "")})
    return env


def build_env(
    server_env: Mapping[str, str],
    config_env: Mapping[str, str],
    runtime: Mapping[str, str],
    *,
    filtered: bool = False,
) -> dict[str, str]:
    """`filtered`: `server_env` is `base_env(...)`'s result already (the runner filters it once)."""
    env = dict(server_env) if filtered else base_env(server_env)
    env.update(config_env)
    env.update(runtime)  # runtime-owned PAPERCLIP_* keys always win
    return env


class Masker:
    """Replaces every injected secret value (and anything token-shaped) with ***REDACTED***."""

    def __init__(self, secrets: Iterable[str]):
        self._values = sorted({s for s in secrets if s and len(s) >= MIN_MASK_LENGTH}, key=len, reverse=True)
        # proper prefixes of the secrets up to PREFIX_SET_MAX characters: a chunk's end is looked up
        # in one set instead of scanned once per secret; longer secrets take the scan
        short = [v for v in self._values if len(v) <= PREFIX_SET_MAX]
        self._prefixes = {v[:k] for v in short for k in range(1, len(v))}
        self._prefix_span = max((len(v) for v in short), default=1) - 1
        self._long = [v for v in self._values if len(v) > PREFIX_SET_MAX]

    def text(self, value: str) -> str:
        for secret in self._values:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return redact_text(value)

    def stream(self) -> StreamMask:
        return StreamMask(self)

    def pending_prefix(self, text: str) -> int:
        """Length of the longest end of `text` that begins some secret (it may continue in the next chunk)."""
        longest = 0
        prefixes, size = self._prefixes, len(text)
        for i in range(max(0, size - self._prefix_span), size):
            if text[i:] in prefixes:
                longest = size - i
                break
        for secret in self._long:
            start = max(0, len(text) - len(secret) + 1)
            while True:
                i = text.find(secret[0], start)
                if i < 0 or len(text) - i <= longest:
                    break
                if secret.startswith(text[i:]):
                    longest = len(text) - i
                    break
                start = i + 1
        return longest

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return value


class StreamMask:
    """Masks one output stream chunk by chunk: a secret split across two chunks is masked too (the
    end of a chunk that may begin a secret is held back until the next chunk or `flush`)."""

    def __init__(self, masker: Masker):
        self.masker = masker
        self.carry = ""

    def feed(self, chunk: str) -> str:
        text = self.masker.text(self.carry + chunk)
        keep = self.masker.pending_prefix(text)
        self.carry = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep] if keep else text

    def flush(self) -> str:
        text, self.carry = self.carry, ""
        return self.masker.text(text) if text else ""
