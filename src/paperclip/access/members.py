"""Company members (list, role/status changes, removal) and instance admin (users, grant/revoke admin)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import LOCAL_BOARD_USER_ID, Actor
from paperclip.auth.memberships import PERMISSION_KEYS, ROLES, require_permission, role_of
from paperclip.db.models import Company, CompanyMembership, InstanceUserRole, PrincipalPermissionGrant, User
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Conflict, NotFound
from paperclip.wire import iso, uid

MEMBER_STATUSES = ("pending", "active", "suspended", "archived")


def _user(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "email": user.email, "name": user.name, "image": user.image}


def member_to_wire(
    m: CompanyMembership, user: User | None, grants: list[PrincipalPermissionGrant]
) -> dict[str, Any]:
    return {
        "id": uid(m.id),
        "companyId": uid(m.company_id),
        "principalType": m.principal_type,
        "principalId": m.principal_id,
        "status": m.status,
        "membershipRole": m.membership_role,
        "createdAt": iso(m.created_at),
        "updatedAt": iso(m.updated_at),
        "user": _user(user),
        "grants": [grant_to_wire(g) for g in grants],
    }


def grant_to_wire(g: PrincipalPermissionGrant) -> dict[str, Any]:
    return {
        "id": uid(g.id),
        "companyId": uid(g.company_id),
        "principalType": g.principal_type,
        "principalId": g.principal_id,
        "permissionKey": g.permission_key,
        "scope": g.scope,
        "grantedByUserId": g.granted_by_user_id,
        "createdAt": iso(g.created_at),
        "updatedAt": iso(g.updated_at),
    }


async def list_members(session: AsyncSession, actor: Actor, company_id: uuid.UUID) -> dict[str, Any]:
    actor.require_board()
    actor.require_company(company_id)
    rows = list(
        await session.scalars(
            sa.select(CompanyMembership)
            .where(CompanyMembership.company_id == company_id, CompanyMembership.principal_type == "user")
            .order_by(CompanyMembership.created_at)
        )
    )
    users = {
        u.id: u
        for u in await session.scalars(sa.select(User).where(User.id.in_([m.principal_id for m in rows])))
    }
    grants: dict[str, list] = {}
    for g in await session.scalars(
        sa.select(PrincipalPermissionGrant).where(
            PrincipalPermissionGrant.company_id == company_id,
            PrincipalPermissionGrant.principal_type == "user",
        )
    ):
        grants.setdefault(g.principal_id, []).append(g)
    role = "owner" if actor.source == "local_implicit" else await role_of(session, company_id, actor.user_id)
    manage = actor.source == "local_implicit" or actor.is_instance_admin or role in ("owner", "admin")
    return {
        "members": [
            member_to_wire(m, users.get(m.principal_id), grants.get(m.principal_id, [])) for m in rows
        ],
        "access": {
            "currentUserRole": role,
            "canManageMembers": manage,
            "canInviteUsers": manage,
            "canApproveJoinRequests": manage,
        },
    }


async def _member(session: AsyncSession, company_id: uuid.UUID, member_id: uuid.UUID) -> CompanyMembership:
    m = await session.scalar(
        sa.select(CompanyMembership)
        .where(CompanyMembership.id == member_id, CompanyMembership.company_id == company_id)
        .with_for_update()
    )
    if m is None:
        raise NotFound("Member not found")
    return m


async def _keep_an_owner(session: AsyncSession, m: CompanyMembership, new_role: str, new_status: str) -> None:
    if (
        m.membership_role == "owner"
        and m.status == "active"
        and (new_role != "owner" or new_status != "active")
    ):
        owners = await session.scalar(
            sa.select(sa.func.count()).where(
                CompanyMembership.company_id == m.company_id,
                CompanyMembership.membership_role == "owner",
                CompanyMembership.status == "active",
                CompanyMembership.principal_type == "user",
            )
        )
        if owners <= 1:
            raise Conflict("A company must keep at least one active owner")


async def update_member(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    member_id: uuid.UUID,
    body: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    await require_permission(session, actor, company_id, "users:manage_permissions")
    m = await _member(session, company_id, member_id)
    role = body.get("membershipRole", m.membership_role) or m.membership_role
    status = body.get("status", m.status)
    if role not in ROLES:
        raise BadRequest(f"membershipRole must be one of {', '.join(ROLES)}")
    if status not in MEMBER_STATUSES:
        raise BadRequest(f"status must be one of {', '.join(MEMBER_STATUSES)}")
    await _keep_an_owner(session, m, role, status)
    changes = {
        k: v
        for k, v in (("membershipRole", role), ("status", status))
        if v != {"membershipRole": m.membership_role, "status": m.status}[k]
    }
    m.membership_role, m.status, m.updated_at = role, status, now
    await session.flush()
    if changes:
        await record(
            session,
            actor,
            company_id=company_id,
            action="member.updated",
            entity_type="membership",
            entity_id=m.id,
            details={"principalId": m.principal_id, **changes},
        )
    return member_to_wire(m, await session.get(User, m.principal_id), [])


async def archive_member(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, member_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    """Remove someone from a company (membership archived: their access ends at once)."""
    return await update_member(session, actor, company_id, member_id, {"status": "archived"}, now)


# ---------------------------------------------------------------------------------------------- instance admin


async def list_users(
    session: AsyncSession, actor: Actor, window: Window | None = None
) -> list[dict[str, Any]]:
    actor.require_instance_admin()
    admins = set(
        await session.scalars(
            sa.select(InstanceUserRole.user_id).where(InstanceUserRole.role == "instance_admin")
        )
    )
    stmt = sa.select(User).order_by(User.created_at, User.id)
    users = await session.scalars(window.apply(stmt) if window else stmt)
    return [
        {
            **_user(u),
            "emailVerified": u.email_verified,
            "isInstanceAdmin": u.id in admins,
            "createdAt": iso(u.created_at),
        }
        for u in users
    ]


async def set_instance_admin(
    session: AsyncSession, actor: Actor, user_id: str, admin: bool
) -> dict[str, Any]:
    actor.require_instance_admin()
    user = await session.get(User, user_id) if len(user_id) <= 200 else None
    if user is None:
        raise NotFound("User not found")
    if admin:
        await session.execute(
            insert(InstanceUserRole).values(user_id=user_id, role="instance_admin").on_conflict_do_nothing()
        )
    else:
        others = await session.scalar(
            sa.select(sa.func.count()).where(
                InstanceUserRole.role == "instance_admin",
                InstanceUserRole.user_id != user_id,
                InstanceUserRole.user_id != LOCAL_BOARD_USER_ID,
            )
        )
        if not others:
            raise Conflict("Cannot remove the last instance admin")
        await session.execute(
            sa.delete(InstanceUserRole).where(
                InstanceUserRole.user_id == user_id, InstanceUserRole.role == "instance_admin"
            )
        )
    return {"userId": user_id, "isInstanceAdmin": admin}


async def set_member_permissions(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    member_id: uuid.UUID,
    body: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Replace a member's permission grants: `{grants: [{permissionKey, scope?}]}`."""
    await require_permission(session, actor, company_id, "users:manage_permissions")
    m = await _member(session, company_id, member_id)
    grants = body.get("grants")
    if not isinstance(grants, list) or len(grants) > 50:
        raise BadRequest("grants must be a list of {permissionKey, scope?}")
    wanted: dict[str, Any] = {}
    for grant in grants:
        key = grant.get("permissionKey") if isinstance(grant, dict) else None
        if key not in PERMISSION_KEYS:
            raise BadRequest(f"Unknown permission key: {key}")
        scope = grant.get("scope")
        if scope is not None and not isinstance(scope, dict):
            raise BadRequest("scope must be an object")
        wanted[key] = scope
    await session.execute(
        sa.delete(PrincipalPermissionGrant).where(
            PrincipalPermissionGrant.company_id == company_id,
            PrincipalPermissionGrant.principal_type == m.principal_type,
            PrincipalPermissionGrant.principal_id == m.principal_id,
        )
    )
    rows = [
        PrincipalPermissionGrant(
            id=uuid.uuid4(),
            company_id=company_id,
            principal_type=m.principal_type,
            principal_id=m.principal_id,
            permission_key=key,
            scope=scope,
            granted_by_user_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        for key, scope in sorted(wanted.items())
    ]
    session.add_all(rows)
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="member.permissions_updated",
        entity_type="membership",
        entity_id=m.id,
        details={"principalId": m.principal_id, "grants": sorted(wanted)},
    )
    return member_to_wire(m, await session.get(User, m.principal_id), rows)


# ------------------------------------------------------------------------------------------- role and grants

ROLE_AND_GRANTS_ROLES = ("owner", "admin", "operator", "viewer")  # the original's list for this route


def _invalid_option(path: list, values: tuple[str, ...]) -> BadRequest:
    return BadRequest(
        "Validation error",
        [
            {
                "code": "invalid_value",
                "values": list(values),
                "path": path,
                "message": "Invalid option: expected one of " + "|".join(f'"{v}"' for v in values),
            }
        ],
    )


def _grants_of(body: dict[str, Any]) -> dict[str, Any] | None:
    grants = body.get("grants")
    if grants is None:
        return None
    if not isinstance(grants, list) or len(grants) > 50:
        raise BadRequest(
            "Validation error",
            [
                {
                    "code": "invalid_type",
                    "expected": "array",
                    "path": ["grants"],
                    "message": "Invalid input: expected array",
                }
            ],
        )
    wanted: dict[str, Any] = {}
    for i, grant in enumerate(grants):
        key = grant.get("permissionKey") if isinstance(grant, dict) else None
        if key not in PERMISSION_KEYS:
            raise _invalid_option(["grants", i, "permissionKey"], PERMISSION_KEYS)
        scope = grant.get("scope")
        if scope is not None and not isinstance(scope, dict):
            raise BadRequest(
                "Validation error",
                [
                    {
                        "code": "invalid_type",
                        "expected": "object",
                        "path": ["grants", i, "scope"],
                        "message": "Invalid input: expected object",
                    }
                ],
            )
        wanted[key] = scope
    return wanted


async def _replace_grants(
    session: AsyncSession, actor: Actor, m: CompanyMembership, wanted: dict[str, Any], now: datetime
) -> None:
    await session.execute(
        sa.delete(PrincipalPermissionGrant).where(
            PrincipalPermissionGrant.company_id == m.company_id,
            PrincipalPermissionGrant.principal_type == m.principal_type,
            PrincipalPermissionGrant.principal_id == m.principal_id,
        )
    )
    session.add_all(
        [
            PrincipalPermissionGrant(
                id=uuid.uuid4(),
                company_id=m.company_id,
                principal_type=m.principal_type,
                principal_id=m.principal_id,
                permission_key=key,
                scope=scope,
                granted_by_user_id=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            for key, scope in sorted(wanted.items())
        ]
    )
    await session.flush()


async def _grants(session: AsyncSession, m: CompanyMembership) -> list[PrincipalPermissionGrant]:
    return list(
        await session.scalars(
            sa.select(PrincipalPermissionGrant)
            .where(
                PrincipalPermissionGrant.company_id == m.company_id,
                PrincipalPermissionGrant.principal_type == m.principal_type,
                PrincipalPermissionGrant.principal_id == m.principal_id,
            )
            .order_by(PrincipalPermissionGrant.permission_key)
        )
    )


async def update_role_and_grants(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    member_id: uuid.UUID,
    body: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """PATCH members/:id/role-and-grants: role and/or status, and (when sent) the grants, replaced in one go."""
    await require_permission(session, actor, company_id, "users:manage_permissions")
    if "membershipRole" in body and body["membershipRole"] not in ROLE_AND_GRANTS_ROLES:
        raise _invalid_option(["membershipRole"], ROLE_AND_GRANTS_ROLES)
    if "status" in body and body["status"] not in MEMBER_STATUSES:
        raise _invalid_option(["status"], MEMBER_STATUSES)
    wanted = _grants_of(body)
    if body.get("membershipRole") is None and body.get("status") is None:
        raise BadRequest(
            "Validation error",
            [{"code": "custom", "path": [], "message": "membershipRole or status is required"}],
        )
    m = await _member(session, company_id, member_id)
    role, status = body.get("membershipRole") or m.membership_role, body.get("status") or m.status
    await _keep_an_owner(session, m, role, status)
    m.membership_role, m.status, m.updated_at = role, status, now
    await session.flush()
    if wanted is not None:
        await _replace_grants(session, actor, m, wanted, now)
    grants = await _grants(session, m)
    await record(
        session,
        actor,
        company_id=company_id,
        action="company_member.access_updated",
        entity_type="company_membership",
        entity_id=m.id,
        details={"status": m.status, "grantCount": len(grants), "membershipRole": m.membership_role},
    )
    return member_to_wire(m, await session.get(User, m.principal_id), grants)


# ------------------------------------------------------------------------------------- admin: company access


async def _company_access(session: AsyncSession, user_id: str) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            sa.select(CompanyMembership, Company.name, Company.status)
            .join(Company, Company.id == CompanyMembership.company_id)
            .where(CompanyMembership.principal_type == "user", CompanyMembership.principal_id == user_id)
            .order_by(Company.name, Company.id)
        )
    ).all()
    return [
        {
            "id": uid(m.id),
            "companyId": uid(m.company_id),
            "principalType": m.principal_type,
            "principalId": m.principal_id,
            "status": m.status,
            "membershipRole": m.membership_role,
            "createdAt": iso(m.created_at),
            "updatedAt": iso(m.updated_at),
            "companyName": name,
            "companyStatus": company_status,
        }
        for m, name, company_status in rows
    ]


async def _access_answer(session: AsyncSession, user: User | None) -> dict[str, Any]:
    if user is None:
        return {"user": None, "companyAccess": []}
    admin = await session.scalar(
        sa.select(
            sa.exists().where(InstanceUserRole.user_id == user.id, InstanceUserRole.role == "instance_admin")
        )
    )
    return {
        "user": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "image": user.image,
            "isInstanceAdmin": bool(admin),
        },
        "companyAccess": await _company_access(session, user.id),
    }


async def get_company_access(session: AsyncSession, actor: Actor, user_id: str) -> dict[str, Any]:
    actor.require_instance_admin()
    return await _access_answer(session, await session.get(User, user_id) if len(user_id) <= 200 else None)


async def set_company_access(
    session: AsyncSession, actor: Actor, user_id: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """PUT admin/users/:id/company-access `{companyIds}`: the user's active companies become exactly these.
    New ones join as `operator`; dropped ones are archived (owners and admins cannot be dropped here)."""
    actor.require_instance_admin()
    ids = body.get("companyIds", [])
    if not isinstance(ids, list) or len(ids) > 1000:
        raise BadRequest(
            "Validation error",
            [
                {
                    "code": "invalid_type",
                    "expected": "array",
                    "path": ["companyIds"],
                    "message": "Invalid input: expected array",
                }
            ],
        )
    try:
        wanted = {uuid.UUID(str(i)) for i in ids}
    except ValueError:
        raise BadRequest(
            "Validation error",
            [{"code": "invalid_format", "format": "uuid", "path": ["companyIds"], "message": "Invalid UUID"}],
        ) from None
    if user_id == actor.user_id:
        raise Conflict("You cannot remove yourself")
    user = await session.get(User, user_id) if len(user_id) <= 200 else None
    if user is None:
        raise NotFound("User not found")
    known = (
        set(await session.scalars(sa.select(Company.id).where(Company.id.in_(wanted)))) if wanted else set()
    )
    if known != wanted:
        raise NotFound("Company not found")
    current = {
        m.company_id: m
        for m in await session.scalars(
            sa.select(CompanyMembership)
            .where(CompanyMembership.principal_type == "user", CompanyMembership.principal_id == user_id)
            .with_for_update()
        )
    }
    dropped = [m for cid, m in current.items() if cid not in wanted and m.status != "archived"]
    if any(m.membership_role in MANAGER_ROLES_FOR_ACCESS for m in dropped):
        raise Conflict("Owners and admins cannot be removed from company access")
    changed: list[CompanyMembership] = []
    for m in dropped:
        m.status, m.updated_at = "archived", now
        changed.append(m)
    for cid in sorted(wanted):
        existing = current.get(cid)
        if existing is None:
            added = CompanyMembership(
                id=uuid.uuid4(),
                company_id=cid,
                principal_type="user",
                principal_id=user_id,
                status="active",
                membership_role="operator",
                created_at=now,
                updated_at=now,
            )
            session.add(added)
            changed.append(added)
        elif existing.status != "active":
            existing.status, existing.updated_at = "active", now
            changed.append(existing)
    await session.flush()
    for m in changed:
        await record(
            session,
            actor,
            company_id=m.company_id,
            action="company_member.access_updated",
            entity_type="company_membership",
            entity_id=m.id,
            details={
                "status": m.status,
                "membershipRole": m.membership_role,
                "source": "admin_company_access",
            },
        )
    return await _access_answer(session, user)


MANAGER_ROLES_FOR_ACCESS = ("owner", "admin")
