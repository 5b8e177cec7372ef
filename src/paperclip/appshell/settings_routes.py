"""Instance settings (read and change) and sidebar orders, at the
original's paths and shapes. Bodies are strict: an unknown key is a 400 naming it (the original
refuses them for /settings and /general; for /experimental it ignores them — we refuse, so a
misspelt flag is never silently dropped)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, create_model, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.responses import returns
from paperclip.appshell import settings as svc
from paperclip.auth.actor import Actor
from paperclip.db.models import InstanceSettings
from paperclip.feature_router import FeatureRouter
from paperclip.ids import path_uuid

router = FeatureRouter(tags=["app-shell"])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("a value is required (null given)")
        return value


def _one_of(name: str, allowed: tuple[int, ...]):
    def check(value: Any) -> Any:
        if isinstance(value, bool) or value not in allowed:
            raise ValueError(f"{name} must be one of: {', '.join(map(str, allowed))}")
        return value

    return check


class BackupRetention(_Strict):
    dailyDays: int | None = None  # noqa: N815
    weeklyWeeks: int | None = None  # noqa: N815
    monthlyMonths: int | None = None  # noqa: N815

    _daily = field_validator("dailyDays", mode="before")(_one_of("dailyDays", (3, 7, 14)))
    _weekly = field_validator("weeklyWeeks", mode="before")(_one_of("weeklyWeeks", (1, 2, 4)))
    _monthly = field_validator("monthlyMonths", mode="before")(_one_of("monthlyMonths", (1, 3, 6)))


class GeneralPatch(_Strict):
    censorUsernameInLogs: StrictBool | None = None  # noqa: N815
    keyboardShortcuts: StrictBool | None = None  # noqa: N815
    feedbackDataSharingPreference: Literal["allowed", "not_allowed", "prompt"] | None = None  # noqa: N815
    backupRetention: BackupRetention | None = None  # noqa: N815
    executionMode: Literal["kubernetes", "any"] | None = None  # noqa: N815


if TYPE_CHECKING:  # one optional strict bool per flag, built from the defaults' keys
    ExperimentalPatch = _Strict
else:
    ExperimentalPatch = create_model(
        "ExperimentalPatch",
        __base__=_Strict,
        **{flag: (StrictBool | None, None) for flag in svc.EXPERIMENTAL_FLAGS},
    )


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    defaultEnvironmentId: uuid.UUID | None = None  # noqa: N815


class SidebarPut(BaseModel):
    model_config = ConfigDict(extra="ignore")  # as the original
    orderedIds: Annotated[list[uuid.UUID], Field(max_length=svc.MAX_SIDEBAR_IDS)]  # noqa: N815


def _sent(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(include=body.model_fields_set, exclude_unset=True)


def _settings_part(
    path: str,
    name: str,
    answer: str,
    body: type[BaseModel],
    view: Callable[[InstanceSettings], dict[str, Any]],
    patch: Callable[[AsyncSession, Actor, dict[str, Any], datetime], Awaitable[dict[str, Any]]],
) -> None:
    """GET (a board member reads it) and PATCH (the service checks for an instance admin; only the keys
    the strict `body` was sent are changed) of one part of the instance settings, as `name` and
    `patch_<name>`."""

    async def read(session: DB, actor: ActorDep) -> dict[str, Any]:
        actor.require_board()
        return view(await svc.get_settings(session))

    async def change(body: BaseModel, session: DB, actor: ActorDep, now: Now) -> dict[str, Any]:
        return await patch(session, actor, _sent(body), now)

    change.__annotations__["body"] = body  # the part's own body model: validation and the OpenAPI document
    for endpoint, endpoint_name in ((read, name), (change, f"patch_{name}")):
        endpoint.__name__ = endpoint.__qualname__ = endpoint_name
    router.get(path)(returns(answer)(read))
    router.patch(path)(returns(answer)(change))


_settings_part(
    "/instance/settings",
    "instance_settings",
    "InstanceSettingsRecord",
    SettingsPatch,
    svc.settings_to_wire,
    svc.patch_settings,
)
_settings_part(
    "/instance/settings/general",
    "instance_settings_general",
    "dict[str, Any]",
    GeneralPatch,
    svc.general_of,
    svc.patch_general,
)
_settings_part(
    "/instance/settings/experimental",
    "instance_settings_experimental",
    "dict[str, Any]",
    ExperimentalPatch,
    svc.experimental_of,
    svc.patch_experimental,
)


@router.get("/sidebar-preferences/me")
@returns("SidebarPreferences")
async def sidebar_preferences(session: DB, actor: ActorDep) -> dict[str, Any]:
    return await svc.get_sidebar(session, actor, None)


@router.put("/sidebar-preferences/me")
@returns("SidebarPreferences")
async def put_sidebar_preferences(body: SidebarPut, session: DB, actor: ActorDep, now: Now) -> dict[str, Any]:
    return await svc.put_sidebar(session, actor, None, body.orderedIds, now)


@router.get("/companies/{company_id}/sidebar-preferences/me")
@returns("SidebarPreferences")
async def company_sidebar_preferences(company_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    cid = path_uuid(company_id, "Company not found")
    actor.require_company(cid)
    return await svc.get_sidebar(session, actor, cid)


@router.put("/companies/{company_id}/sidebar-preferences/me")
@returns("SidebarPreferences")
async def put_company_sidebar_preferences(
    company_id: str, body: SidebarPut, session: DB, actor: ActorDep, now: Now
) -> dict[str, Any]:
    cid = path_uuid(company_id, "Company not found")
    actor.require_company(cid)
    return await svc.put_sidebar(session, actor, cid, body.orderedIds, now)
