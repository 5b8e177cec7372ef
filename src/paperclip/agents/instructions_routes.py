"""/api/agents/{id}/instructions-bundle routes (the original's paths, bodies and messages)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from paperclip.agents import instructions
from paperclip.agents.instruction_files import MAX_PATH_CHARS
from paperclip.agents.refs import AgentRef
from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.responses import ErrorAnswer, returns
from paperclip.errors import Unprocessable
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["agents"])

PathText = Annotated[str, Field(min_length=1, max_length=MAX_PATH_CHARS)]


class BundlePatch(BaseModel):
    model_config = ConfigDict(extra="ignore")  # the original ignores unknown keys here
    mode: Literal["managed", "external"] | None = None
    rootPath: Annotated[str, Field(min_length=1, max_length=4096)] | None = None  # noqa: N815
    entryFile: PathText | None = None  # noqa: N815
    clearLegacyPromptTemplate: StrictBool = False  # noqa: N815


class FilePut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    path: PathText
    # characters; the service also caps the UTF-8 size at MAX_FILE_BYTES
    content: Annotated[str, Field(max_length=1024 * 1024)]
    clearLegacyPromptTemplate: StrictBool = False  # noqa: N815


def _required(path: str | None) -> str:
    if path is None or path == "":
        raise Unprocessable("Query parameter 'path' is required")
    return path


@router.get("/agents/{agent_id}/instructions-bundle")
@returns("InstructionsBundle")
async def get_bundle(agent_id: AgentRef, session: DB, actor: ActorDep, settings: SettingsDep):
    return await instructions.get_bundle(session, actor, agent_id, settings.paths.root)


@router.patch("/agents/{agent_id}/instructions-bundle")
@returns("InstructionsBundle")
async def update_bundle(
    agent_id: AgentRef, body: BundlePatch, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return await instructions.update_bundle(
        session,
        actor,
        agent_id,
        settings.paths.root,
        mode=body.mode,
        root_path=body.rootPath,
        entry_file=body.entryFile,
        clear_legacy=body.clearLegacyPromptTemplate,
        now=now,
    )


@router.get("/agents/{agent_id}/instructions-bundle/file")
@returns("InstructionsFileContent")
@returns(ErrorAnswer, status=422, description="No path, or a path outside the bundle root")
async def get_file(
    agent_id: AgentRef, session: DB, actor: ActorDep, settings: SettingsDep, path: str | None = None
):
    return await instructions.get_file(session, actor, agent_id, settings.paths.root, _required(path))


@router.put("/agents/{agent_id}/instructions-bundle/file")
@returns("InstructionsFileContent")
async def put_file(
    agent_id: AgentRef, body: FilePut, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return await instructions.put_file(
        session,
        actor,
        agent_id,
        settings.paths.root,
        path=body.path,
        content=body.content,
        clear_legacy=body.clearLegacyPromptTemplate,
        now=now,
    )


@router.delete("/agents/{agent_id}/instructions-bundle/file")
@returns("InstructionsBundle", description="The bundle without the file")
async def delete_file(
    agent_id: AgentRef, session: DB, actor: ActorDep, settings: SettingsDep, now: Now, path: str | None = None
):
    return await instructions.delete_file(session, actor, agent_id, settings.paths.root, _required(path), now)
