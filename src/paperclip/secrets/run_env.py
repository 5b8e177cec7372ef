"""A run's env bindings (an adapter or project config's `env`) resolved to the values its process
gets, and the values to mask in everything the run prints (core §5.6). Secret references are
resolved by the caller's resolver (secrets/runtime.py); heartbeat/env.py builds the environment
from the result and masks the values."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from paperclip.redaction import MIN_MASK_LENGTH, REDACTED, is_secret_key
from paperclip.secrets.bindings import ENV_KEY_RE

MIN_PLAIN_MASK_LENGTH = 8  # any other plain binding value: masked from this length (not "true", "1", "main")
# Credential-like names beyond the redaction pattern: ANTHROPIC_KEY, GITHUB_PAT, DB_PASS, SIGNING_SALT, ...
CREDENTIAL_NAME_RE = re.compile(
    r"(key|pat|pass|pwd|token|secret|cred|auth|cookie|session|sig|salt|cert|dsn)", re.IGNORECASE
)
_LITERAL_RE = re.compile(r"^(true|false|yes|no|on|off|null|none|[0-9.:,-]+)$", re.IGNORECASE)

SecretResolver = Callable[[dict[str, Any]], Awaitable[str]]


class EnvBindingError(Exception):
    pass


async def resolve_config_env(
    bindings: Any, resolve_secret: SecretResolver | None
) -> tuple[dict[str, str], set[str]]:
    """Adapter-config `env` → (values, values to mask). PAPERCLIP_API_KEY is never taken from config.

    Masking is by value: every secret reference's value, and every plain value long enough to be
    worth hiding (credential-like names from 4 characters, other names from 8; not booleans or
    numbers), so a secret stored under any name is masked wherever the run prints it."""
    values: dict[str, str] = {}
    secrets: set[str] = set()
    if not isinstance(bindings, Mapping):
        return values, secrets
    for key, binding in bindings.items():
        key = str(key)
        if not ENV_KEY_RE.match(key) or key == "PAPERCLIP_API_KEY":
            continue
        secret = is_secret_key(key) or bool(CREDENTIAL_NAME_RE.search(key))
        if isinstance(binding, Mapping):
            kind = binding.get("type")
            if kind == "plain":
                value = binding.get("value")
            elif kind == "secret_ref":
                if resolve_secret is None:
                    raise EnvBindingError(
                        f"Environment variable {key} references a secret, but no secrets provider is available"
                    )
                value = await resolve_secret(dict(binding))
                secret = True
            else:
                raise EnvBindingError(f"Invalid environment binding for key: {key}")
        else:
            value = binding
        if value is None:
            continue
        value = str(value)
        if value == REDACTED:
            continue
        values[key] = value
        if len(value) >= (MIN_MASK_LENGTH if secret else MIN_PLAIN_MASK_LENGTH) and not _LITERAL_RE.match(
            value
        ):
            secrets.add(value)
    return values, secrets
