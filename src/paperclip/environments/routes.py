"""Environment routes at the original's paths, statuses and bodies. Thin: parse, call one service."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.environments import leases, service
from paperclip.environments.capabilities import environment_capabilities
from paperclip.feature_router import FeatureRouter
from paperclip.ids import path_uuid

router = FeatureRouter(tags=["environments"])

Driver = Literal["local", "ssh", "sandbox", "plugin"]
Status = Literal["active", "archived"]
Name = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Description = Annotated[StrictStr, Field(max_length=10_000)]
QStr = Annotated[str | None, Query(max_length=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlainVar(_Strict):
    type: Literal["plain"]
    value: StrictStr


class SecretRefVar(_Strict):
    type: Literal["secret_ref"]
    secretId: str  # noqa: N815
    version: Literal["latest"] | Annotated[int, Field(gt=0)] | None = None
    projectionClass: Literal["unclassified", "class_3_static_lease"] | None = None  # noqa: N815
    projectionAllowlistKey: Annotated[str, Field(min_length=1, max_length=160)] | None = None  # noqa: N815


class UserSecretRefVar(_Strict):
    type: Literal["user_secret_ref"]
    key: Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-zA-Z0-9_.-]+$")]
    version: Literal["latest"] | Annotated[int, Field(gt=0)] | None = None
    required: bool | None = None
    allowMissingOverride: bool | None = None  # noqa: N815


EnvVar = StrictStr | PlainVar | SecretRefVar | UserSecretRefVar


class EnvironmentBody(_Strict):
    name: Name
    description: Description | None = None
    driver: Driver
    config: dict[str, Any] | None = None
    envVars: dict[str, EnvVar] | None = None  # noqa: N815
    metadata: dict[str, Any] | None = None


class CreateBody(EnvironmentBody):
    status: Status | None = None


class ProbeConfigBody(EnvironmentBody):
    name: Name | None = None  # type: ignore[assignment]


class PatchBody(_Strict):
    name: Name = None  # type: ignore[assignment]
    description: Description | None = None
    driver: Driver = None  # type: ignore[assignment]
    status: Status = None  # type: ignore[assignment]
    config: dict[str, Any] = None  # type: ignore[assignment]
    envVars: dict[str, EnvVar] = None  # type: ignore[assignment]  # noqa: N815
    metadata: dict[str, Any] | None = None


def _sent(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(include=body.model_fields_set, exclude_unset=True)


@router.get("/companies/{company_id}/environments")
@returns("list[Environment]")
async def list_environments(
    company_id: str, session: DB, actor: ActorDep, driver: QStr = None, status: QStr = None
) -> list[dict[str, Any]]:
    cid = path_uuid(company_id, "Company not found")
    return await service.list_environments(session, actor, cid, driver, status)


@router.post("/companies/{company_id}/environments", status_code=201)
@returns("Environment")
async def create_environment(
    company_id: str, body: CreateBody, session: DB, actor: ActorDep
) -> dict[str, Any]:
    cid = path_uuid(company_id, "Company not found")
    return await service.create_environment(session, actor, cid, _sent(body))


@router.get("/companies/{company_id}/environments/capabilities")
@returns("EnvironmentCapabilities")
async def capabilities(company_id: str, actor: ActorDep) -> dict[str, Any]:
    actor.require_board()
    actor.require_company(path_uuid(company_id, "Company not found"))
    return environment_capabilities()


@router.post("/companies/{company_id}/environments/probe-config")
@returns("ProbeResult")
async def probe_config(
    company_id: str, body: ProbeConfigBody, session: DB, actor: ActorDep
) -> dict[str, Any]:
    cid = path_uuid(company_id, "Company not found")
    return await service.probe_config(session, actor, cid, _sent(body))


@router.get("/environments/{environment_id}")
@returns("Environment")
async def get_environment(environment_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await service.get_environment(session, actor, environment_id)


@router.patch("/environments/{environment_id}")
@returns("Environment")
async def update_environment(
    environment_id: str, body: PatchBody, session: DB, actor: ActorDep, now: Now
) -> dict[str, Any]:
    return await service.update_environment(session, actor, environment_id, _sent(body), now)


@router.delete("/environments/{environment_id}")
@returns("DeletedEnvironment")
async def delete_environment(environment_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await service.delete_environment(session, actor, environment_id)


@router.get("/environments/{environment_id}/delete-blast-radius")
@returns("DeleteBlastRadius")
async def delete_blast_radius(environment_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await service.blast_radius(session, actor, environment_id)


@router.get("/environments/{environment_id}/secret-refs")
@returns("SecretRefs")
async def secret_refs(environment_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await service.secret_refs(session, actor, environment_id)


@router.post("/environments/{environment_id}/probe")
@returns("ProbeResult")
async def probe(environment_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await service.probe_environment(session, actor, environment_id)


@router.get("/environments/{environment_id}/leases")
@returns("list[EnvironmentLease]")
async def list_leases(
    environment_id: str, session: DB, actor: ActorDep, page: PageDep, status: QStr = None
) -> Response:
    return page.respond(await leases.list_leases(session, actor, environment_id, status, page.window))


@router.get("/environment-leases/{lease_id}")
@returns("EnvironmentLease")
async def get_lease(lease_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await leases.get_lease(session, actor, lease_id)
