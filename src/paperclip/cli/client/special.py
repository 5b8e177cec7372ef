"""Commands that do more than map flags onto one request."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from paperclip.cli.client import context, http
from paperclip.cli.client.main import UsageError, build_request
from paperclip.cli.client.spec import Cmd


def context_show(cmd: Cmd, args, conn) -> dict:
    data = context.load(conn.context_file)
    name, profile = context.active_profile(data, getattr(args, "profile", None))
    return {
        "contextPath": str(conn.context_file),
        "currentProfile": data.get("currentProfile"),
        "profileName": name,
        "profile": profile,
    }


def context_list(cmd: Cmd, args, conn) -> list[dict]:
    data = context.load(conn.context_file)
    current = data.get("currentProfile")
    return [
        {"name": name, "current": name == current, **(profile or {})}
        for name, profile in data["profiles"].items()
    ]


def context_use(cmd: Cmd, args, conn) -> dict:
    data = context.load(conn.context_file)
    if args.name not in data["profiles"]:
        raise UsageError(
            f"no profile named {args.name!r} in {conn.context_file} (create it with `context set --profile {args.name}`)"
        )
    data["currentProfile"] = args.name
    context.save(conn.context_file, data)
    return context_show(cmd, argparse_ns(profile=args.name), conn)


def context_set(cmd: Cmd, args, conn) -> dict:
    data = context.load(conn.context_file)
    name = getattr(args, "profile", None) or data.get("currentProfile") or "default"
    profile = dict(data["profiles"].get(name) or {})
    fields = {
        "api_base": "apiBase",
        "company_id": "companyId",
        "persona": "persona",
        "agent_id": "agentId",
        "agent_name": "agentName",
        "api_key_env_var_name": "apiKeyEnvVarName",
    }
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
    return {
        "contextPath": str(conn.context_file),
        "currentProfile": data["currentProfile"],
        "profileName": name,
        "profile": profile,
    }


def argparse_ns(**values):
    import argparse

    return argparse.Namespace(**values)


def issue_list(cmd: Cmd, args, conn) -> object:
    path, query, _ = build_request(cmd, args, conn)
    _, body, _ = http.request(conn, "GET", path, query=query)
    needle = (getattr(args, "match", None) or "").lower()
    if needle and isinstance(body, list):
        body = [
            issue
            for issue in body
            if any(
                needle in str(issue.get(field) or "").lower()
                for field in ("identifier", "title", "description")
            )
        ]
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
    raise UsageError(
        "no current company: pass -C/--company-id, set PAPERCLIP_COMPANY_ID, or `paperclipai context set --company-id ID`"
    )


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


def token_board_create(cmd: Cmd, args, conn) -> object:
    """The body the original CLI sends: name, requestedCompanyId (-C), and expiresAt from one of
    --expires-at / --ttl-days / --never-expires (null = never; no field = the server's default)."""
    from datetime import UTC, datetime, timedelta

    chosen = [
        flag
        for flag, value in (
            ("--expires-at", args.expires_at),
            ("--ttl-days", args.ttl_days),
            ("--never-expires", args.never_expires or None),
        )
        if value is not None
    ]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} cannot be combined")
    body: dict = {"name": args.name or "cli-board"}
    if args.never_expires:
        body["expiresAt"] = None
    elif args.expires_at:
        body["expiresAt"] = args.expires_at
    elif args.ttl_days is not None:
        if args.ttl_days <= 0:
            raise UsageError("--ttl-days must be a positive number of days")
        when = datetime.now(UTC) + timedelta(days=args.ttl_days)
        body["expiresAt"] = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body["requestedCompanyId"] = conn.company_id or None
    _, result, _ = http.request(conn, "POST", cmd.path, body=body)
    return result


def agent_wake(cmd: Cmd, args, conn) -> object:
    """As the original CLI: look the agent up (id, shortname or name), then POST its wakeup with the
    body it sends (source on_demand and trigger manual unless given)."""
    path, query, _ = build_request(cmd, args, conn)
    _, agent, _ = http.request(conn, "GET", path, query=query)
    agent_id = agent.get("id") if isinstance(agent, dict) else None
    if not agent_id:
        raise UsageError(f"no agent found for {args.agentRef!r}")
    body: dict = {"source": args.source or "on_demand", "triggerDetail": args.trigger or "manual"}
    if args.reason:
        body["reason"] = args.reason
    if args.payload is not None:
        try:
            body["payload"] = json.loads(args.payload)
        except ValueError as exc:
            raise UsageError(f"--payload: not valid JSON ({exc})") from exc
    if args.idempotency_key:
        body["idempotencyKey"] = args.idempotency_key
    body["forceFreshSession"] = bool(args.force_fresh_session)
    _, result, _ = http.request(conn, "POST", f"/api/agents/{agent_id}/wakeup", body=body)
    return result


def company_export(cmd: Cmd, args, conn) -> object:
    from paperclip.cli.client.portability import company_export as export

    return export(cmd, args, conn)


def company_import(cmd: Cmd, args, conn) -> object:
    from paperclip.cli.client.portability import company_import as run_import

    return run_import(cmd, args, conn)


def feedback_report(cmd: Cmd, args, conn) -> object:
    from paperclip.cli.client.feedback import report

    return report(cmd, args, conn)


def feedback_folder_export(cmd: Cmd, args, conn) -> object:
    from paperclip.cli.client.feedback import export

    return export(cmd, args, conn)


def feedback_export(cmd: Cmd, args, conn) -> object:
    """`company|issue feedback:export`: the traces as NDJSON (default) or a JSON array, to --out or stdout."""
    fmt = getattr(args, "format", None) or "ndjson"
    if fmt not in ("json", "ndjson"):
        raise UsageError(f"--format: expected json or ndjson, got {fmt!r}")
    path, query, _ = build_request(cmd, args, conn)
    _, body, _ = http.request(conn, "GET", path, query=query)
    traces = body if isinstance(body, list) else []
    if fmt == "json":
        text = json.dumps(traces, indent=2) + "\n"
    else:
        text = "".join(json.dumps(trace, separators=(",", ":")) + "\n" for trace in traces)
    out = getattr(args, "out", None)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        sys.stdout.write(f"Wrote {len(traces)} feedback trace(s) to {out}\n")
    else:
        sys.stdout.write(text)
    return None
