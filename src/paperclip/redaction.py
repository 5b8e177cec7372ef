"""Redaction of secrets in anything that is logged or stored as activity details (reference §6.4)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

REDACTED = "***REDACTED***"
MIN_MASK_LENGTH = 4  # secret references and credential-like names: masked from this length

SECRET_KEY_RE = re.compile(
    r"(api[-_]?key|access[-_]?token|refresh[-_]?token|auth(?:_?token)?|authorization|bearer|secret|passw(or)?d|pwd|"
    r"credential|jwt|private[-_]?key|cookie|connection[-_]?string|database[-_]?url|^token$|_token$|^code$)",
    re.IGNORECASE,
)
JWT_RE = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\b")
TOKEN_RE = re.compile(r"\bpcp_[A-Za-z0-9_]{16,}\b")
URL_PASSWORD_RE = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/\s@]+:)([^@\s/]+)(@)", re.IGNORECASE)
REDACT_HEADERS = {"authorization", "cookie", "set-cookie", "x-api-key", "proxy-authorization"}
REDACT_QUERY_KEYS = {
    "token",
    "access_token",
    "api_key",
    "apikey",
    "password",
    "code",
    "state",
    "key",
    "secret",
}


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY_RE.search(key))


BEARER_RE = re.compile(r"\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
FLAG_RE = re.compile(r"^(--?[A-Za-z0-9][A-Za-z0-9_-]*)(=)(.*)$", re.DOTALL)


def redact_text(text: str) -> str:
    # Each pattern only runs where its literal part occurs: a substring test costs ~3 ms per MB, the
    # patterns ~30-60 ms per MB each (run output passes here on the heartbeat event loop).
    if "eyJ" in text:
        text = JWT_RE.sub(REDACTED, text)
    if "pcp_" in text:
        text = TOKEN_RE.sub(REDACTED, text)
    lowered = text.lower()
    if "bearer" in lowered or "basic" in lowered:
        text = BEARER_RE.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    if "://" in text:
        text = URL_PASSWORD_RE.sub(lambda m: m.group(1) + "***" + m.group(3), text)
    return text


def _redact_args(items: list | tuple) -> list:
    """Command lines: `--api-key=x` and `--api-key x` lose their values; other items as usual."""
    out: list = []
    hide_next = False
    for item in items:
        if hide_next and isinstance(item, str):
            out.append(REDACTED)
            hide_next = False
            continue
        hide_next = False
        if isinstance(item, str) and item.startswith("-"):
            flag = FLAG_RE.match(item)
            if flag and is_secret_key(flag.group(1).lstrip("-")):
                out.append(f"{flag.group(1)}={REDACTED}")
                continue
            if not flag and is_secret_key(item.lstrip("-")):
                hide_next = True
        out.append(redact(item))
    return out


def redact(value: Any, key: str | None = None) -> Any:
    """Deep copy of `value` with secret-looking keys and token-shaped strings replaced."""
    if key is not None and is_secret_key(key):
        if isinstance(value, dict) and value.get("type") == "secret_ref":
            return {k: v for k, v in value.items() if k in ("type", "secretId", "version")}
        if isinstance(value, dict) and value.get("type") == "plain":
            return {"type": "plain", "value": REDACTED}
        if value in (None, ""):
            return value
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return _redact_args(value)
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_query(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (k, REDACTED if k.lower() in REDACT_QUERY_KEYS or is_secret_key(k) else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return parts._replace(query=urlencode(pairs, safe="*")).geturl()


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in REDACT_HEADERS else v) for k, v in headers.items()}


# An adapter config's `env` bindings: shown to nobody (agents, projects, approval payloads share this).
def is_redacted_env_value(value: Any) -> bool:
    return value == REDACTED or (isinstance(value, dict) and value.get("value") == REDACTED)


def _redact_env_value(value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") == "secret_ref":
        return {k: v for k, v in value.items() if k in ("type", "secretId", "version")}
    return {"type": "plain", "value": REDACTED}


def redact_adapter_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """Secret-looking keys and token-shaped strings redacted; every env value is hidden."""
    if not config:
        return {}
    out = redact(config)
    env = config.get("env")
    if isinstance(env, dict):
        out["env"] = {k: _redact_env_value(v) for k, v in env.items()}
    return out
