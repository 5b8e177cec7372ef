# Fallback mappings for commands whose probe timed out or failed validation; checked against the OpenAPI paths.
def o(flag, kind="str", to="body", key=None, short=None, default=None):
    return dict(flag=flag, kind=kind, to=to, key=key, short=short, default=default)


ISSUE_FIELDS = [
    o("--title"),
    o("--description"),
    o("--status"),
    o("--priority"),
    o("--assignee-agent-id"),
    o("--project-id"),
    o("--goal-id"),
    o("--parent-id"),
    o("--request-depth", "int"),
    o("--billing-code"),
]
PROJECT = [
    o("--name"),
    o("--description", "nullable"),
    o("--status"),
    o("--goal-id", "nullable"),
    o("--goal-ids", "csv"),
    o("--lead-agent-id", "nullable"),
    o("--target-date", "nullable"),
    o("--color", "nullable"),
    o("--env-json", "json", key="env"),
    o("--execution-workspace-policy-json", "json", key="executionWorkspacePolicy"),
]
GOAL = [
    o("--title"),
    o("--description", "nullable"),
    o("--level"),
    o("--status"),
    o("--parent-id", "nullable"),
    o("--owner-agent-id", "nullable"),
]
MANUAL = {
    ("project", "create"): dict(
        method="POST", path="/api/companies/{companyId}/projects", args=[], opts=PROJECT
    ),
    ("project", "update"): dict(
        method="PATCH",
        path="/api/projects/{projectId}",
        args=["projectId"],
        opts=PROJECT + [o("--archived-at", "nullable")],
    ),
    ("goal", "create"): dict(method="POST", path="/api/companies/{companyId}/goals", args=[], opts=GOAL),
    ("goal", "update"): dict(method="PATCH", path="/api/goals/{goalId}", args=["goalId"], opts=GOAL),
    ("approval", "create"): dict(
        method="POST",
        path="/api/companies/{companyId}/approvals",
        args=[],
        opts=[o("--type"), o("--payload", "json"), o("--requested-by-agent-id"), o("--issue-ids", "csv")],
    ),
    ("issue", "document:put"): dict(
        method="PUT",
        path="/api/issues/{issueId}/documents/{key}",
        args=["issueId", "key"],
        opts=[
            o("--title"),
            o("--format", default="markdown"),
            o("--body"),
            o("--body-file", "file", key="body"),
            o("--change-summary"),
            o("--base-revision-id"),
        ],
    ),
    ("issue", "label:create"): dict(
        method="POST", path="/api/companies/{companyId}/labels", args=[], opts=[o("--name"), o("--color")]
    ),
    ("issue", "child:create"): dict(
        method="POST",
        path="/api/issues/{issueId}/children",
        args=["issueId"],
        opts=[o("--payload-json", "json", "payload")],
    ),
    ("issue", "work-product:create"): dict(
        method="POST",
        path="/api/issues/{issueId}/work-products",
        args=["issueId"],
        opts=[o("--payload-json", "json", "payload")],
    ),
    ("issue", "interaction:create"): dict(
        method="POST",
        path="/api/issues/{issueId}/interactions",
        args=["issueId"],
        opts=[o("--payload-json", "json", "payload")],
    ),
    ("token", "agent:create"): dict(
        method="POST", path="/api/agents/{agent}/keys", args=[], opts=[o("--agent", to="local"), o("--name")]
    ),
    ("token", "agent:list"): dict(
        method="GET", path="/api/agents/{agent}/keys", args=[], opts=[o("--agent", to="local")]
    ),
    ("token", "agent:revoke"): dict(
        method="DELETE",
        path="/api/agents/{agent}/keys/{keyId}",
        args=["keyId"],
        opts=[o("--agent", to="local")],
    ),
    ("issue", "create"): dict(
        method="POST", path="/api/companies/{companyId}/issues", args=[], opts=ISSUE_FIELDS
    ),
    ("issue", "update"): dict(
        method="PATCH",
        path="/api/issues/{issueId}",
        args=["issueId"],
        opts=ISSUE_FIELDS + [o("--comment"), o("--hidden-at", "nullable")],
    ),
    ("issue", "comments"): dict(
        method="GET",
        path="/api/issues/{issueId}/comments",
        args=["issueId"],
        opts=[
            o("--after-comment-id", to="query", key="after"),
            o("--order", to="query"),
            o("--limit", "int", to="query"),
        ],
    ),
    ("issue", "checkout"): dict(
        method="POST",
        path="/api/issues/{issueId}/checkout",
        args=["issueId"],
        opts=[o("--agent-id"), o("--expected-statuses", "csv")],
    ),
    ("issue", "comment"): dict(
        method="POST",
        path="/api/issues/{issueId}/comments",
        args=["issueId"],
        opts=[
            o("--body"),
            o("--attachment-id", "list", key="attachmentIds"),
            o("--reopen", "bool"),
            o("--resume", "bool"),
        ],
    ),
    ("issue", "comment:get"): dict(
        method="GET",
        path="/api/issues/{issueId}/comments/{commentId}",
        args=["issueId", "commentId"],
        opts=[],
    ),
    ("issue", "heartbeat-context"): dict(
        method="GET", path="/api/issues/{issueId}/heartbeat-context", args=["issueId"], opts=[]
    ),
    ("issue", "release"): dict(
        method="POST", path="/api/issues/{issueId}/release", args=["issueId"], opts=[]
    ),
    ("agent", "get"): dict(method="GET", path="/api/agents/{agentId}", args=["agentId"], opts=[]),
    ("agent", "create"): dict(
        method="POST",
        path="/api/companies/{companyId}/agents",
        args=[],
        opts=[o("--payload-json", "json", "payload")],
    ),
    ("agent", "hire"): dict(
        method="POST",
        path="/api/companies/{companyId}/agent-hires",
        args=[],
        opts=[o("--payload-json", "json", "payload")],
    ),
    ("agent", "update"): dict(
        method="PATCH",
        path="/api/agents/{agentId}",
        args=["agentId"],
        opts=[o("--payload-json", "json", "payload")],
    ),
    ("agent", "pause"): dict(method="POST", path="/api/agents/{agentId}/pause", args=["agentId"], opts=[]),
    ("cost", "summary"): dict(
        method="GET",
        path="/api/companies/{companyId}/costs/summary",
        args=[],
        opts=[o("--from", to="query"), o("--to", to="query")],
    ),
    ("cost", "by-agent-model"): dict(
        method="GET",
        path="/api/companies/{companyId}/costs/by-agent-model",
        args=[],
        opts=[o("--from", to="query"), o("--to", to="query")],
    ),
    ("cost", "by-provider"): dict(
        method="GET",
        path="/api/companies/{companyId}/costs/by-provider",
        args=[],
        opts=[o("--from", to="query"), o("--to", to="query")],
    ),
    ("cost", "by-project"): dict(
        method="GET",
        path="/api/companies/{companyId}/costs/by-project",
        args=[],
        opts=[o("--from", to="query"), o("--to", to="query")],
    ),
}
