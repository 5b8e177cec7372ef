"""An agent's instructions bundle: a directory of markdown whose entry file (AGENTS.md) the local
CLI adapters hand to the agent on every run.

The bundle's state lives in the agent's adapterConfig, under the original's keys
(`instructionsBundleMode` managed|external, `instructionsRootPath`, `instructionsEntryFile`,
`instructionsFilePath` = root/entry, which is what the adapters read); the files live on disk.
A managed bundle is `<instance root>/companies/<companyId>/agents/<agentId>/instructions`; an
external one is a directory an instance admin points at. The legacy `promptTemplate` shows as the
virtual file `promptTemplate.legacy.md`. Board only, as the original; every change writes an
activity entry (and a config revision when adapterConfig changes), all in the request's
transaction; the disk write comes last so a refused write leaves the database untouched.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.agents import instruction_files as files
from paperclip.agents import revisions
from paperclip.agents.service import get_agent, get_board_agent
from paperclip.auth.actor import Actor
from paperclip.db.models import Agent
from paperclip.errors import NotFound, Unprocessable

DEFAULT_ENTRY = "AGENTS.md"
LEGACY_FILE = "promptTemplate.legacy.md"
# What a bundle's entry file holds when the agent had no instructions (the original's wording:
# the portability package recognises it as "no instructions").
PLACEHOLDER = "_No AGENTS instructions were resolved from current agent config._"
NOT_CONFIGURED = "Agent instructions bundle is not configured"
_KEYS = ("instructionsBundleMode", "instructionsRootPath", "instructionsEntryFile", "instructionsFilePath")


def managed_root(instance_root: Path, agent: Agent) -> Path:
    return instance_root / "companies" / str(agent.company_id) / "agents" / str(agent.id) / "instructions"


def _state(agent: Agent, instance_root: Path) -> tuple[str | None, Path | None, str]:
    cfg = agent.adapter_config or {}
    mode = cfg.get("instructionsBundleMode")
    mode = mode if mode in ("managed", "external") else None
    entry = cfg.get("instructionsEntryFile")
    entry = entry if isinstance(entry, str) and entry else DEFAULT_ENTRY
    root: Path | None = None
    if mode == "managed":
        root = managed_root(instance_root, agent)
    elif mode == "external":
        raw = cfg.get("instructionsRootPath")
        root = Path(raw) if isinstance(raw, str) and raw.startswith("/") else None
        if root is None:
            mode = None
    return mode, root, entry


def _entry_wire(path: str, size: int, entry: str, *, virtual: bool = False) -> dict[str, Any]:
    lang = files.language(path)
    return {
        "path": path,
        "size": size,
        "language": lang,
        "markdown": lang == "markdown",
        "isEntryFile": path == entry and not virtual,
        "editable": True,
        "deprecated": virtual,
        "virtual": virtual,
    }


def _legacy(agent: Agent) -> str | None:
    value = (agent.adapter_config or {}).get("promptTemplate")
    return value if isinstance(value, str) and value else None


async def _bundle(agent: Agent, instance_root: Path) -> dict[str, Any]:
    mode, root, entry = _state(agent, instance_root)
    cfg = agent.adapter_config or {}
    listed = await asyncio.to_thread(files.list_files, root) if root is not None else []
    out = [_entry_wire(f.path, f.size, entry) for f in listed]
    legacy = _legacy(agent)
    if legacy is not None:
        out.append(_entry_wire(LEGACY_FILE, len(legacy.encode()), entry, virtual=True))
    warnings = []
    if root is not None and not any(f.path == entry for f in listed):
        warnings.append(f"Entry file {entry} does not exist in the bundle root")
    return {
        "agentId": str(agent.id),
        "companyId": str(agent.company_id),
        "mode": mode,
        "rootPath": str(root) if root is not None else None,
        "managedRootPath": str(managed_root(instance_root, agent)),
        "entryFile": entry,
        "resolvedEntryPath": str(root / entry) if root is not None else None,
        "editable": root is not None,
        "warnings": warnings,
        "legacyPromptTemplateActive": legacy is not None,
        "legacyBootstrapPromptTemplateActive": bool(cfg.get("bootstrapPromptTemplate")),
        "files": out,
    }


async def get_bundle(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, instance_root: Path
) -> dict[str, Any]:
    actor.require_board()
    return await _bundle(await get_agent(session, actor, agent_id), instance_root)


async def _save_config(
    session: AsyncSession,
    actor: Actor,
    agent: Agent,
    new_config: dict[str, Any],
    *,
    source: str,
    now: datetime,
) -> None:
    if new_config == (agent.adapter_config or {}):
        return
    before = revisions.snapshot(agent)
    agent.adapter_config = new_config
    agent.updated_at = now
    await session.flush()
    await revisions.add_revision(
        session, actor, agent, before, revisions.snapshot(agent), ["adapterConfig"], source=source, now=now
    )


def _configured(cfg: dict[str, Any], mode: str, root: Path, entry: str) -> dict[str, Any]:
    out = {k: v for k, v in cfg.items() if k not in _KEYS}
    out.update(
        instructionsFilePath=str(root / entry),
        instructionsRootPath=str(root),
        instructionsEntryFile=entry,
        instructionsBundleMode=mode,
    )
    return out


def _without_legacy(cfg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cfg.items() if k not in ("promptTemplate", "bootstrapPromptTemplate")}


async def _seed_text(agent: Agent, instance_root: Path) -> str:
    """What a new bundle's entry file starts with: the current entry file's text, else the legacy
    prompt template, else the placeholder (read before the configuration changes)."""
    _mode, root, entry = _state(agent, instance_root)
    if root is not None:
        try:
            return (await asyncio.to_thread(files.read, root, entry))[0].decode("utf-8", "replace")
        except (NotFound, Unprocessable):
            pass
    return _legacy(agent) or PLACEHOLDER


async def _ensure_entry(root: Path, entry: str, seed: str) -> None:
    if not await asyncio.to_thread(files.exists, root, entry):
        await asyncio.to_thread(files.write, root, entry, seed.encode())


async def update_bundle(
    session: AsyncSession,
    actor: Actor,
    agent_id: uuid.UUID,
    instance_root: Path,
    *,
    mode: str | None,
    root_path: str | None,
    entry_file: str | None,
    clear_legacy: bool,
    now: datetime,
) -> dict[str, Any]:
    agent = await get_board_agent(session, actor, agent_id)
    cur_mode, cur_root, cur_entry = _state(agent, instance_root)
    new_mode = mode or cur_mode or "managed"
    entry = files.normalize(entry_file) if entry_file is not None else cur_entry
    if new_mode == "external":
        raw = root_path if root_path is not None else (str(cur_root) if cur_root is not None else None)
        if raw is None:
            raise Unprocessable("rootPath is required for an external bundle", details={"field": "rootPath"})
        if not raw.startswith("/"):
            raise Unprocessable("rootPath must be an absolute path", details={"field": "rootPath"})
        root = Path(await asyncio.to_thread(lambda: str(Path(raw).resolve())))
        if root not in (cur_root, managed_root(instance_root, agent)):
            # An external root lets the bundle routes read and write any directory of the server's
            # host, so only an instance admin may choose one (the original lets any board user).
            actor.require_instance_admin()
    else:
        root = managed_root(instance_root, agent)
    seed = await _seed_text(agent, instance_root)
    cfg = _configured(agent.adapter_config or {}, new_mode, root, entry)
    if clear_legacy:
        cfg = _without_legacy(cfg)
    await _save_config(session, actor, agent, cfg, source="instructions_bundle_patch", now=now)
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.instructions_bundle_updated",
        entity_type="agent",
        entity_id=agent.id,
        details={
            "mode": new_mode,
            "rootPath": str(root),
            "entryFile": entry,
            "clearLegacyPromptTemplate": clear_legacy,
        },
    )
    await _ensure_entry(root, entry, seed)
    return await _bundle(agent, instance_root)


async def _editable(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, instance_root: Path, *, lock: bool
) -> tuple[Agent, Path | None, str]:
    actor.require_board()
    agent = await (get_board_agent(session, actor, agent_id) if lock else get_agent(session, actor, agent_id))
    _mode, root, entry = _state(agent, instance_root)
    return agent, root, entry


async def get_file(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, instance_root: Path, path: str
) -> dict[str, Any]:
    agent, root, entry = await _editable(session, actor, agent_id, instance_root, lock=False)
    rel = files.normalize(path)
    if rel == LEGACY_FILE:
        text = _legacy(agent)
        if text is None:
            raise NotFound(files.FILE_NOT_FOUND)
        return {**_entry_wire(rel, len(text.encode()), entry, virtual=True), "content": text}
    if root is None:
        raise NotFound(NOT_CONFIGURED)
    content, size = await asyncio.to_thread(files.read, root, rel)
    return {**_entry_wire(rel, size, entry), "content": content.decode("utf-8", "replace")}


async def put_file(
    session: AsyncSession,
    actor: Actor,
    agent_id: uuid.UUID,
    instance_root: Path,
    *,
    path: str,
    content: str,
    clear_legacy: bool,
    now: datetime,
) -> dict[str, Any]:
    agent, root, entry = await _editable(session, actor, agent_id, instance_root, lock=True)
    rel = files.normalize(path)
    data = content.encode()
    if len(data) > files.MAX_FILE_BYTES:
        raise Unprocessable(
            f"Instructions file content is larger than {files.MAX_FILE_BYTES} bytes",
            details={"field": "content"},
        )
    cfg = dict(agent.adapter_config or {})
    if rel == LEGACY_FILE:
        # the virtual file is the legacy prompt template itself
        cfg["promptTemplate"] = content
        await _save_config(session, actor, agent, cfg, source="instructions_bundle_file_put", now=now)
        await _file_activity(session, actor, agent, rel, len(data), clear_legacy=False)
        return {**_entry_wire(rel, len(data), entry, virtual=True), "content": content}
    seed = await _seed_text(agent, instance_root)
    if root is None:  # the first file of an agent without a bundle makes it a managed one
        root = managed_root(instance_root, agent)
        cfg = _configured(cfg, "managed", root, entry)
    if clear_legacy:
        cfg = _without_legacy(cfg)
    if rel != entry and not await asyncio.to_thread(files.exists, root, rel):
        count = len(await asyncio.to_thread(files.list_files, root))
        if count >= files.MAX_FILES:
            raise Unprocessable(f"An instructions bundle holds at most {files.MAX_FILES} files")
    await _save_config(session, actor, agent, cfg, source="instructions_bundle_file_put", now=now)
    await _file_activity(session, actor, agent, rel, len(data), clear_legacy=clear_legacy)
    await asyncio.to_thread(files.write, root, rel, data)
    if rel != entry:
        await _ensure_entry(root, entry, seed)
    return {**_entry_wire(rel, len(data), entry), "content": content}


async def _file_activity(
    session: AsyncSession, actor: Actor, agent: Agent, rel: str, size: int, *, clear_legacy: bool
) -> None:
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.instructions_file_updated",
        entity_type="agent",
        entity_id=agent.id,
        details={"path": rel, "size": size, "clearLegacyPromptTemplate": clear_legacy},
    )


async def delete_file(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, instance_root: Path, path: str, now: datetime
) -> dict[str, Any]:
    agent, root, entry = await _editable(session, actor, agent_id, instance_root, lock=True)
    rel = files.normalize(path)
    if rel == LEGACY_FILE:
        cfg = {k: v for k, v in (agent.adapter_config or {}).items() if k != "promptTemplate"}
        await _save_config(session, actor, agent, cfg, source="instructions_bundle_file_delete", now=now)
    else:
        if root is None:
            raise NotFound(NOT_CONFIGURED)
        if rel == entry:
            raise Unprocessable("Cannot delete the bundle entry file")
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.instructions_file_deleted",
        entity_type="agent",
        entity_id=agent.id,
        details={"path": rel},
    )
    if root is not None and rel != LEGACY_FILE:
        await asyncio.to_thread(files.delete, root, rel)
    return await _bundle(agent, instance_root)
