"""Public webhook firing: POST /api/routine-triggers/public/:publicId/fire.

The caller is anonymous; the trigger's signing secret authenticates it (the original's headers):
- bearer:      `Authorization: Bearer <secret>`
- hmac_sha256: `X-Paperclip-Timestamp: <unix seconds or ms>` and
               `X-Paperclip-Signature: [sha256=]<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`;
               a timestamp outside the trigger's replay window is refused (401), and the same signature
               twice is a replay (409, remembered as the run's idempotency key);
- github_hmac: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>` (GitHub's header);
               GitHub signs no timestamp, so replays are caught by `X-GitHub-Delivery` (409);
- none:        no check (anyone who knows the URL may fire it).
Every comparison is constant-time (hmac.compare_digest). A bad, stale or replayed call is a 4xx with
the reason in `details`, never a 500; nothing about the secret is revealed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import SYSTEM
from paperclip.config import Settings
from paperclip.db.models import RoutineTrigger
from paperclip.errors import AppError, BadRequest, Conflict, NotFound, Unauthorized
from paperclip.routines import webhook_secret
from paperclip.routines.dispatch import Fired, dispatch, find_by_key, lock_routine
from paperclip.routines.triggers import NOT_FOUND

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_HEADER_CHARS = 512


class PayloadTooLarge(AppError):
    status_code = 413


def _refused(reason: str) -> Unauthorized:
    return Unauthorized("Unauthorized", details={"reason": reason})


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    if len(value) > MAX_HEADER_CHARS:
        raise _refused(f"{name} header is too long")
    return value.strip()


def _hex_digest(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def _timestamp(raw: str | None, window: int, now: datetime) -> None:
    if not raw:
        raise _refused("X-Paperclip-Timestamp header is required")
    try:
        value = int(raw)
    except ValueError:
        raise _refused("X-Paperclip-Timestamp must be unix seconds or milliseconds") from None
    seconds = value / 1000 if value > 10**11 else value
    if abs(now.timestamp() - seconds) > window:
        raise _refused(f"X-Paperclip-Timestamp is outside the replay window of {window} seconds")


def verify(
    trigger: RoutineTrigger, secret: str | None, headers: Any, body: bytes, now: datetime
) -> str | None:
    """Checks the call against the trigger's signing mode; returns the replay key to remember (or None)."""
    mode = trigger.signing_mode or "bearer"
    if mode == "none":
        return None
    if not secret:
        raise _refused("the trigger has no signing secret: rotate it")
    if mode == "bearer":
        auth = _header(headers, "authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not _same(secret, token.strip()):
            raise _refused("Authorization: Bearer <secret> does not match")
        return None
    if mode == "hmac_sha256":
        stamp = _header(headers, "x-paperclip-timestamp")
        signature = _header(headers, "x-paperclip-signature")
        if not signature:
            raise _refused("X-Paperclip-Signature header is required")
        given = signature.removeprefix("sha256=")
        if not _same(_hex_digest(secret, (stamp or "").encode() + b"." + body), given):
            raise _refused("X-Paperclip-Signature does not match")
        _timestamp(stamp, trigger.replay_window_sec or 300, now)
        return "webhook-hmac:" + hashlib.sha256(given.lower().encode()).hexdigest()
    # github_hmac
    signature = _header(headers, "x-hub-signature-256") or _header(headers, "x-paperclip-signature")
    if not signature:
        raise _refused("X-Hub-Signature-256 header is required")
    if not _same(_hex_digest(secret, body), signature.removeprefix("sha256=")):
        raise _refused("X-Hub-Signature-256 does not match")
    delivery = _header(headers, "x-github-delivery")
    return f"webhook-github:{hashlib.sha256(delivery.encode()).hexdigest()}" if delivery else None


def parse_payload(body: bytes) -> Any:
    if not body.strip():
        return {}
    if b"\x00" in body or b"\\u0000" in body:
        raise BadRequest("Webhook payload must not contain NUL characters")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        try:
            return {"body": body.decode()}
        except UnicodeDecodeError:
            raise BadRequest("Webhook payload must be JSON or UTF-8 text") from None


async def fire_webhook(
    session: AsyncSession, settings: Settings, public_id: str, headers: Any, body: bytes, now: datetime
) -> Fired:
    if len(body) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge("Webhook payload too large", details={"limitBytes": MAX_PAYLOAD_BYTES})
    if len(public_id) > 64:
        raise NotFound(NOT_FOUND)
    trigger = await session.scalar(
        sa.select(RoutineTrigger).where(
            RoutineTrigger.public_id == public_id, RoutineTrigger.kind == "webhook"
        )
    )
    if trigger is None:
        raise NotFound(NOT_FOUND)
    secret = None
    if (trigger.signing_mode or "bearer") != "none" and trigger.secret_id is not None:
        try:
            secret = await webhook_secret.value_of(session, settings, trigger.company_id, trigger.secret_id)
        except NotFound:
            secret = None
    replay_key = verify(trigger, secret, headers, body, now)
    payload = parse_payload(body)
    routine = await lock_routine(session, trigger.routine_id)
    trigger = await session.scalar(
        sa.select(RoutineTrigger).where(RoutineTrigger.id == trigger.id).with_for_update()
    )
    if routine is None or trigger is None:
        raise NotFound(NOT_FOUND)
    if not trigger.enabled or routine.status != "active":
        raise Conflict("Routine trigger is not active")
    key = replay_key
    if key is None:
        given = _header(headers, "idempotency-key")
        key = f"webhook-key:{given}" if given else None
    elif await find_by_key(session, routine.id, key) is not None:
        raise Conflict("Webhook replay detected")
    supplied = (
        payload.get("variables")
        if isinstance(payload, dict) and isinstance(payload.get("variables"), dict)
        else None
    )
    return await dispatch(
        session,
        SYSTEM,
        routine,
        source="webhook",
        now=now,
        trigger=trigger,
        payload=payload,
        supplied=supplied,
        idempotency_key=key,
    )
