"""Project URL keys: `Website Relaunch 2027!` → `website-relaunch-2027`, `-2`, `-3`, ... when taken in the
company. Stored, so a key never changes under a link or script unless the project is renamed."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Project
from paperclip.errors import NotFound, Unprocessable
from paperclip.projects import queries

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_KEY = 80


def slugify(name: str) -> str:
    return _NON_ALNUM.sub("-", name.lower()).strip("-")[:MAX_KEY].strip("-") or "project"


async def free_url_key(
    session: AsyncSession, company_id: uuid.UUID, name: str, *, exclude: uuid.UUID | None = None
) -> str:
    """The first free key for `name`; a company-scoped transaction lock makes two creations take turns."""
    await queries.URL_KEY_LOCK.execute(session, company_id=str(company_id))
    base = slugify(name)
    query = sa.select(Project.url_key).where(
        Project.company_id == company_id, Project.url_key.like(f"{base}%")
    )
    if exclude is not None:
        query = query.where(Project.id != exclude)
    taken = set(await session.scalars(query))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def resolve_project_ref(session: AsyncSession, ref: str, company_id: uuid.UUID | None) -> uuid.UUID:
    """A UUID, or a URL key within `company_id` (the ?companyId= parameter or the calling agent's company)."""
    try:
        return uuid.UUID(ref)
    except ValueError:
        pass
    if company_id is None:
        raise Unprocessable("Project shortname lookup requires companyId query parameter")
    found = await session.scalar(
        sa.select(Project.id).where(Project.company_id == company_id, Project.url_key == ref.lower())
    )
    if found is None:
        raise NotFound("Project not found")
    return found
