"""Commands that do more than map flags onto one request."""

from __future__ import annotations

from paperclip.cli.client import context, http
from paperclip.cli.client.main import UsageError, build_request
from paperclip.cli.client.spec import Cmd


def context_show(cmd: Cmd, args, conn) -> dict:
    data = context.load(conn.context_file)
    name, profile = context.active_profile(data, getattr(args, "profile", None))
    return {"contextPath": str(conn.context_file), "currentProfile": data.get("currentProfile"), "profileName": name,
            "profile": profile}


def context_list(cmd: Cmd, args, conn) -> list[dict]:
    data = context.load(conn.context_file)
    current = data.get("currentProfile")
    return [{"name": name, "current": name == current, **(profile or {})} for name, profile in data["profiles"].items()]


def context_use(cmd: Cmd, args, conn) -> dict:
    data = context.load(conn.context_file)
    if args.name not in data["profiles"]:
        raise UsageError(f"no profile named {args.name!r} in {conn.context_file} (create it with `context set --profile {args.name}`)")
    data["currentProfile"] = args.name
    context.save(conn.context_file, data)
    return context_show(cmd, argparse_ns(profile=args.name), conn)


def context_set(cmd: Cmd, args, conn) -> dict:
    data = context.load(conn.context_file)
    name = getattr(args, "profile", None) or data.get("currentProfile") or "default"
    profile = dict(data["profiles"].get(name) or {})
    fields = {"api_base": "apiBase", "company_id": "companyId", "persona": "persona", "agent_id": "agentId",
              "agent_name": "agentName", "api_key_env_var_name": "apiKeyEnvVarName"}
    for dest, key in fields.items():
        value = getattr(args, dest, None)
        if value is not None:
            profile[key] = value
    if profile.get("persona") not in (None, "board", "agent"):
        raise UsageError("--persona must be board or agent")
    data["profiles"][name] = profile
    if args.use:
        data["currentProfile"] = name
    context.save(conn.context_file, data)
    return {"contextPath": str(conn.context_file), "currentProfile": data["currentProfile"], "profileName": name,
            "profile": profile}


def argparse_ns(**values):
    import argparse

    return argparse.Namespace(**values)


def issue_list(cmd: Cmd, args, conn) -> object:
    path, query, _ = build_request(cmd, args, conn)
    _, body, _ = http.request(conn, "GET", path, query=query)
    needle = (getattr(args, "match", None) or "").lower()
    if needle and isinstance(body, list):
        body = [issue for issue in body if any(needle in str(issue.get(field) or "").lower()
                                               for field in ("identifier", "title", "description"))]
    return body


def issue_get(cmd: Cmd, args, conn) -> object:
    path, query, _ = build_request(cmd, args, conn)
    _, body, _ = http.request(conn, "GET", path, query=query)
    return body


def company_current(cmd: Cmd, args, conn) -> object:
    if conn.company_id:
        _, body, _ = http.request(conn, "GET", f"/api/companies/{conn.company_id}")
        return body
    if conn.api_key:  # an agent's key knows its company
        _, me, _ = http.request(conn, "GET", "/api/agents/me")
        if isinstance(me, dict) and me.get("companyId"):
            _, body, _ = http.request(conn, "GET", f"/api/companies/{me['companyId']}")
            return body
    raise UsageError("no current company: pass -C/--company-id, set PAPERCLIP_COMPANY_ID, or `paperclipai context set --company-id ID`")


def issue_checkout(cmd: Cmd, args, conn) -> object:
    path, query, body = build_request(cmd, args, conn)
    body = dict(body or {})
    if not body.get("agentId"):
        agent_id = conn.agent_id
        if not agent_id:
            _, me, _ = http.request(conn, "GET", "/api/agents/me")
            agent_id = me.get("id") if isinstance(me, dict) else None
        if not agent_id:
            raise UsageError("--agent-id is needed when the credentials are not an agent's")
        body["agentId"] = agent_id
    body.setdefault("expectedStatuses", ["todo", "backlog", "blocked"])
    _, result, _ = http.request(conn, "POST", path, query=query, body=body)
    return result


def company_export(cmd: Cmd, args, conn) -> object:
    from paperclip.cli.client.portability import company_export as export

    return export(cmd, args, conn)


def company_import(cmd: Cmd, args, conn) -> object:
    from paperclip.cli.client.portability import company_import as run_import

    return run_import(cmd, args, conn)
