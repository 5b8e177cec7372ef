"""Reading a package: the file map checked (paths, sizes, YAML), then parsed into plain specs.

A package is `{relative path: text}`. Layout (the original's): `COMPANY.md`, `agents/<slug>/AGENTS.md`,
`projects/<slug>/PROJECT.md`, `tasks/<slug>/TASK.md`, `skills/.../SKILL.md`, `README.md`, `images/...`
and `.paperclip.yaml` for what markdown cannot hold. Unknown fields and files are warnings, as the
original tolerates them; anything that cannot be read is a 4xx naming the file (and field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from paperclip.errors import AppError, BadRequest, Unprocessable
from paperclip.portability.yamltext import YamlError, load, parse_markdown

EXTENSION_PATH = ".paperclip.yaml"
MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 20_000
PLACEHOLDER_INSTRUCTIONS = "_No AGENTS instructions were resolved from current agent config._"

COMPANY_FIELDS = {
    "name",
    "description",
    "schema",
    "slug",
    "kind",
    "version",
    "license",
    "authors",
    "homepage",
    "tags",
    "goals",
    "metadata",
}
AGENT_MD_FIELDS = {
    "name",
    "title",
    "reportsTo",
    "skills",
    "role",
    "icon",
    "capabilities",
    "schema",
    "slug",
    "kind",
    "description",
    "metadata",
}
PROJECT_MD_FIELDS = {"name", "description", "owner", "schema", "slug", "kind", "goals", "metadata"}
TASK_MD_FIELDS = {
    "name",
    "project",
    "assignee",
    "recurring",
    "schema",
    "slug",
    "kind",
    "description",
    "labels",
    "metadata",
}
EXT_FIELDS = {
    "schema",
    "schemaVersion",
    "agents",
    "projects",
    "routines",
    "sidebar",
    "tasks",
    "company",
    "goals",
    "labels",
    "skills",
}
EXT_AGENT_FIELDS = {
    "role",
    "title",
    "capabilities",
    "icon",
    "adapter",
    "runtime",
    "permissions",
    "permissionGrants",
    "budgetMonthlyCents",
    "inputs",
    "metadata",
    "skills",
}
EXT_PROJECT_FIELDS = {
    "color",
    "icon",
    "leadAgentSlug",
    "status",
    "targetDate",
    "goals",
    "inputs",
    "executionWorkspacePolicy",
    "workspaces",
    "metadata",
}
EXT_TASK_FIELDS = {
    "identifier",
    "priority",
    "status",
    "parent",
    "createdAt",
    "updatedAt",
    "startedAt",
    "completedAt",
    "cancelledAt",
    "billingCode",
    "labels",
    "goal",
    "blockedBy",
    "comments",
    "documents",
    "metadata",
    "workProducts",
    "attachments",
    "monitor",
}
EXT_ROUTINE_FIELDS = {
    "triggers",
    "concurrencyPolicy",
    "catchUpPolicy",
    "variables",
    "status",
    "priority",
    "goal",
    "env",
    "activityGatePolicy",
    "activityGateScope",
}
EXT_GOAL_FIELDS = {"title", "description", "level", "status", "parent", "owner"}
INPUT_FIELDS = {"description", "kind", "default", "requirement", "portability"}

_SEGMENT = re.compile(r"^[^\x00-\x1f/\\:*?\"<>|]+$")


@dataclass
class EnvInput:
    key: str
    kind: str  # secret | plain
    requirement: str  # required | optional
    default: str
    description: str | None
    agent_slug: str | None = None
    project_slug: str | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "description": self.description,
            "agentSlug": self.agent_slug,
            "projectSlug": self.project_slug,
            "kind": self.kind,
            "requirement": self.requirement,
            "defaultValue": self.default,
            "portability": "portable",
        }


@dataclass
class AgentSpec:
    slug: str
    path: str
    name: str
    title: str | None = None
    role: str = "general"
    icon: str | None = None
    capabilities: str | None = None
    reports_to: str | None = None
    adapter_type: str = "process"
    adapter_config: dict[str, Any] = field(default_factory=dict)
    runtime_config: dict[str, Any] = field(default_factory=dict)
    permissions: dict[str, Any] | None = None
    budget_monthly_cents: int = 0
    instructions: str = ""
    inputs: list[EnvInput] = field(default_factory=list)
    metadata: dict[str, Any] | None = None


@dataclass
class ProjectSpec:
    slug: str
    path: str
    name: str
    description: str | None = None
    lead: str | None = None
    status: str = "backlog"
    target_date: str | None = None
    color: str | None = None
    icon: str | None = None
    goals: list[str] = field(default_factory=list)
    inputs: list[EnvInput] = field(default_factory=list)


@dataclass
class TaskSpec:
    slug: str
    path: str
    title: str
    description: str | None = None
    project: str | None = None
    assignee: str | None = None
    parent: str | None = None
    goal: str | None = None
    status: str = "backlog"
    priority: str = "medium"
    identifier: str | None = None
    billing_code: str | None = None
    labels: list[str] = field(default_factory=list)
    timestamps: dict[str, str] = field(default_factory=dict)
    recurring: bool = False
    routine: dict[str, Any] = field(default_factory=dict)


@dataclass
class GoalSpec:
    slug: str
    title: str
    description: str | None = None
    level: str = "task"
    status: str = "planned"
    parent: str | None = None
    owner: str | None = None


@dataclass
class Package:
    root_path: str | None
    company: dict[str, Any]
    agents: list[AgentSpec]
    projects: list[ProjectSpec]
    tasks: list[TaskSpec]
    goals: list[GoalSpec]
    skills: list[str]
    sidebar: dict[str, Any] | None
    schema_version: int | None
    warnings: list[str]

    @property
    def env_inputs(self) -> list[EnvInput]:
        return [i for a in self.agents for i in a.inputs] + [i for p in self.projects for i in p.inputs]


def _bad_file(path: str, message: str) -> AppError:
    return Unprocessable(message, {"file": path})


def check_path(path: Any) -> str:
    """A package-relative POSIX path; anything that could leave the package folder is refused."""
    if not isinstance(path, str) or not path:
        raise BadRequest("Invalid file path in package: (empty)", {"file": path})
    segments = path.split("/")
    if (
        path.startswith("/")
        or "\\" in path
        or re.match(r"^[A-Za-z]:", path)
        or any(s in ("", ".", "..") or not _SEGMENT.match(s) for s in segments)
    ):
        raise BadRequest(
            f"Invalid file path in package: {path} (paths must be relative, inside the package, "
            "without '..')",
            {"file": path},
        )
    return path


def check_files(files: Any, *, max_file_bytes: int = MAX_FILE_BYTES) -> dict[str, str]:
    """The inline file map: paths checked, binary (base64) files kept out, sizes capped."""
    if not isinstance(files, dict):
        raise BadRequest("source.files must be an object mapping file paths to their text")
    if len(files) > MAX_FILES:
        raise BadRequest(f"Package has {len(files)} files; the limit is {MAX_FILES}")
    out: dict[str, str] = {}
    for path, content in files.items():
        check_path(path)
        if isinstance(content, dict):  # {encoding: base64, data}: images and other binaries, never read
            if content.get("encoding") != "base64" or not isinstance(content.get("data"), str):
                raise BadRequest(
                    f"File {path}: a binary file must be {{encoding: 'base64', data}}", {"file": path}
                )
            size = len(content["data"]) * 3 // 4
            if size > max_file_bytes:
                raise _too_large(path, size, max_file_bytes)
            continue
        if not isinstance(content, str):
            raise BadRequest(f"File {path}: content must be text", {"file": path})
        size = len(content.encode("utf-8"))
        if size > max_file_bytes:
            raise _too_large(path, size, max_file_bytes)
        out[path] = content
    return out


def _too_large(path: str, size: int, limit: int) -> AppError:
    return AppError(
        f"File {path} is {size} bytes; the limit per file is {limit} bytes", {"file": path}, status_code=413
    )


def _read_yaml(files: dict[str, str], path: str) -> dict[str, Any]:
    try:
        return load(files[path], path)
    except YamlError as exc:
        raise BadRequest(str(exc), {"file": path}) from None


def _read_md(files: dict[str, str], path: str) -> tuple[dict[str, Any], str]:
    try:
        return parse_markdown(files[path], path)
    except YamlError as exc:
        raise BadRequest(str(exc), {"file": path}) from None


def _unknown(fields: dict[str, Any], known: set[str], where: str, warnings: list[str]) -> None:
    extra = sorted(set(fields) - known)
    if extra:
        warnings.append(f"{where}: unknown field{'s' if len(extra) > 1 else ''} {', '.join(extra)} ignored")


def _text(value: Any, path: str, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise _bad_file(path, f"{path}: field {name} must be text")


def _mapping(value: Any, path: str, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad_file(path, f"{path}: field {name} must be a mapping")
    return value


def _inputs(
    raw: Any, where: str, warnings: list[str], *, agent: str | None = None, project: str | None = None
) -> list[EnvInput]:
    env = _mapping(
        _mapping(raw, EXTENSION_PATH, f"{where}.inputs").get("env"), EXTENSION_PATH, f"{where}.inputs.env"
    )
    out = []
    for key in sorted(env):
        spec = _mapping(env[key], EXTENSION_PATH, f"{where}.inputs.env.{key}")
        _unknown(spec, INPUT_FIELDS, f"{EXTENSION_PATH} {where}.inputs.env.{key}", warnings)
        kind = spec.get("kind", "plain")
        requirement = spec.get("requirement", "optional")
        if kind not in ("secret", "plain") or requirement not in ("required", "optional"):
            raise _bad_file(
                EXTENSION_PATH,
                f"{EXTENSION_PATH}: {where}.inputs.env.{key} needs kind secret|plain "
                "and requirement required|optional",
            )
        default = spec.get("default")
        out.append(
            EnvInput(
                key=str(key),
                kind=kind,
                requirement=requirement,
                default="" if default is None else str(default),
                description=_text(spec.get("description"), EXTENSION_PATH, f"{where}.inputs.env.{key}"),
                agent_slug=agent,
                project_slug=project,
            )
        )
    return out


def _slug_of(path: str, folder: str, name: str) -> str | None:
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == folder and parts[2] == name:
        return parts[1]
    return None


def parse(files: dict[str, str], root_path: str | None = None) -> Package:
    warnings: list[str] = []
    if "COMPANY.md" not in files:
        raise BadRequest("Company package is missing COMPANY.md", {"file": "COMPANY.md"})
    ext = _read_yaml(files, EXTENSION_PATH) if EXTENSION_PATH in files else {}
    _unknown(ext, EXT_FIELDS, EXTENSION_PATH, warnings)
    schema = ext.get("schema")
    if schema is not None and schema != "paperclip/v1":
        warnings.append(f"{EXTENSION_PATH}: schema {schema!r} is not paperclip/v1; read as paperclip/v1")

    front, body = _read_md(files, "COMPANY.md")
    _unknown(front, COMPANY_FIELDS, "COMPANY.md", warnings)
    name = _text(front.get("name"), "COMPANY.md", "name")
    if not name:
        raise _bad_file("COMPANY.md", "COMPANY.md: field name is required")
    company = {
        "name": name,
        "description": _text(front.get("description"), "COMPANY.md", "description"),
        **_mapping(ext.get("company"), EXTENSION_PATH, "company"),
    }

    agent_paths, project_paths, task_paths, skills = {}, {}, {}, []
    for path in sorted(files):
        slug = _slug_of(path, "agents", "AGENTS.md") or _slug_of(path, "agents", "AGENT.md")
        if slug:
            agent_paths[slug] = path
        elif slug := _slug_of(path, "projects", "PROJECT.md"):
            project_paths[slug] = path
        elif slug := _slug_of(path, "tasks", "TASK.md"):
            task_paths[slug] = path
        elif path.startswith("skills/") and path.endswith("/SKILL.md"):
            skills.append(path)
        elif path.startswith(("agents/", "projects/", "tasks/", "skills/", "images/")) or path in (
            "COMPANY.md",
            "README.md",
            EXTENSION_PATH,
            "LICENSE",
            ".gitignore",
        ):
            continue  # instruction bundles' extra files, skill files, images: carried by the original, not read here
        else:
            warnings.append(f"{path}: not part of the package layout; ignored")

    ext_agents = _mapping(ext.get("agents"), EXTENSION_PATH, "agents")
    ext_projects = _mapping(ext.get("projects"), EXTENSION_PATH, "projects")
    ext_tasks = _mapping(ext.get("tasks"), EXTENSION_PATH, "tasks")
    ext_routines = _mapping(ext.get("routines"), EXTENSION_PATH, "routines")
    for section, known, paths, folder, fname in (
        ("agents", ext_agents, agent_paths, "agents", "AGENTS.md"),
        ("projects", ext_projects, project_paths, "projects", "PROJECT.md"),
        ("tasks", ext_tasks, task_paths, "tasks", "TASK.md"),
    ):
        for slug in sorted(set(known) - set(paths)):
            raise _bad_file(
                f"{folder}/{slug}/{fname}",
                f"{EXTENSION_PATH} declares {section} {slug!r} but {folder}/{slug}/{fname} is missing",
            )
    for slug in sorted(set(ext_routines) - set(task_paths)):
        raise _bad_file(
            f"tasks/{slug}/TASK.md",
            f"{EXTENSION_PATH} declares routine {slug!r} but tasks/{slug}/TASK.md is missing",
        )

    agents = [
        _agent(files, slug, path, _mapping(ext_agents.get(slug), EXTENSION_PATH, f"agents.{slug}"), warnings)
        for slug, path in sorted(agent_paths.items())
    ]
    projects = [
        _project(
            files, slug, path, _mapping(ext_projects.get(slug), EXTENSION_PATH, f"projects.{slug}"), warnings
        )
        for slug, path in sorted(project_paths.items())
    ]
    tasks = [
        _task(
            files,
            slug,
            path,
            _mapping(ext_tasks.get(slug), EXTENSION_PATH, f"tasks.{slug}"),
            _mapping(ext_routines.get(slug), EXTENSION_PATH, f"routines.{slug}"),
            warnings,
        )
        for slug, path in sorted(task_paths.items())
    ]
    goals = _goals(_mapping(ext.get("goals"), EXTENSION_PATH, "goals"), warnings)
    version = ext.get("schemaVersion")
    return Package(
        root_path=root_path,
        company=company,
        agents=agents,
        projects=projects,
        tasks=tasks,
        goals=goals,
        skills=skills,
        sidebar=ext.get("sidebar") if isinstance(ext.get("sidebar"), dict) else None,
        schema_version=version if isinstance(version, int) else None,
        warnings=warnings,
    )


def _agent(
    files: dict[str, str], slug: str, path: str, ext: dict[str, Any], warnings: list[str]
) -> AgentSpec:
    front, body = _read_md(files, path)
    _unknown(front, AGENT_MD_FIELDS, path, warnings)
    _unknown(ext, EXT_AGENT_FIELDS, f"{EXTENSION_PATH} agents.{slug}", warnings)
    adapter = _mapping(ext.get("adapter"), EXTENSION_PATH, f"agents.{slug}.adapter")
    budget = ext.get("budgetMonthlyCents", 0)
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 0:
        raise _bad_file(
            EXTENSION_PATH,
            f"{EXTENSION_PATH}: agents.{slug}.budgetMonthlyCents must be a whole number of cents >= 0",
        )
    return AgentSpec(
        slug=slug,
        path=path,
        name=_text(front.get("name"), path, "name") or slug,
        title=_text(front.get("title", ext.get("title")), path, "title"),
        role=_text(ext.get("role", front.get("role")), path, "role") or "general",
        icon=_text(ext.get("icon", front.get("icon")), path, "icon"),
        capabilities=_text(ext.get("capabilities", front.get("capabilities")), path, "capabilities"),
        reports_to=_text(front.get("reportsTo"), path, "reportsTo"),
        adapter_type=_text(adapter.get("type"), EXTENSION_PATH, f"agents.{slug}.adapter.type") or "process",
        adapter_config=dict(_mapping(adapter.get("config"), EXTENSION_PATH, f"agents.{slug}.adapter.config")),
        runtime_config=dict(_mapping(ext.get("runtime"), EXTENSION_PATH, f"agents.{slug}.runtime")),
        permissions=_mapping(ext.get("permissions"), EXTENSION_PATH, f"agents.{slug}.permissions") or None,
        budget_monthly_cents=budget,
        instructions="" if body.strip() == PLACEHOLDER_INSTRUCTIONS else body,
        inputs=_inputs(ext.get("inputs"), f"agents.{slug}", warnings, agent=slug),
        metadata=_mapping(ext.get("metadata"), EXTENSION_PATH, f"agents.{slug}.metadata") or None,
    )


def _project(
    files: dict[str, str], slug: str, path: str, ext: dict[str, Any], warnings: list[str]
) -> ProjectSpec:
    front, body = _read_md(files, path)
    _unknown(front, PROJECT_MD_FIELDS, path, warnings)
    _unknown(ext, EXT_PROJECT_FIELDS, f"{EXTENSION_PATH} projects.{slug}", warnings)
    goals = ext.get("goals") or []
    if not isinstance(goals, list):
        raise _bad_file(
            EXTENSION_PATH, f"{EXTENSION_PATH}: projects.{slug}.goals must be a list of goal slugs"
        )
    return ProjectSpec(
        slug=slug,
        path=path,
        name=_text(front.get("name"), path, "name") or slug,
        description=_text(front.get("description"), path, "description") or (body or None),
        lead=_text(ext.get("leadAgentSlug", front.get("owner")), path, "owner"),
        status=_text(ext.get("status"), EXTENSION_PATH, f"projects.{slug}.status") or "backlog",
        target_date=_text(ext.get("targetDate"), EXTENSION_PATH, f"projects.{slug}.targetDate"),
        color=_text(ext.get("color"), EXTENSION_PATH, f"projects.{slug}.color"),
        icon=_text(ext.get("icon"), EXTENSION_PATH, f"projects.{slug}.icon"),
        goals=[str(g) for g in goals],
        inputs=_inputs(ext.get("inputs"), f"projects.{slug}", warnings, project=slug),
    )


TIMESTAMPS = ("createdAt", "updatedAt", "startedAt", "completedAt", "cancelledAt")


def _task(
    files: dict[str, str],
    slug: str,
    path: str,
    ext: dict[str, Any],
    routine: dict[str, Any],
    warnings: list[str],
) -> TaskSpec:
    front, body = _read_md(files, path)
    _unknown(front, TASK_MD_FIELDS, path, warnings)
    _unknown(ext, EXT_TASK_FIELDS, f"{EXTENSION_PATH} tasks.{slug}", warnings)
    _unknown(routine, EXT_ROUTINE_FIELDS, f"{EXTENSION_PATH} routines.{slug}", warnings)
    recurring = front.get("recurring", False)
    if not isinstance(recurring, bool):
        raise _bad_file(path, f"{path}: field recurring must be true or false")
    labels = front.get("labels", ext.get("labels")) or []
    if not isinstance(labels, list):
        raise _bad_file(path, f"{path}: field labels must be a list of label names")
    stamps = {}
    for key in TIMESTAMPS:
        value = _text(ext.get(key), EXTENSION_PATH, f"tasks.{slug}.{key}")
        if value:
            stamps[key] = value
    return TaskSpec(
        slug=slug,
        path=path,
        title=_text(front.get("name"), path, "name") or slug,
        description=body or None,
        project=_text(front.get("project"), path, "project"),
        assignee=_text(front.get("assignee"), path, "assignee"),
        parent=_text(ext.get("parent"), EXTENSION_PATH, f"tasks.{slug}.parent"),
        goal=_text(ext.get("goal"), EXTENSION_PATH, f"tasks.{slug}.goal"),
        status=_text(ext.get("status"), EXTENSION_PATH, f"tasks.{slug}.status")
        or ("todo" if recurring else "backlog"),
        priority=_text(ext.get("priority", routine.get("priority")), EXTENSION_PATH, f"tasks.{slug}.priority")
        or "medium",
        identifier=_text(ext.get("identifier"), EXTENSION_PATH, f"tasks.{slug}.identifier"),
        billing_code=_text(ext.get("billingCode"), EXTENSION_PATH, f"tasks.{slug}.billingCode"),
        labels=[str(x) for x in labels],
        timestamps=stamps,
        recurring=recurring,
        routine=routine,
    )


def _goals(raw: dict[str, Any], warnings: list[str]) -> list[GoalSpec]:
    out = []
    for slug in sorted(raw):
        spec = _mapping(raw[slug], EXTENSION_PATH, f"goals.{slug}")
        _unknown(spec, EXT_GOAL_FIELDS, f"{EXTENSION_PATH} goals.{slug}", warnings)
        out.append(
            GoalSpec(
                slug=slug,
                title=_text(spec.get("title"), EXTENSION_PATH, f"goals.{slug}.title") or slug,
                description=_text(spec.get("description"), EXTENSION_PATH, f"goals.{slug}.description"),
                level=_text(spec.get("level"), EXTENSION_PATH, f"goals.{slug}.level") or "task",
                status=_text(spec.get("status"), EXTENSION_PATH, f"goals.{slug}.status") or "planned",
                parent=_text(spec.get("parent"), EXTENSION_PATH, f"goals.{slug}.parent"),
                owner=_text(spec.get("owner"), EXTENSION_PATH, f"goals.{slug}.owner"),
            )
        )
    return out
