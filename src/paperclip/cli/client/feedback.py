"""`feedback report` (a terminal report of a company's feedback traces) and `feedback export` (votes,
traces and each trace's bundle written into a folder plus a zip archive of it), in the original's
layout and wording. Both speak HTTP only: the company's trace list, then one bundle per trace."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from paperclip.cli.client import http
from paperclip.cli.client.main import UsageError, build_request
from paperclip.cli.client.spec import Cmd

RULE = "-" * 72
EXPORT_STATUSES = ("pending", "sent", "local_only", "failed")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _traces(cmd: Cmd, args, conn) -> list[dict]:
    path, query, _ = build_request(cmd, args, conn)
    query = {**(query or {}), "includePayload": "true"}
    _, body, _ = http.request(conn, "GET", path, query=query)
    return body if isinstance(body, list) else []


def _reason(trace: dict) -> str | None:
    vote = (trace.get("payloadSnapshot") or {}).get("vote") or {}
    return vote.get("reason") or None


def _summary(traces: list[dict]) -> dict:
    statuses: dict[str, int] = {}
    for trace in traces:
        statuses[trace["status"]] = statuses.get(trace["status"], 0) + 1
    return {
        "total": len(traces),
        "thumbsUp": sum(1 for t in traces if t.get("vote") == "up"),
        "thumbsDown": sum(1 for t in traces if t.get("vote") == "down"),
        "withReason": sum(1 for t in traces if t.get("vote") == "down" and _reason(t)),
        "statuses": statuses,
    }


def _counts(rows: list[tuple[int, str]]) -> list[str]:
    width = max(len(str(n)) for n, _ in rows)
    return [f"  {str(n).rjust(width)}  {label}" for n, label in rows]


def _header(title: str, moment: datetime) -> list[str]:
    return ["", title, _iso(moment), RULE]


def _name(trace: dict, ident: str) -> str:
    return f"{trace.get('issueIdentifier') or str(trace['issueId'])[:8]}-{ident[:8]}"


def report(cmd: Cmd, args, conn) -> object:
    company_id = conn.company_id or ""
    traces = _traces(cmd, args, conn)
    summary = _summary(traces)
    if args.json:
        return {"apiBase": conn.api_base, "companyId": company_id, "summary": summary, "traces": traces}
    lines = _header("Paperclip Feedback Report", _now())
    lines += [f"Server:  {conn.api_base}", f"Company: {company_id}", ""]
    if not traces:
        lines += ["[!!] No feedback traces found.", ""]
        sys.stdout.write("\n".join(lines) + "\n")
        return None
    lines += ["Summary", RULE]
    lines += _counts(
        [
            (summary["thumbsUp"], "thumbs up"),
            (summary["thumbsDown"], "thumbs down"),
            (summary["withReason"], "downvotes with a reason"),
            (summary["total"], "total traces"),
        ]
    )
    lines += ["", "Export status:"]
    width = max(len(s) for s in EXPORT_STATUSES)
    lines += [f"  {s.ljust(width)} {summary['statuses'].get(s, 0)}" for s in EXPORT_STATUSES]
    lines += ["", "Trace Details", RULE]
    for trace in traces:
        target = trace.get("targetSummary") or {}
        mark = "^" if trace.get("vote") == "up" else "v"
        created = str(trace.get("createdAt") or "")[:19].replace("T", " ")
        lines.append(f"  {mark} {trace.get('issueIdentifier') or ''} {trace.get('issueTitle') or ''}")
        lines.append(f"    Trace: {trace['id'][:8]}  Status: {trace['status']}  Date: {created}")
        lines.append(f"    Target: {target.get('label') or trace.get('targetType')}")
        if target.get("excerpt"):
            lines.append(f"    Excerpt: {target['excerpt']}")
        if _reason(trace):
            lines.append(f"    Reason: {_reason(trace)}")
        lines.append("")
    if getattr(args, "payloads", False):
        lines += ["Raw Payloads", RULE]
        for trace in traces:
            lines.append(f"  {trace.get('issueIdentifier') or ''} ({trace['id'][:8]})")
            dump = json.dumps(trace.get("payloadSnapshot"), indent=2, ensure_ascii=False)
            lines += ["    " + line for line in dump.splitlines()]
            lines.append("")
    lines += [RULE, f"Report complete. {len(traces)} trace(s) displayed.", ""]
    sys.stdout.write("\n".join(lines) + "\n")
    return None


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _inside(root: Path, relative: str) -> Path:
    """A bundle file's path under its trace folder; one that would leave it is refused."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise UsageError(f"bundle file path {relative!r} leaves its folder")
    return root.joinpath(*parts)


def _vote_file(trace: dict) -> dict:
    return {
        "voteId": trace["feedbackVoteId"],
        "traceId": trace["id"],
        "issueId": trace["issueId"],
        "issueIdentifier": trace.get("issueIdentifier"),
        "issueTitle": trace.get("issueTitle"),
        "vote": trace.get("vote"),
        "targetType": trace.get("targetType"),
        "targetId": trace.get("targetId"),
        "targetSummary": trace.get("targetSummary"),
        "status": trace.get("status"),
        "consentVersion": trace.get("consentVersion"),
        "createdAt": trace.get("createdAt"),
        "updatedAt": trace.get("updatedAt"),
        "reason": _reason(trace),
    }


def export(cmd: Cmd, args, conn) -> object:
    company_id = conn.company_id or ""
    moment = _now()
    out = getattr(args, "out", None) or f"feedback-export-{moment.strftime('%Y%m%dT%H%M%SZ')}"
    root = Path(os.path.abspath(out))
    zip_path = root.parent / f"{root.name}.zip"
    traces = _traces(cmd, args, conn)
    votes, trace_files, bundles = [], [], []
    for part in ("votes", "traces", "full-traces"):
        (root / part).mkdir(parents=True, exist_ok=True)
    for trace in traces:
        vote_name = f"{_name(trace, trace['feedbackVoteId'])}.json"
        _write_json(root / "votes" / vote_name, _vote_file(trace))
        votes.append(vote_name)
        trace_name = _name(trace, trace["id"])
        _write_json(root / "traces" / f"{trace_name}.json", trace)
        trace_files.append(f"{trace_name}.json")
        _, bundle, _ = http.request(conn, "GET", f"/api/feedback-traces/{trace['id']}/bundle")
        folder = root / "full-traces" / trace_name
        _write_json(folder / "bundle.json", bundle)
        files = bundle.get("files") if isinstance(bundle, dict) else None
        for item in files or []:
            target = _inside(folder, str(item["path"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.get("contents") or "", encoding="utf-8")
        bundles.append(trace_name)
    summary = _summary(traces)
    issues = sorted({str(t.get("issueIdentifier") or t["issueId"]) for t in traces})
    summary.update(uniqueIssues=len(issues), issues=issues)
    index = {
        "exportedAt": _iso(moment),
        "serverUrl": conn.api_base,
        "companyId": company_id,
        "summary": summary,
        "files": {
            "votes": sorted(votes),
            "traces": sorted(trace_files),
            "fullTraces": sorted(bundles),
            "zip": zip_path.name,
        },
    }
    _write_json(root / "index.json", index)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = f"{root.name}/{path.relative_to(root).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, path.read_bytes())
    if args.json:
        return {"companyId": company_id, "outputDir": str(root), "zipPath": str(zip_path), "summary": summary}
    lines = _header("Paperclip Feedback Export", moment)
    lines += [f"Company: {company_id}", f"Output:  {root}", f"Archive: {zip_path}", ""]
    lines += ["Export Summary", RULE]
    lines += _counts(
        [
            (summary["thumbsUp"], "thumbs up"),
            (summary["thumbsDown"], "thumbs down"),
            (summary["withReason"], "with reason"),
            (summary["uniqueIssues"], "unique issues"),
        ]
    )
    lines += [
        "",
        "Files:",
        f"  {root / 'index.json'}",
        f"  {root / 'votes'} ({len(votes)} files)",
        f"  {root / 'traces'} ({len(trace_files)} files)",
        f"  {root / 'full-traces'} ({len(bundles)} bundles)",
        f"  {zip_path}",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return None
