"""Company memberships and roles: who may manage people in a company.

Roles: owner, admin, operator, member, viewer (viewer is read-only: `Actor.require_company` refuses
its writes). Managing members, invites and join requests needs owner or admin, or a
`users:invite` / `joins:approve` / `users:manage_permissions` grant; the local board and instance
admins always may.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.models import CompanyMembership, PrincipalPermissionGrant
from paperclip.errors import Forbidden

ROLES = ("owner", "admin", "operator", "member", "viewer")
MANAGER_ROLES = ("owner", "admin")
# The original's permission keys (its validation list); the ones this server checks are agents:create,
# users:invite, users:manage_permissions, joins:approve and tasks:assign — the others are stored and listed.
PERMISSION_KEYS = (
    "agents:create",
    "agents:configure",
    "agents:suggest-changes",
    "skills:create",
    "skills:suggest-changes",
    "environments:manage",
    "tools:admin",
    "tools:manage_connections",
    "tools:manage_profiles",
    "tools:view_audit",
    "audit:view_agent_actions",
    "tools:use",
    "tools:manage_runtime",
    "inbox:manage",
    "users:invite",
    "users:manage_permissions",
    "tasks:assign",
    "tasks:assign_scope",
    "tasks:manage_active_checkouts",
    "pipelines:write",
    "joins:approve",
)


async def role_of(session: AsyncSession, company_id: uuid.UUID, user_id: str) -> str | None:
    return await session.scalar(
        sa.select(CompanyMembership.membership_role).where(
            CompanyMembership.company_id == company_id,
            CompanyMembership.principal_type == "user",
            CompanyMembership.principal_id == user_id,
            CompanyMembership.status == "active",
        )
    )


async def has_grant(
    session: AsyncSession, company_id: uuid.UUID, principal_type: str, principal_id: str, key: str
) -> bool:
    return bool(
        await session.scalar(
            sa.select(
                sa.exists().where(
                    PrincipalPermissionGrant.company_id == company_id,
                    PrincipalPermissionGrant.principal_type == principal_type,
                    PrincipalPermissionGrant.principal_id == principal_id,
                    PrincipalPermissionGrant.permission_key == key,
                )
            )
        )
    )


async def require_permission(session: AsyncSession, actor: Actor, company_id: uuid.UUID, key: str) -> None:
    """Board users: owner/admin role or an explicit grant of `key`; local board and instance admins bypass."""
    actor.require_board()
    actor.require_company(company_id)
    if actor.source == "local_implicit" or actor.is_instance_admin:
        return
    if await role_of(session, company_id, actor.user_id) in MANAGER_ROLES:
        return
    if await has_grant(session, company_id, "user", actor.user_id, key):
        return
    raise Forbidden(f"Missing permission: {key}")


async def require_member_grant(session: AsyncSession, actor: Actor, company_id: uuid.UUID, key: str) -> None:
    """What a board user's work needs beyond company access (creating agents, assigning tasks): owners,
    admins, instance admins and the local board may; any other member needs an explicit grant of
    `key` (the original's 403 and details). Agents are checked by their own permissions elsewhere."""
    user_id = actor.user_id
    if not actor.is_board or actor.source == "local_implicit" or actor.is_instance_admin or user_id is None:
        return
    if await role_of(session, company_id, user_id) in MANAGER_ROLES:
        return
    if await has_grant(session, company_id, "user", user_id, key):
        return
    raise Forbidden(f"Missing permission: {key}.", {"reason": "deny_missing_grant"})
