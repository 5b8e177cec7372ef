"""Company export/import routes at the original's paths (reference §4.2 portability, §12)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.auth.ids import path_uuid
from paperclip.errors import BadRequest, Unprocessable
from paperclip.feature_router import FeatureRouter
from paperclip.portability import exporter, importer

router = FeatureRouter(tags=["companies"])
NOT_FOUND = "Company not found"
Slugs = list[str] | None


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Include(_Body):
    company: bool | None = None
    agents: bool | None = None
    projects: bool | None = None
    issues: bool | None = None
    tasks: bool | None = None
    skills: bool | None = None

    def as_dict(self, defaults: dict[str, bool] | None) -> dict[str, bool] | None:
        given = {k: v for k, v in self.model_dump().items() if v is not None}
        if "tasks" in given:  # the CLI's word for issues
            given["issues"] = given.get("issues", False) or given.pop("tasks")
        given.pop("tasks", None)
        if defaults is None:
            return {k: bool(given.get(k, False)) for k in importer.INCLUDE_KEYS}
        return {**defaults, **given}


class ExportBody(_Body):
    include: Include | None = None
    agents: Slugs = None
    skills: Slugs = None
    projects: Slugs = None
    issues: Slugs = None
    projectIssues: Slugs = None
    expandReferencedSkills: bool = False


class Source(_Body):
    type: Literal["inline", "github"]
    rootPath: str | None = None
    files: dict[str, Any] | None = None
    url: str | None = None


class Target(_Body):
    mode: Literal["new_company", "existing_company"]
    companyId: uuid.UUID | None = None
    newCompanyName: str | None = Field(default=None, min_length=1, max_length=200)


class ImportBody(_Body):
    source: Source
    target: Target | None = None
    include: Include | None = None
    agents: Literal["all"] | list[str] = "all"
    collisionStrategy: str = "rename"
    secretValues: dict[str, str] = Field(default_factory=dict)


def _options(body: ExportBody) -> exporter.ExportOptions:
    include = (body.include.as_dict(dict(exporter.DEFAULT_INCLUDE)) if body.include else None) or dict(
        exporter.DEFAULT_INCLUDE
    )
    return exporter.ExportOptions(
        include=include,
        agents=body.agents,
        projects=body.projects,
        issues=body.issues,
        project_issues=body.projectIssues,
    )


async def _export(company_id: str, body: ExportBody, session, actor, now) -> dict[str, Any]:
    return await exporter.export_company(
        session, actor, path_uuid(company_id, NOT_FOUND), _options(body), now
    )


@router.post("/companies/{company_id}/exports")
async def export_company(company_id: str, body: ExportBody, session: DB, actor: ActorDep, now: Now):
    return await _export(company_id, body, session, actor, now)


@router.post("/companies/{company_id}/export")
async def export_company_legacy(company_id: str, body: ExportBody, session: DB, actor: ActorDep, now: Now):
    return await _export(company_id, body, session, actor, now)


@router.post("/companies/{company_id}/exports/preview")
async def export_preview(company_id: str, body: ExportBody, session: DB, actor: ActorDep, now: Now):
    result = await _export(company_id, body, session, actor, now)
    kinds = {"COMPANY.md": "company", "README.md": "readme", ".paperclip.yaml": "extension"}
    result["fileInventory"] = [
        {"path": path, "kind": kinds.get(path) or path.split("/")[0].rstrip("s")} for path in result["files"]
    ]
    result["counts"] = {"files": len(result["files"]), **result["manifest"]["counts"]}
    return result


def _request(body: ImportBody, *, company_id: uuid.UUID | None = None) -> importer.ImportRequest:
    if body.source.type != "inline" or body.source.files is None:
        raise Unprocessable(
            "Only inline sources (source.type 'inline' with source.files) are supported here: "
            "clone the repository and import its folder",
            {"field": "source"},
        )
    target_id: uuid.UUID | None
    if company_id is not None:  # the safe routes: always the company in the path
        mode, target_id, name = "existing_company", company_id, None
    elif body.target is None:
        raise BadRequest("target is required", {"field": "target"})
    else:
        mode, target_id, name = body.target.mode, body.target.companyId, body.target.newCompanyName
    return importer.ImportRequest(
        files=body.source.files,
        root_path=body.source.rootPath,
        include=body.include.as_dict(None) if body.include else None,
        target_mode=mode,
        company_id=target_id,
        new_company_name=name,
        agents=body.agents,
        collision=body.collisionStrategy,
        secret_values=body.secretValues,
        safe=company_id is not None,
    )


@router.post("/companies/import/preview")
async def import_preview(body: ImportBody, session: DB, actor: ActorDep):
    return await importer.preview(session, actor, _request(body))


@router.post("/companies/import")
async def import_apply(body: ImportBody, session: DB, actor: ActorDep, settings: SettingsDep, now: Now):
    return await importer.apply(session, actor, settings, _request(body), now)


@router.post("/companies/{company_id}/imports/preview")
async def safe_import_preview(company_id: str, body: ImportBody, session: DB, actor: ActorDep):
    return await importer.preview(session, actor, _request(body, company_id=path_uuid(company_id, NOT_FOUND)))


@router.post("/companies/{company_id}/imports/apply")
async def safe_import_apply(
    company_id: str, body: ImportBody, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return await importer.apply(
        session, actor, settings, _request(body, company_id=path_uuid(company_id, NOT_FOUND)), now
    )
