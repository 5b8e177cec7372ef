"""`company export` and `company import`: a company package between a local folder and the API.

The folder is read and written here, on the caller's machine; the server only sees `{path: text}`.
A symlink pointing outside the folder is refused (the server never learns about symlinks), binary
files travel as base64, and export writes only paths that stay inside `--out`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from pathlib import Path

from paperclip.cli.client import http
from paperclip.cli.client.main import UsageError
from paperclip.cli.client.spec import Cmd

PACKAGE_ENTRIES = (
    "COMPANY.md",
    "README.md",
    ".paperclip.yaml",
    "agents",
    "projects",
    "tasks",
    "skills",
    "images",
)
INCLUDE_WORDS = ("company", "agents", "projects", "issues", "tasks", "skills")


def _csv(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def _include(raw: str | None, default: str | None) -> dict[str, bool] | None:
    words = _csv(raw if raw is not None else default)
    if words is None:
        return None
    unknown = sorted(set(words) - set(INCLUDE_WORDS))
    if unknown:
        raise UsageError(f"--include: unknown value(s) {', '.join(unknown)} (use {','.join(INCLUDE_WORDS)})")
    return {
        "company": "company" in words,
        "agents": "agents" in words,
        "projects": "projects" in words,
        "issues": "issues" in words or "tasks" in words,
        "skills": "skills" in words,
    }


def _inside(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if rel.startswith("/") or ".." in rel.split("/") or not target.is_relative_to(root.resolve()):
        raise UsageError(f"the server sent a file path outside the output folder: {rel!r}")
    return target


def company_export(cmd: Cmd, args, conn) -> object:
    if not args.out:
        raise UsageError("--out DIR is required")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory")
    body: dict = {"include": _include(args.include, "company,agents")}
    for flag, key in (
        ("skills", "skills"),
        ("projects", "projects"),
        ("issues", "issues"),
        ("project_issues", "projectIssues"),
    ):
        if getattr(args, flag, None):
            body[key] = _csv(getattr(args, flag))
    if args.expand_referenced_skills:
        body["expandReferencedSkills"] = True
    existing = [p for p in out.iterdir() if p.name != ".git"] if out.is_dir() else []
    if existing and not args.force:
        raise UsageError(f"output directory {out} is not empty; pass --force to overwrite it")
    _, result, _ = http.request(conn, "POST", f"/api/companies/{args.companyId}/exports", body=body)
    if not isinstance(result, dict) or not isinstance(result.get("files"), dict):
        raise UsageError("the server's export answer has no files")
    out.mkdir(parents=True, exist_ok=True)
    for entry in PACKAGE_ENTRIES:  # a stale file of an earlier export must not survive --force
        old = out / entry
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()
    for rel, content in sorted(result["files"].items()):
        target = _inside(out, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict) and content.get("encoding") == "base64":
            target.write_bytes(base64.b64decode(content.get("data") or ""))
        else:
            target.write_text(str(content), encoding="utf-8")
    warnings = result.get("warnings") or []
    if not args.json:
        for warning in warnings:
            sys.stderr.write(f"warning={warning}\n")
    return {
        "ok": True,
        "out": str(out),
        "rootPath": result.get("rootPath"),
        "filesWritten": len(result["files"]),
        "paperclipExtensionPath": result.get("paperclipExtensionPath"),
        "warningCount": len(warnings),
    }


def read_folder(folder: Path) -> dict[str, object]:
    """Every file under `folder` (`.git` left out) as `{relative path: text | {encoding: base64, data}}`."""
    root = folder.resolve()
    files: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for d in list(dirnames):
            if (Path(dirpath) / d).is_symlink() and not (Path(dirpath) / d).resolve().is_relative_to(root):
                rel = (Path(dirpath) / d).relative_to(folder).as_posix()
                raise UsageError(f"{rel}: a symlink pointing outside the package folder; refusing to read it")
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                raise UsageError(f"{rel}: a symlink pointing outside the package folder; refusing to read it")
            data = path.read_bytes()
            try:
                files[rel] = data.decode("utf-8")
            except UnicodeDecodeError:
                files[rel] = {"encoding": "base64", "data": base64.b64encode(data).decode()}
    return files


def _secret_values(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--secrets-file: cannot read {path} ({exc.strerror})") from exc
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"--secrets-file: not valid JSON ({exc})") from exc
        return {str(k): str(v) for k, v in data.items()}
    values = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            if not sep:
                raise UsageError(f"--secrets-file: expected KEY=VALUE lines, got {line.strip()[:40]!r}")
            values[key.strip()] = value.strip()
    return values


def _target(args, conn) -> dict:
    target = args.target or ("existing" if args.company_id else "new")
    if target not in ("new", "existing"):
        raise UsageError("--target must be new or existing")
    if target == "existing":
        company_id = args.company_id or conn.company_id
        if not company_id:
            raise UsageError("--target existing needs -C/--company-id")
        return {"mode": "existing_company", "companyId": company_id}
    body = {"mode": "new_company"}
    if args.new_company_name:
        body["newCompanyName"] = args.new_company_name
    return body


def company_import(cmd: Cmd, args, conn) -> object:
    source = args.fromPathOrUrl
    folder = Path(source)
    if not folder.is_dir():
        if source.startswith(("http://", "https://")) or source.count("/") >= 1 and not folder.exists():
            raise UsageError(
                f"{source}: only local package folders are supported (clone the repository first)"
            )
        raise UsageError(f"{source}: no such folder")
    if args.paperclip_url and not args.api_base:
        conn.api_base = args.paperclip_url
    if args.collision not in ("rename", "skip", "replace"):
        raise UsageError("--collision must be rename, skip or replace")
    body: dict = {
        "source": {"type": "inline", "rootPath": folder.resolve().name, "files": read_folder(folder)},
        "target": _target(args, conn),
        "collisionStrategy": args.collision,
        "agents": "all" if (args.agents or "all") == "all" else _csv(args.agents),
        "secretValues": _secret_values(args.secrets_file),
    }
    include = _include(args.include, None)
    if include is not None:
        body["include"] = include
    if args.dry_run or (not args.yes and not args.json and sys.stdin.isatty()):
        _, answer, _ = http.request(conn, "POST", "/api/companies/import/preview", body=body)
        preview: dict = answer if isinstance(answer, dict) else {}
        if args.json and args.dry_run:
            return preview
        sys.stdout.write(render_preview(preview, folder.resolve().name))
        if args.dry_run:
            if preview.get("errors"):
                raise http.ApiError(422, "the import would be refused (see Errors above)", None)
            return None
        if input("Apply this import? [y/N] ").strip().lower() not in ("y", "yes"):
            raise UsageError("import cancelled")
    _, result, _ = http.request(conn, "POST", "/api/companies/import", body=body)
    if args.json or not isinstance(result, dict):
        return result
    sys.stdout.write(render_result(result))
    return None


def _counts(plans: list[dict], noun: str) -> str:
    actions: dict[str, int] = {}
    for p in plans:
        actions[p["action"]] = actions.get(p["action"], 0) + 1
    detail = ", ".join(f"{n} {a}" for a, n in sorted(actions.items()))
    return f"{len(plans)} {noun}{'' if len(plans) == 1 else 's'} total" + (f" ({detail})" if detail else "")


def render_preview(preview: dict, source: str) -> str:
    include = [k for k, v in (preview.get("include") or {}).items() if v]
    manifest = preview.get("manifest") or {}
    counts = manifest.get("counts") or {}
    inputs = preview.get("envInputs") or []
    plan = preview.get("plan") or {}
    target = preview.get("targetCompanyName") or "a new company"
    lines = [
        "Import Preview",
        f"Source  Local package: {source}",
        f"Target  {target}",
        f"Include {', '.join('tasks' if k == 'issues' else k for k in include)}",
        f"Mode    {preview.get('collisionStrategy')} collisions",
        "",
        "Package",
        f"- company: {(manifest.get('company') or {}).get('name')}",
    ]
    for key in ("agents", "projects", "issues", "goals", "skills"):
        lines.append(f"- {'tasks' if key == 'issues' else key}: {counts.get(key, 0)}")
    required = sum(1 for i in inputs if i.get("requirement") == "required")
    lines += [
        f"- env inputs: {len(inputs)} ({required} required)",
        "",
        "Plan",
        f"- company: {'unchanged' if plan.get('companyAction') == 'none' else plan.get('companyAction')}",
        f"- agents: {_counts(plan.get('agentPlans') or [], 'agent')}",
        f"- projects: {_counts(plan.get('projectPlans') or [], 'project')}",
        f"- tasks: {_counts(plan.get('issuePlans') or [], 'task')}",
    ]
    for title, key, name_key in (
        ("Agents", "agentPlans", "plannedName"),
        ("Projects", "projectPlans", "plannedName"),
        ("Tasks", "issuePlans", "plannedTitle"),
    ):
        rows = plan.get(key) or []
        if rows:
            lines += ["", title]
            for row in rows:
                reason = f" ({row['reason']})" if row.get("reason") else ""
                lines.append(f"- {row['action']} {row['slug']} -> {row[name_key]}{reason}")
    for title, key in (("Warnings", "warnings"), ("Errors", "errors")):
        if preview.get(key):
            lines += ["", title] + [f"- {item}" for item in preview[key]]
    return "\n".join(lines) + "\n"


def render_result(result: dict) -> str:
    company = result.get("company") or {}
    lines = [f"Company {company.get('name')} ({company.get('id')}): {company.get('action')}"]
    for key in ("agents", "projects", "routines"):
        rows = result.get(key) or []
        for row in rows:
            lines.append(
                f"- {key[:-1]} {row.get('slug')}: {row.get('action')} {row.get('name') or row.get('title')}"
            )
    issues = result.get("issues") or []
    if issues:
        lines.append(f"- tasks: {len(issues)} created")
    for warning in result.get("warnings") or []:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"
