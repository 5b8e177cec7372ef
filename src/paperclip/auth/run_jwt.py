"""Run JWTs: HS256 tokens minted per heartbeat run and accepted by the API as that agent (deploy §5.7)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import jwt

from paperclip.config import Settings
from paperclip.errors import ConfigError


@dataclass(frozen=True)
class RunClaims:
    agent_id: uuid.UUID
    company_id: uuid.UUID
    run_id: uuid.UUID | None
    adapter_type: str | None


def mint_run_jwt(
    settings: Settings,
    *,
    agent_id: uuid.UUID,
    company_id: uuid.UUID,
    run_id: uuid.UUID,
    adapter_type: str,
    now: datetime,
) -> str:
    secret = settings.jwt_secret
    if not secret:
        raise ConfigError(
            "No run token can be minted: set PAPERCLIP_AGENT_JWT_SECRET (run `paperclipai doctor --repair` to generate one)"
        )
    issued = int(now.timestamp())
    claims = {
        "sub": str(agent_id),
        "company_id": str(company_id),
        "adapter_type": adapter_type,
        "run_id": str(run_id),
        "iat": issued,
        "exp": issued + settings.agent_jwt_ttl_seconds,
        "iss": settings.agent_jwt_issuer,
        "aud": settings.agent_jwt_audience,
        "instance_id": settings.paths.instance_id,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def verify_run_jwt(settings: Settings, token: str) -> RunClaims | None:
    """None for anything not a valid, unexpired HS256 token of this instance (never raises)."""
    secret = settings.jwt_secret
    if not secret:
        return None
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=settings.agent_jwt_audience,
            issuer=settings.agent_jwt_issuer,
            options={"require": ["sub", "company_id", "exp", "iat"]},
        )
        return RunClaims(
            agent_id=uuid.UUID(claims["sub"]),
            company_id=uuid.UUID(claims["company_id"]),
            run_id=uuid.UUID(claims["run_id"]) if claims.get("run_id") else None,
            adapter_type=claims.get("adapter_type"),
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
