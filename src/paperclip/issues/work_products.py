"""Work products: the artifacts of an issue's work (a pull request, a branch, a preview URL, ...) at the
original's routes and shapes. One primary per issue and type: marking one primary unmarks the others,
under the issue's row lock so two racing writers cannot both leave a primary."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import IssueWorkProduct
from paperclip.db.paging import Window
from paperclip.errors import NotFound
from paperclip.issues.identifiers import find_issue, parse_uuid
from paperclip.wire import iso, uid

PRODUCTS = cast(sa.Table, IssueWorkProduct.__table__)

ProductType = Literal[
    "preview_url", "runtime_service", "pull_request", "branch", "commit", "artifact", "document"
]
ProductStatus = Literal[
    "active",
    "ready_for_review",
    "approved",
    "changes_requested",
    "merged",
    "closed",
    "failed",
    "archived",
    "draft",
]
ReviewState = Literal["none", "needs_board_review", "approved", "changes_requested"]
HealthStatus = Literal["unknown", "healthy", "unhealthy"]
Short = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Url = Annotated[str, StringConstraints(max_length=4000)]


def _check_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError("Invalid URL")
    return value


class _Fields(BaseModel):
    model_config = ConfigDict(extra="ignore")
    externalId: Short | None = None  # noqa: N815
    url: Url | None = None
    summary: Text | None = None
    metadata: dict[str, Any] | None = None
    projectId: uuid.UUID | None = None  # noqa: N815
    executionWorkspaceId: uuid.UUID | None = None  # noqa: N815
    runtimeServiceId: uuid.UUID | None = None  # noqa: N815

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str | None) -> str | None:
        return _check_url(value)


class WorkProductCreate(_Fields):
    type: ProductType
    provider: Short
    title: Short
    status: ProductStatus = "active"
    reviewState: ReviewState = "none"  # noqa: N815
    isPrimary: bool = False  # noqa: N815
    healthStatus: HealthStatus = "unknown"  # noqa: N815


class WorkProductUpdate(_Fields):
    type: ProductType | None = None
    provider: Short | None = None
    title: Short | None = None
    status: ProductStatus | None = None
    reviewState: ReviewState | None = None  # noqa: N815
    isPrimary: bool | None = None  # noqa: N815
    healthStatus: HealthStatus | None = None  # noqa: N815


# wire name -> column
_COLUMNS = {
    "type": "type",
    "provider": "provider",
    "externalId": "external_id",
    "title": "title",
    "url": "url",
    "status": "status",
    "reviewState": "review_state",
    "isPrimary": "is_primary",
    "healthStatus": "health_status",
    "summary": "summary",
    "metadata": "metadata",
    "projectId": "project_id",
    "executionWorkspaceId": "execution_workspace_id",
    "runtimeServiceId": "runtime_service_id",
}


def to_wire(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "projectId": uid(row["project_id"]),
        "issueId": str(row["issue_id"]),
        "executionWorkspaceId": uid(row["execution_workspace_id"]),
        "runtimeServiceId": uid(row["runtime_service_id"]),
        "type": row["type"],
        "provider": row["provider"],
        "externalId": row["external_id"],
        "title": row["title"],
        "url": row["url"],
        "status": row["status"],
        "reviewState": row["review_state"],
        "isPrimary": row["is_primary"],
        "healthStatus": row["health_status"],
        "summary": row["summary"],
        "metadata": row["metadata"],
        "sourceTrust": row["source_trust"],
        "createdByRunId": uid(row["created_by_run_id"]),
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


async def list_products(
    session: AsyncSession, actor: Actor, ref: str, window: Window | None = None
) -> list[dict[str, Any]]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    stmt = (
        sa.select(PRODUCTS)
        .where(PRODUCTS.c.issue_id == issue["id"])
        .order_by(PRODUCTS.c.is_primary.desc(), PRODUCTS.c.updated_at.desc(), PRODUCTS.c.id)
    )
    rows = (await session.execute(window.apply(stmt) if window else stmt)).mappings()
    return [to_wire(row) for row in rows]


async def _unmark_other_primaries(
    session: AsyncSession, issue_id: uuid.UUID, kind: str, keep: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        sa.update(PRODUCTS)
        .where(
            PRODUCTS.c.issue_id == issue_id,
            PRODUCTS.c.type == kind,
            PRODUCTS.c.is_primary,
            PRODUCTS.c.id != keep,
        )
        .values(is_primary=False, updated_at=now)
    )


async def create_product(
    session: AsyncSession, actor: Actor, ref: str, body: WorkProductCreate, now: datetime
) -> dict[str, Any]:
    issue = await find_issue(session, ref, for_update=True)
    actor.require_company(issue["company_id"])
    values = {_COLUMNS[name]: value for name, value in body.model_dump(exclude_unset=False).items()}
    if values.get("project_id") is None:
        values["project_id"] = issue["project_id"]
    row = (
        (
            await session.execute(
                sa.insert(PRODUCTS)
                .values(
                    company_id=issue["company_id"],
                    issue_id=issue["id"],
                    created_at=now,
                    updated_at=now,
                    created_by_run_id=actor.run_id if actor.is_agent else None,
                    **values,
                )
                .returning(PRODUCTS)
            )
        )
        .mappings()
        .one()
    )
    if row["is_primary"]:
        await _unmark_other_primaries(session, issue["id"], row["type"], row["id"], now)
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.work_product_created",
        entity_type="issue",
        entity_id=issue["id"],
        details={"type": row["type"], "provider": row["provider"], "workProductId": str(row["id"])},
    )
    return to_wire(row)


async def _find_product(session: AsyncSession, actor: Actor, ref: str) -> tuple[Any, Any]:
    product_id = parse_uuid(ref)
    product = None
    if product_id is not None:
        product = (
            (await session.execute(sa.select(PRODUCTS).where(PRODUCTS.c.id == product_id))).mappings().first()
        )
    if product is None:
        raise NotFound("Work product not found")
    issue = await find_issue(session, str(product["issue_id"]), for_update=True)
    actor.require_company(issue["company_id"])
    return product, issue


async def update_product(
    session: AsyncSession, actor: Actor, ref: str, body: WorkProductUpdate, now: datetime
) -> dict[str, Any]:
    product, issue = await _find_product(session, actor, ref)
    changes = body.model_dump(exclude_unset=True)
    for required in ("type", "provider", "title", "status", "reviewState", "isPrimary", "healthStatus"):
        if changes.get(required, "") is None:
            del changes[required]  # null for a required field: left as it is
    values = {_COLUMNS[name]: value for name, value in changes.items()}
    row = (
        (
            await session.execute(
                sa.update(PRODUCTS)
                .where(PRODUCTS.c.id == product["id"])
                .values(updated_at=now, **values)
                .returning(PRODUCTS)
            )
        )
        .mappings()
        .one()
    )
    if row["is_primary"] and changes.get("isPrimary"):
        await _unmark_other_primaries(session, issue["id"], row["type"], row["id"], now)
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.work_product_updated",
        entity_type="issue",
        entity_id=issue["id"],
        details={"changedKeys": sorted(changes), "workProductId": str(row["id"])},
    )
    return to_wire(row)


async def delete_product(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    product, issue = await _find_product(session, actor, ref)
    await session.execute(sa.delete(PRODUCTS).where(PRODUCTS.c.id == product["id"]))
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.work_product_deleted",
        entity_type="issue",
        entity_id=issue["id"],
        details={"type": product["type"], "workProductId": str(product["id"])},
    )
    return to_wire(product)
