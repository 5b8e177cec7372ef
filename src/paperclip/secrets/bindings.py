"""Env bindings in agent, hire and project config, checked before they are stored (reference §6.3).

`env` maps a variable name to a plain string, `{type:"plain", value}` or
`{type:"secret_ref", secretId, version: n|"latest"}`. Plain strings are stored as `{type:"plain"}`
bindings. Strict mode refuses a plain non-empty value for a sensitive-looking name: such values
must be company secrets, referenced by id.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import CompanySecret
from paperclip.errors import AppError, NotFound, Unprocessable
from paperclip.redaction import REDACTED, redact, redact_adapter_config

ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SENSITIVE_KEY_RE = re.compile(
    r"(api[-_]?key|access[-_]?token|auth(?:_?token)?|authorization|bearer|secret|passwd|password|credential|jwt|"
    r"private[-_]?key|cookie|connectionstring)",
    re.IGNORECASE,
)
SHAPE_MESSAGE = "adapterConfig.env must be a map of valid env bindings"


def is_sensitive_key(key: str) -> bool:
    return bool(SENSITIVE_KEY_RE.search(key))


def shape_error(field: str = "adapterConfig") -> AppError:
    """A malformed env map: 400 "Validation error", as the original's schema answers."""
    path = [field, "env"] if field else ["env"]
    message = (
        SHAPE_MESSAGE if field == "adapterConfig" else f"{'.'.join(path)} must be a map of valid env bindings"
    )
    return AppError(
        "Validation error", [{"code": "custom", "message": message, "path": path}], status_code=400
    )


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _shape(key: str, binding: Any) -> dict[str, Any] | None:
    """The normalised binding, or None when it is not one of the three forms."""
    if isinstance(binding, str):
        return {"type": "plain", "value": binding}
    if not isinstance(binding, Mapping):
        return None
    kind = binding.get("type")
    if kind == "plain" and isinstance(binding.get("value"), str):
        return {"type": "plain", "value": binding["value"]}
    if kind == "secret_ref" and isinstance(binding.get("secretId"), str):
        try:
            secret_id = str(uuid.UUID(binding["secretId"]))
        except ValueError:
            return None
        version = binding.get("version", "latest")
        if version != "latest" and not _positive_int(version):
            return None
        return {"type": "secret_ref", "secretId": secret_id, "version": version}
    return None


async def normalize_env(
    session: AsyncSession,
    company_id: uuid.UUID,
    env: Any,
    *,
    strict: bool,
    unchanged: Mapping[str, Any] | None = None,
    field: str = "adapterConfig",
) -> dict[str, Any]:
    """The env map to store, or an error: 400 for a malformed map, 422 with the reference's messages
    otherwise. `unchanged`: bindings already stored; a key whose binding is the stored one is not
    re-validated (a config saved before strict mode stays as it is)."""
    if not isinstance(env, Mapping):
        raise shape_error(field)
    unchanged = unchanged or {}
    out: dict[str, Any] = {}
    refs: dict[str, dict[str, Any]] = {}
    for key, binding in env.items():
        if not isinstance(key, str) or not ENV_KEY_RE.match(key):
            raise Unprocessable(f"Invalid environment variable name: {key}")
        if key in unchanged and binding == unchanged[key]:
            out[key] = binding
            continue
        normal = _shape(key, binding)
        if normal is None:
            raise shape_error(field)
        if normal["type"] == "plain":
            value = normal["value"]
            if value == REDACTED:
                raise Unprocessable(f"Refusing to persist redacted placeholder for key: {key}")
            if strict and value and is_sensitive_key(key):
                raise Unprocessable(f"Strict secret mode requires secret references for sensitive key: {key}")
        else:
            refs[key] = normal
        out[key] = normal
    if refs:
        await _check_refs(session, company_id, refs)
    return out


async def _check_refs(session: AsyncSession, company_id: uuid.UUID, refs: dict[str, dict[str, Any]]) -> None:
    ids = {uuid.UUID(b["secretId"]) for b in refs.values()}
    rows = {
        r.id: r
        for r in await session.execute(
            sa.select(CompanySecret.id, CompanySecret.company_id, CompanySecret.latest_version).where(
                CompanySecret.id.in_(ids)
            )
        )
    }
    for key, binding in refs.items():
        row = rows.get(uuid.UUID(binding["secretId"]))
        if row is None:
            raise NotFound("Secret not found")
        if row.company_id != company_id:
            raise Unprocessable("Secret must belong to same company")
        version = binding["version"]
        if version != "latest" and version > row.latest_version:
            raise Unprocessable(f"Secret version {version} does not exist for key: {key}")


async def normalize_adapter_config(
    session: AsyncSession,
    company_id: uuid.UUID,
    config: dict[str, Any] | None,
    *,
    strict: bool,
    current: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """`config` with its `env` checked and normalised (unchanged when it has no env)."""
    if not isinstance(config, dict) or "env" not in config:
        return config
    if config["env"] is None:
        return config
    old_env = (current or {}).get("env")
    env = await normalize_env(
        session,
        company_id,
        config["env"],
        strict=strict,
        unchanged=old_env if isinstance(old_env, Mapping) else None,
    )
    return {**config, "env": env}


async def approval_payload(
    session: AsyncSession, company_id: uuid.UUID, approval_type: str, payload: Any, *, strict: bool
) -> Any:
    """An approval payload as stored: a hire draft's env checked like an agent's, then every plain env
    value and every secret-looking field (runtimeConfig.apiKey, ...) redacted. Secret references stay."""
    if not isinstance(payload, dict):
        return payload
    if approval_type == "hire_agent":
        config = payload.get("adapterConfig")
        if isinstance(config, dict) and config.get("env") is not None:
            config = await normalize_adapter_config(session, company_id, config, strict=strict)
        if isinstance(config, dict):
            payload = {**payload, "adapterConfig": redact_adapter_config(config)}
    return redact(payload)
