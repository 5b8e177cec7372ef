"""The client command catalog: each command, the route it calls and where its flags go.

Command and flag names follow the original CLI so scripts written for it run unchanged; each
command's help names the route it calls.
"""

from __future__ import annotations

from paperclip.cli.client.spec import Cmd, Opt

STANDALONE = {
    "health": Cmd("health", "GET", "/api/health", help="GET /api/health: the server's health"),
    "whoami": Cmd("whoami", "GET", "/api/cli-auth/me", help="GET /api/cli-auth/me: who the credentials act as"),
}

GROUPS: dict[str, tuple[str, list[Cmd]]] = {
    "health": ("GET /api/health: the server's health", []),
    "whoami": ("GET /api/cli-auth/me: who the credentials act as", []),
    "context": ("Context profiles (local file; no request)", [
        Cmd("show", "", "", help="Show the active profile", handler="context_show"),
        Cmd("list", "", "", help="List profiles", handler="context_list"),
        Cmd("use", "", "", help="Set the active profile", args=("name",), handler="context_use"),
        Cmd("set", "", "", help="Set values on a profile", handler="context_set", opts=(
            Opt("--api-base", to="local", help="Default API base URL"),
            Opt("--company-id", to="local", help="Default company ID"),
            Opt("--persona", to="local", help="board or agent"),
            Opt("--agent-id", to="local", help="Default agent ID (agent persona)"),
            Opt("--agent-name", to="local", help="Default agent display name"),
            Opt("--api-key-env-var-name", to="local", help="Environment variable holding the API key"),
            Opt("--use", "bool", to="local", help="Make this profile the active one"))),
    ]),
    "company": ("Companies", [
        Cmd('list', 'GET', '/api/companies', help="GET /api/companies"),
        Cmd('get', 'GET', '/api/companies/{companyId}', help="GET /api/companies/{companyId}", args=('companyId',)),
        Cmd('current', 'GET', '/api/companies/{companyId}', help="GET /api/companies/{companyId}", handler='company_current'),
        Cmd('stats', 'GET', '/api/companies/stats', help="GET /api/companies/stats"),
        Cmd('create', 'POST', '/api/companies', help="POST /api/companies", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('update', 'PATCH', '/api/companies/{companyId}', help="PATCH /api/companies/{companyId}", args=('companyId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('branding:update', 'PATCH', '/api/companies/{companyId}/branding', help="PATCH /api/companies/{companyId}/branding", args=('companyId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('archive', 'POST', '/api/companies/{companyId}/archive', help="POST /api/companies/{companyId}/archive", args=('companyId',)),
        Cmd('export:preview', 'POST', '/api/companies/{companyId}/exports/preview', help="POST /api/companies/{companyId}/exports/preview", args=('companyId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('export:api', 'POST', '/api/companies/{companyId}/exports', help="POST /api/companies/{companyId}/exports", args=('companyId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('import:preview', 'POST', '/api/companies/{companyId}/imports/preview', help="POST /api/companies/{companyId}/imports/preview", args=('companyId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('import:apply', 'POST', '/api/companies/{companyId}/imports/apply', help="POST /api/companies/{companyId}/imports/apply", args=('companyId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('export', 'POST', '/api/companies/{companyId}/exports', help="Export a company into a portable markdown package (POST /api/companies/{companyId}/exports, files written to --out)", args=('companyId',), handler='company_export', opts=(
            Opt('--out', to='local', help="Output directory"),
            Opt('--include', to='local', help="Comma-separated include set: company,agents,projects,issues,tasks,skills (default: company,agents)"),
            Opt('--skills', to='local', help="Comma-separated skill slugs/keys to export"),
            Opt('--projects', to='local', help="Comma-separated project shortnames/ids to export"),
            Opt('--issues', to='local', help="Comma-separated issue identifiers/ids to export"),
            Opt('--project-issues', to='local', help="Comma-separated project shortnames/ids whose issues should be exported"),
            Opt('--expand-referenced-skills', 'bool', to='local', help="Vendor skill contents instead of exporting upstream references"),
            Opt('--force', 'bool', to='local', help="Overwrite a non-empty output directory"))),
        Cmd('import', 'POST', '/api/companies/import', help="Import a portable markdown company package from a local folder (POST /api/companies/import; --dry-run: /api/companies/import/preview)", args=('fromPathOrUrl',), handler='company_import', opts=(
            Opt('--include', to='local', help="Comma-separated include set: company,agents,projects,issues,tasks,skills"),
            Opt('--target', to='local', help="Target mode: new | existing"),
            Opt('--company-id', to='local', help="Existing target company ID"),
            Opt('--new-company-name', to='local', help="Name override for --target new"),
            Opt('--agents', to='local', help="Comma-separated agent slugs to import, or all (default: all)"),
            Opt('--collision', to='local', default='rename', help="Collision strategy: rename | skip | replace (default: rename)"),
            Opt('--ref', to='local', help="Git ref for GitHub imports (not supported here: import a local folder)"),
            Opt('--paperclip-url', to='local', help="Alias for --api-base on this command"),
            Opt('--secrets-file', to='local', help="Values for the package's secret inputs: KEY=VALUE lines or a JSON object (agentSlug.KEY for one agent)"),
            Opt('--yes', 'bool', to='local', help="Skip the pre-import confirmation prompt"),
            Opt('--dry-run', 'bool', to='local', help="Run preview only without applying"))),
        Cmd('feedback:list', 'GET', '/api/companies/{companyId}/feedback-traces', help="GET /api/companies/{companyId}/feedback-traces", opts=(
            Opt('--target-type', to='query', help="query parameter targetType"),
            Opt('--vote', to='query', help="query parameter vote"),
            Opt('--status', to='query', help="query parameter status"),
            Opt('--project-id', to='query', help="query parameter projectId"),
            Opt('--issue-id', to='query', help="query parameter issueId"),
            Opt('--from', to='query', help="query parameter from"),
            Opt('--to', to='query', help="query parameter to"),
            Opt('--shared-only', 'bool', to='query', help="query parameter sharedOnly"),
            Opt('--include-payload', 'bool', to='query', help="query parameter includePayload"),)),
        Cmd('feedback:export', 'GET', '/api/companies/{companyId}/feedback-traces', help="GET /api/companies/{companyId}/feedback-traces", opts=(
            Opt('--target-type', to='query', help="query parameter targetType"),
            Opt('--vote', to='query', help="query parameter vote"),
            Opt('--status', to='query', help="query parameter status"),
            Opt('--project-id', to='query', help="query parameter projectId"),
            Opt('--issue-id', to='query', help="query parameter issueId"),
            Opt('--from', to='query', help="query parameter from"),
            Opt('--to', to='query', help="query parameter to"),
            Opt('--shared-only', 'bool', to='query', help="query parameter sharedOnly"),
            Opt('--include-payload', 'bool', to='query', help="query parameter includePayload"),
            Opt('--out', 'file', to='local', help="used by the CLI"),
            Opt('--format', to='local', help="used by the CLI"),)),
    ]),
    "issue": ("Issues: list, create, update, comment, checkout, documents, work products", [
        Cmd('list', 'GET', '/api/companies/{companyId}/issues', help="GET /api/companies/{companyId}/issues", handler='issue_list', opts=(
            Opt('--status', 'csv', to='query', help="query parameter status"),
            Opt('--assignee-agent-id', to='query', help="query parameter assigneeAgentId"),
            Opt('--project-id', to='query', help="query parameter projectId"),
            Opt('--match', to='local', help="used by the CLI"),)),
        Cmd('get', 'GET', '/api/issues/{idOrIdentifier}', help="GET /api/issues/{idOrIdentifier}", args=('idOrIdentifier',), handler='issue_get'),
        Cmd('delete', 'DELETE', '/api/issues/{issueId}', help="DELETE /api/issues/{issueId}", args=('issueId',), opts=(
            Opt('--yes', 'bool', to='local', help="used by the CLI"),)),
        Cmd('heartbeat-context', 'GET', '/api/issues/{issueId}/heartbeat-context', help="GET /api/issues/{issueId}/heartbeat-context", args=('issueId',)),
        Cmd('comments', 'GET', '/api/issues/{issueId}/comments', help="GET /api/issues/{issueId}/comments", args=('issueId',), opts=(
            Opt('--after-comment-id', to='query', help="query parameter afterCommentId"),
            Opt('--order', to='query', help="query parameter order"),
            Opt('--limit', 'int', to='query', help="query parameter limit"),)),
        Cmd('comment:get', 'GET', '/api/issues/{issueId}/comments/{commentId}', help="GET /api/issues/{issueId}/comments/{commentId}", args=('issueId', 'commentId')),
        Cmd('comment:delete', 'DELETE', '/api/issues/{issueId}/comments/{commentId}', help="DELETE /api/issues/{issueId}/comments/{commentId}", args=('issueId', 'commentId')),
        Cmd('approvals', 'GET', '/api/issues/{issueId}/approvals', help="GET /api/issues/{issueId}/approvals", args=('issueId',)),
        Cmd('approval:link', 'POST', '/api/issues/{issueId}/approvals', help="POST /api/issues/{issueId}/approvals", args=('issueId', 'approvalId')),
        Cmd('approval:unlink', 'DELETE', '/api/issues/{issueId}/approvals/{approvalId}', help="DELETE /api/issues/{issueId}/approvals/{approvalId}", args=('issueId', 'approvalId')),
        Cmd('read', 'POST', '/api/issues/{issueId}/read', help="POST /api/issues/{issueId}/read", args=('issueId',)),
        Cmd('unread', 'DELETE', '/api/issues/{issueId}/read', help="DELETE /api/issues/{issueId}/read", args=('issueId',)),
        Cmd('archive', 'POST', '/api/issues/{issueId}/inbox-archive', help="POST /api/issues/{issueId}/inbox-archive", args=('issueId',)),
        Cmd('unarchive', 'DELETE', '/api/issues/{issueId}/inbox-archive', help="DELETE /api/issues/{issueId}/inbox-archive", args=('issueId',)),
        Cmd('recovery-actions', 'GET', '/api/issues/{issueId}/recovery-actions', help="GET /api/issues/{issueId}/recovery-actions", args=('issueId',)),
        Cmd('force-release', 'POST', '/api/issues/{issueId}/admin/force-release', help="POST /api/issues/{issueId}/admin/force-release", args=('issueId',)),
        Cmd('work-products', 'GET', '/api/issues/{issueId}/work-products', help="GET /api/issues/{issueId}/work-products", args=('issueId',)),
        Cmd('work-product:update', 'PATCH', '/api/work-products/{workProductId}', help="PATCH /api/work-products/{workProductId}", args=('workProductId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('work-product:delete', 'DELETE', '/api/work-products/{workProductId}', help="DELETE /api/work-products/{workProductId}", args=('workProductId',)),
        Cmd('documents', 'GET', '/api/issues/{issueId}/documents', help="GET /api/issues/{issueId}/documents", args=('issueId',), opts=(
            Opt('--include-system', 'bool', to='query', help="query parameter includeSystem"),)),
        Cmd('document:get', 'GET', '/api/issues/{issueId}/documents/{key}', help="GET /api/issues/{issueId}/documents/{key}", args=('issueId', 'key')),
        Cmd('interactions', 'GET', '/api/issues/{issueId}/interactions', help="GET /api/issues/{issueId}/interactions", args=('issueId',)),
        Cmd('interaction:accept', 'POST', '/api/issues/{issueId}/interactions/{interactionId}/accept', help="POST /api/issues/{issueId}/interactions/{interactionId}/accept", args=('issueId', 'interactionId'), opts=(
            Opt('--selected-client-keys', 'csv', help="body field selectedClientKeys"),
            Opt('--selected-option-ids', 'csv', help="body field selectedOptionIds"),)),
        Cmd('interaction:reject', 'POST', '/api/issues/{issueId}/interactions/{interactionId}/reject', help="POST /api/issues/{issueId}/interactions/{interactionId}/reject", args=('issueId', 'interactionId'), opts=(
            Opt('--reason', help="body field reason"),)),
        Cmd('interaction:cancel', 'POST', '/api/issues/{issueId}/interactions/{interactionId}/cancel', help="POST /api/issues/{issueId}/interactions/{interactionId}/cancel", args=('issueId', 'interactionId'), opts=(
            Opt('--reason', help="body field reason"),)),
        Cmd('tree-state', 'GET', '/api/issues/{issueId}/tree-control/state', help="GET /api/issues/{issueId}/tree-control/state", args=('issueId',)),
        Cmd('tree-holds', 'GET', '/api/issues/{issueId}/tree-holds', help="GET /api/issues/{issueId}/tree-holds", args=('issueId',), opts=(
            Opt('--status', to='query', help="query parameter status"),
            Opt('--mode', to='query', help="query parameter mode"),
            Opt('--include-members', 'bool', to='query', help="query parameter includeMembers"),)),
        Cmd('tree-hold:get', 'GET', '/api/issues/{issueId}/tree-holds/{holdId}', help="GET /api/issues/{issueId}/tree-holds/{holdId}", args=('issueId', 'holdId')),
        Cmd('attachments', 'GET', '/api/issues/{issueId}/attachments', help="GET /api/issues/{issueId}/attachments", args=('issueId',)),
        Cmd('attachment:upload', 'POST', '/api/companies/{companyId}/issues/{issueId}/attachments', help="POST /api/companies/{companyId}/issues/{issueId}/attachments", args=('issueId',), opts=(
            Opt('--file', 'file', to='local', help="used by the CLI"),
            Opt('--comment-id', to='local', help="used by the CLI"),)),
        Cmd('attachment:download', 'GET', '/api/attachments/{attachmentId}/content', help="GET /api/attachments/{attachmentId}/content", args=('attachmentId',), opts=(
            Opt('--out', 'file', to='local', help="used by the CLI"),)),
        Cmd('attachment:delete', 'DELETE', '/api/attachments/{attachmentId}', help="DELETE /api/attachments/{attachmentId}", args=('attachmentId',)),
        Cmd('label:list', 'GET', '/api/companies/{companyId}/labels', help="GET /api/companies/{companyId}/labels"),
        Cmd('label:delete', 'DELETE', '/api/labels/{labelId}', help="DELETE /api/labels/{labelId}", args=('labelId',)),
        Cmd('feedback:votes', 'GET', '/api/issues/{issueId}/feedback-votes', help="GET /api/issues/{issueId}/feedback-votes", args=('issueId',)),
        Cmd('document:delete', 'DELETE', '/api/issues/{issueId}/documents/{key}', help="DELETE /api/issues/{issueId}/documents/{key}", args=('issueId', 'key')),
        Cmd('document:lock', 'POST', '/api/issues/{issueId}/documents/{key}/lock', help="POST /api/issues/{issueId}/documents/{key}/lock", args=('issueId', 'key')),
        Cmd('document:unlock', 'POST', '/api/issues/{issueId}/documents/{key}/unlock', help="POST /api/issues/{issueId}/documents/{key}/unlock", args=('issueId', 'key')),
        Cmd('document:revisions', 'GET', '/api/issues/{issueId}/documents/{key}/revisions', help="GET /api/issues/{issueId}/documents/{key}/revisions", args=('issueId', 'key')),
        Cmd('document:restore', 'POST', '/api/issues/{issueId}/documents/{key}/revisions/{revisionId}/restore', help="POST /api/issues/{issueId}/documents/{key}/revisions/{revisionId}/restore", args=('issueId', 'key', 'revisionId')),
        Cmd('feedback:list', 'GET', '/api/issues/{issueId}/feedback-traces', help="GET /api/issues/{issueId}/feedback-traces", args=('issueId',), opts=(
            Opt('--target-type', to='query', help="query parameter targetType"),
            Opt('--vote', to='query', help="query parameter vote"),
            Opt('--status', to='query', help="query parameter status"),
            Opt('--from', to='query', help="query parameter from"),
            Opt('--to', to='query', help="query parameter to"),
            Opt('--shared-only', 'bool', to='query', help="query parameter sharedOnly"),
            Opt('--include-payload', 'bool', to='query', help="query parameter includePayload"),)),
        Cmd('runs', 'GET', '/api/issues/{issueId}/runs', help="GET /api/issues/{issueId}/runs", args=('issueId',)),
        Cmd('live-runs', 'GET', '/api/issues/{issueId}/live-runs', help="GET /api/issues/{issueId}/live-runs", args=('issueId',)),
        Cmd('active-run', 'GET', '/api/issues/{issueId}/active-run', help="GET /api/issues/{issueId}/active-run", args=('issueId',)),
        Cmd('feedback:export', 'GET', '/api/issues/{issueId}/feedback-traces', help="GET /api/issues/{issueId}/feedback-traces", args=('issueId',), opts=(
            Opt('--target-type', to='query', help="query parameter targetType"),
            Opt('--vote', to='query', help="query parameter vote"),
            Opt('--status', to='query', help="query parameter status"),
            Opt('--from', to='query', help="query parameter from"),
            Opt('--to', to='query', help="query parameter to"),
            Opt('--shared-only', 'bool', to='query', help="query parameter sharedOnly"),
            Opt('--include-payload', 'bool', to='query', help="query parameter includePayload"),
            Opt('--out', 'file', to='local', help="used by the CLI"),
            Opt('--format', to='local', help="used by the CLI"),)),
        Cmd('release', 'POST', '/api/issues/{issueId}/release', help="POST /api/issues/{issueId}/release", args=('issueId',)),
        Cmd('document:put', 'PUT', '/api/issues/{issueId}/documents/{key}', help="PUT /api/issues/{issueId}/documents/{key}", args=('issueId', 'key'), opts=(
            Opt('--title', help="body field title"),
            Opt('--format', default='markdown', help="body field format"),
            Opt('--body', help="body field body"),
            Opt('--body-file', 'file', key='body', help="body field body"),
            Opt('--change-summary', help="body field changeSummary"),
            Opt('--base-revision-id', help="body field baseRevisionId"),)),
        Cmd('label:create', 'POST', '/api/companies/{companyId}/labels', help="POST /api/companies/{companyId}/labels", opts=(
            Opt('--name', help="body field name"),
            Opt('--color', help="body field color"),)),
        Cmd('child:create', 'POST', '/api/issues/{issueId}/children', help="POST /api/issues/{issueId}/children", args=('issueId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('work-product:create', 'POST', '/api/issues/{issueId}/work-products', help="POST /api/issues/{issueId}/work-products", args=('issueId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('interaction:create', 'POST', '/api/issues/{issueId}/interactions', help="POST /api/issues/{issueId}/interactions", args=('issueId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('create', 'POST', '/api/companies/{companyId}/issues', help="POST /api/companies/{companyId}/issues", opts=(
            Opt('--title', help="body field title"),
            Opt('--description', help="body field description"),
            Opt('--status', help="body field status"),
            Opt('--priority', help="body field priority"),
            Opt('--assignee-agent-id', help="body field assigneeAgentId"),
            Opt('--project-id', help="body field projectId"),
            Opt('--goal-id', help="body field goalId"),
            Opt('--parent-id', help="body field parentId"),
            Opt('--request-depth', 'int', help="body field requestDepth"),
            Opt('--billing-code', help="body field billingCode"),)),
        Cmd('update', 'PATCH', '/api/issues/{issueId}', help="PATCH /api/issues/{issueId}", args=('issueId',), opts=(
            Opt('--title', help="body field title"),
            Opt('--description', help="body field description"),
            Opt('--status', help="body field status"),
            Opt('--priority', help="body field priority"),
            Opt('--assignee-agent-id', help="body field assigneeAgentId"),
            Opt('--project-id', help="body field projectId"),
            Opt('--goal-id', help="body field goalId"),
            Opt('--parent-id', help="body field parentId"),
            Opt('--request-depth', 'int', help="body field requestDepth"),
            Opt('--billing-code', help="body field billingCode"),
            Opt('--comment', help="body field comment"),
            Opt('--hidden-at', 'nullable', help="body field hiddenAt"),)),
        Cmd('checkout', 'POST', '/api/issues/{issueId}/checkout', help="POST /api/issues/{issueId}/checkout", args=('issueId',), handler='issue_checkout', opts=(
            Opt('--agent-id', help="body field agentId"),
            Opt('--expected-statuses', 'csv', help="body field expectedStatuses"),)),
        Cmd('comment', 'POST', '/api/issues/{issueId}/comments', help="POST /api/issues/{issueId}/comments", args=('issueId',), opts=(
            Opt('--body', help="body field body"),
            Opt('--attachment-id', 'list', key='attachmentIds', help="body field attachmentIds"),
            Opt('--reopen', 'bool', help="body field reopen"),
            Opt('--resume', 'bool', help="body field resume"),)),
    ]),
    "agent": ("Agents: identity, inbox, lifecycle, configuration, wake-ups", [
        Cmd('me', 'GET', '/api/agents/me', help="GET /api/agents/me"),
        Cmd('inbox', 'GET', '/api/agents/me/inbox-lite', help="GET /api/agents/me/inbox-lite"),
        Cmd('inbox-mine', 'GET', '/api/agents/me/inbox/mine', help="GET /api/agents/me/inbox/mine", opts=(
            Opt('--user-id', to='query', help="query parameter userId"),
            Opt('--status', 'csv', to='query', help="query parameter status"),)),
        Cmd('list', 'GET', '/api/companies/{companyId}/agents', help="GET /api/companies/{companyId}/agents"),
        Cmd('get', 'GET', '/api/agents/{agentId}', help="GET /api/agents/{agentId}", args=('agentId',)),
        Cmd('hire', 'POST', '/api/companies/{companyId}/agent-hires', help="POST /api/companies/{companyId}/agent-hires", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('update', 'PATCH', '/api/agents/{agentId}', help="PATCH /api/agents/{agentId}", args=('agentId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('delete', 'DELETE', '/api/agents/{agentId}', help="DELETE /api/agents/{agentId}", args=('agentId',), opts=(
            Opt('--yes', 'bool', to='local', help="used by the CLI"),)),
        Cmd('pause', 'POST', '/api/agents/{agentId}/pause', help="POST /api/agents/{agentId}/pause", args=('agentId',)),
        Cmd('resume', 'POST', '/api/agents/{agentId}/resume', help="POST /api/agents/{agentId}/resume", args=('agentId',)),
        Cmd('approve', 'POST', '/api/agents/{agentId}/approve', help="POST /api/agents/{agentId}/approve", args=('agentId',)),
        Cmd('terminate', 'POST', '/api/agents/{agentId}/terminate', help="POST /api/agents/{agentId}/terminate", args=('agentId',)),
        Cmd('heartbeat:invoke', 'POST', '/api/agents/{agentId}/heartbeat/invoke', help="POST /api/agents/{agentId}/heartbeat/invoke", args=('agentId',)),
        Cmd('claude-login', 'POST', '/api/agents/{agentId}/claude-login', help="POST /api/agents/{agentId}/claude-login", args=('agentId',)),
        Cmd('configuration', 'GET', '/api/agents/{agentId}/configuration', help="GET /api/agents/{agentId}/configuration", args=('agentId',)),
        Cmd('config-revisions', 'GET', '/api/agents/{agentId}/config-revisions', help="GET /api/agents/{agentId}/config-revisions", args=('agentId',)),
        Cmd('config-revision:get', 'GET', '/api/agents/{agentId}/config-revisions/{revisionId}', help="GET /api/agents/{agentId}/config-revisions/{revisionId}", args=('agentId', 'revisionId')),
        Cmd('config-revision:rollback', 'POST', '/api/agents/{agentId}/config-revisions/{revisionId}/rollback', help="POST /api/agents/{agentId}/config-revisions/{revisionId}/rollback", args=('agentId', 'revisionId')),
        Cmd('runtime-state', 'GET', '/api/agents/{agentId}/runtime-state', help="GET /api/agents/{agentId}/runtime-state", args=('agentId',)),
        Cmd('runtime-state:reset-session', 'POST', '/api/agents/{agentId}/runtime-state/reset-session', help="POST /api/agents/{agentId}/runtime-state/reset-session", args=('agentId',), opts=(
            Opt('--task-key', help="body field taskKey"),)),
        Cmd('task-sessions', 'GET', '/api/agents/{agentId}/task-sessions', help="GET /api/agents/{agentId}/task-sessions", args=('agentId',)),
        Cmd('skills', 'GET', '/api/agents/{agentId}/skills', help="GET /api/agents/{agentId}/skills", args=('agentId',)),
        Cmd('instructions-bundle', 'GET', '/api/agents/{agentId}/instructions-bundle', help="GET /api/agents/{agentId}/instructions-bundle", args=('agentId',)),
        Cmd('instructions-bundle:update', 'PATCH', '/api/agents/{agentId}/instructions-bundle', help="PATCH /api/agents/{agentId}/instructions-bundle", args=('agentId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('instructions-file:get', 'GET', '/api/agents/{agentId}/instructions-bundle/file', help="GET /api/agents/{agentId}/instructions-bundle/file", args=('agentId',), opts=(
            Opt('--path', 'file', to='query', help="query parameter path"),)),
        Cmd('instructions-file:put', 'PUT', '/api/agents/{agentId}/instructions-bundle/file', help="PUT /api/agents/{agentId}/instructions-bundle/file", args=('agentId',), opts=(
            Opt('--path', 'file', key='content', help="body field content"),
            Opt('--content', help="body field content"),
            Opt('--content-file', 'file', key='content', help="body field content"),
            Opt('--clear-legacy-prompt-template', 'bool', help="body field clearLegacyPromptTemplate"),)),
        Cmd('instructions-file:delete', 'DELETE', '/api/agents/{agentId}/instructions-bundle/file', help="DELETE /api/agents/{agentId}/instructions-bundle/file", args=('agentId',), opts=(
            Opt('--path', 'file', to='query', help="query parameter path"),)),
        Cmd('wake', 'GET', '/api/agents/{agentRef}', help="GET /api/agents/{agentRef}, then POST /api/agents/{id}/wakeup", args=('agentRef',), handler='agent_wake', opts=(
            Opt('--company-id', to='query', help="query parameter companyId"),
            Opt('--source', to='local', help="used by the CLI"),
            Opt('--trigger', to='local', help="used by the CLI"),
            Opt('--reason', to='local', help="used by the CLI"),
            Opt('--payload', 'json', to='local', help="used by the CLI"),
            Opt('--idempotency-key', to='local', help="used by the CLI"),
            Opt('--force-fresh-session', 'bool', to='local', help="used by the CLI"),)),
        Cmd('local-cli', 'GET', '/api/agents/{agentRef}', help="GET /api/agents/{agentRef}", args=('agentRef',), opts=(
            Opt('--company-id', to='query', help="query parameter companyId"),
            Opt('--key-name', to='local', help="used by the CLI"),
            Opt('--no-install-skills', 'bool', to='local', help="used by the CLI"),)),
        Cmd('prompt', 'GET', '/api/agents/me', help="GET /api/agents/me", args=('prompt___',), opts=(
            Opt('--agent', to='local', help="used by the CLI"),
            Opt('--issue', to='local', help="used by the CLI"),
            Opt('--title', to='local', help="used by the CLI"),
            Opt('--no-wake', 'bool', to='local', help="used by the CLI"),)),
        Cmd('create', 'POST', '/api/companies/{companyId}/agents', help="POST /api/companies/{companyId}/agents", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
    ]),
    "project": ("Projects", [
        Cmd('list', 'GET', '/api/companies/{companyId}/projects', help="GET /api/companies/{companyId}/projects"),
        Cmd('get', 'GET', '/api/projects/{project}', help="GET /api/projects/{project}", args=('project',), opts=(
            Opt('--company-id', to='query', help="query parameter companyId"),)),
        Cmd('delete', 'DELETE', '/api/projects/{project}', help="DELETE /api/projects/{project}", args=('project',), opts=(
            Opt('--company-id', to='query', help="query parameter companyId"),
            Opt('--yes', 'bool', to='local', help="used by the CLI"),)),
        Cmd('create', 'POST', '/api/companies/{companyId}/projects', help="POST /api/companies/{companyId}/projects", opts=(
            Opt('--name', help="body field name"),
            Opt('--description', 'nullable', help="body field description"),
            Opt('--status', help="body field status"),
            Opt('--goal-id', 'nullable', help="body field goalId"),
            Opt('--goal-ids', 'csv', help="body field goalIds"),
            Opt('--lead-agent-id', 'nullable', help="body field leadAgentId"),
            Opt('--target-date', 'nullable', help="body field targetDate"),
            Opt('--color', 'nullable', help="body field color"),
            Opt('--env-json', 'json', key='env', help="body field env"),
            Opt('--execution-workspace-policy-json', 'json', key='executionWorkspacePolicy', help="body field executionWorkspacePolicy"),)),
        Cmd('update', 'PATCH', '/api/projects/{projectId}', help="PATCH /api/projects/{projectId}", args=('projectId',), opts=(
            Opt('--name', help="body field name"),
            Opt('--description', 'nullable', help="body field description"),
            Opt('--status', help="body field status"),
            Opt('--goal-id', 'nullable', help="body field goalId"),
            Opt('--goal-ids', 'csv', help="body field goalIds"),
            Opt('--lead-agent-id', 'nullable', help="body field leadAgentId"),
            Opt('--target-date', 'nullable', help="body field targetDate"),
            Opt('--color', 'nullable', help="body field color"),
            Opt('--env-json', 'json', key='env', help="body field env"),
            Opt('--execution-workspace-policy-json', 'json', key='executionWorkspacePolicy', help="body field executionWorkspacePolicy"),
            Opt('--archived-at', 'nullable', help="body field archivedAt"),)),
    ]),
    "goal": ("Goals", [
        Cmd('list', 'GET', '/api/companies/{companyId}/goals', help="GET /api/companies/{companyId}/goals"),
        Cmd('get', 'GET', '/api/goals/{goalId}', help="GET /api/goals/{goalId}", args=('goalId',)),
        Cmd('delete', 'DELETE', '/api/goals/{goalId}', help="DELETE /api/goals/{goalId}", args=('goalId',), opts=(
            Opt('--yes', 'bool', to='local', help="used by the CLI"),)),
        Cmd('create', 'POST', '/api/companies/{companyId}/goals', help="POST /api/companies/{companyId}/goals", opts=(
            Opt('--title', help="body field title"),
            Opt('--description', 'nullable', help="body field description"),
            Opt('--level', help="body field level"),
            Opt('--status', help="body field status"),
            Opt('--parent-id', 'nullable', help="body field parentId"),
            Opt('--owner-agent-id', 'nullable', help="body field ownerAgentId"),)),
        Cmd('update', 'PATCH', '/api/goals/{goalId}', help="PATCH /api/goals/{goalId}", args=('goalId',), opts=(
            Opt('--title', help="body field title"),
            Opt('--description', 'nullable', help="body field description"),
            Opt('--level', help="body field level"),
            Opt('--status', help="body field status"),
            Opt('--parent-id', 'nullable', help="body field parentId"),
            Opt('--owner-agent-id', 'nullable', help="body field ownerAgentId"),)),
    ]),
    "routine": ("Routines (recurring work: schedule, webhook and api triggers)", [
        Cmd('list', 'GET', '/api/companies/{companyId}/routines', help="GET /api/companies/{companyId}/routines", opts=(
            Opt('--project-id', to='query', help="query parameter projectId"),)),
        Cmd('create', 'POST', '/api/companies/{companyId}/routines', help="POST /api/companies/{companyId}/routines", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('get', 'GET', '/api/routines/{routineId}', help="GET /api/routines/{routineId}", args=('routineId',)),
        Cmd('update', 'PATCH', '/api/routines/{routineId}', help="PATCH /api/routines/{routineId}", args=('routineId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('runs', 'GET', '/api/routines/{routineId}/runs', help="GET /api/routines/{routineId}/runs", args=('routineId',), opts=(
            Opt('--limit', to='query', help="query parameter limit"),)),
        Cmd('run', 'POST', '/api/routines/{routineId}/run', help="POST /api/routines/{routineId}/run", args=('routineId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('trigger:create', 'POST', '/api/routines/{routineId}/triggers', help="POST /api/routines/{routineId}/triggers", args=('routineId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('trigger:update', 'PATCH', '/api/routine-triggers/{triggerId}', help="PATCH /api/routine-triggers/{triggerId}", args=('triggerId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('trigger:delete', 'DELETE', '/api/routine-triggers/{triggerId}', help="DELETE /api/routine-triggers/{triggerId}", args=('triggerId',)),
        Cmd('trigger:rotate-secret', 'POST', '/api/routine-triggers/{triggerId}/rotate-secret', help="POST /api/routine-triggers/{triggerId}/rotate-secret", args=('triggerId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('trigger:fire', 'POST', '/api/routine-triggers/public/{publicId}/fire', help="POST /api/routine-triggers/public/{publicId}/fire", args=('publicId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
    ]),
    "approval": ("Approvals", [
        Cmd('list', 'GET', '/api/companies/{companyId}/approvals', help="GET /api/companies/{companyId}/approvals", opts=(
            Opt('--status', to='query', help="query parameter status"),)),
        Cmd('get', 'GET', '/api/approvals/{approvalId}', help="GET /api/approvals/{approvalId}", args=('approvalId',)),
        Cmd('approve', 'POST', '/api/approvals/{approvalId}/approve', help="POST /api/approvals/{approvalId}/approve", args=('approvalId',), opts=(
            Opt('--decision-note', help="body field decisionNote"),
            Opt('--decided-by-user-id', to='local', help="used by the CLI"),)),
        Cmd('reject', 'POST', '/api/approvals/{approvalId}/reject', help="POST /api/approvals/{approvalId}/reject", args=('approvalId',), opts=(
            Opt('--decision-note', help="body field decisionNote"),
            Opt('--decided-by-user-id', to='local', help="used by the CLI"),)),
        Cmd('request-revision', 'POST', '/api/approvals/{approvalId}/request-revision', help="POST /api/approvals/{approvalId}/request-revision", args=('approvalId',), opts=(
            Opt('--decision-note', help="body field decisionNote"),
            Opt('--decided-by-user-id', to='local', help="used by the CLI"),)),
        Cmd('resubmit', 'POST', '/api/approvals/{approvalId}/resubmit', help="POST /api/approvals/{approvalId}/resubmit", args=('approvalId',), opts=(
            Opt('--payload', 'json', help="body field payload"),)),
        Cmd('comment', 'POST', '/api/approvals/{approvalId}/comments', help="POST /api/approvals/{approvalId}/comments", args=('approvalId',), opts=(
            Opt('--body', help="body field body"),)),
        Cmd('create', 'POST', '/api/companies/{companyId}/approvals', help="POST /api/companies/{companyId}/approvals", opts=(
            Opt('--type', help="body field type"),
            Opt('--payload', 'json', help="body field payload"),
            Opt('--requested-by-agent-id', help="body field requestedByAgentId"),
            Opt('--issue-ids', 'csv', help="body field issueIds"),)),
    ]),
    "activity": ("Activity log (audit)", [
        Cmd('list', 'GET', '/api/companies/{companyId}/activity', help="GET /api/companies/{companyId}/activity", opts=(
            Opt('--agent-id', to='query', help="query parameter agentId"),
            Opt('--entity-type', to='query', help="query parameter entityType"),
            Opt('--entity-id', to='query', help="query parameter entityId"),)),
        Cmd('create', 'POST', '/api/companies/{companyId}/activity', help="POST /api/companies/{companyId}/activity", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('issue', 'GET', '/api/issues/{issueId}/activity', help="GET /api/issues/{issueId}/activity", args=('issueId',)),
    ]),
    "dashboard": ("Dashboard summary", [
        Cmd('get', 'GET', '/api/companies/{companyId}/dashboard', help="GET /api/companies/{companyId}/dashboard"),
    ]),
    "cost": ("Costs and spend reports", [
        Cmd('summary', 'GET', '/api/companies/{companyId}/costs/summary', help="GET /api/companies/{companyId}/costs/summary"),
        Cmd('by-agent', 'GET', '/api/companies/{companyId}/costs/by-agent', help="GET /api/companies/{companyId}/costs/by-agent"),
        Cmd('by-agent-model', 'GET', '/api/companies/{companyId}/costs/by-agent-model', help="GET /api/companies/{companyId}/costs/by-agent-model"),
        Cmd('by-provider', 'GET', '/api/companies/{companyId}/costs/by-provider', help="GET /api/companies/{companyId}/costs/by-provider"),
        Cmd('by-biller', 'GET', '/api/companies/{companyId}/costs/by-biller', help="GET /api/companies/{companyId}/costs/by-biller"),
        Cmd('by-project', 'GET', '/api/companies/{companyId}/costs/by-project', help="GET /api/companies/{companyId}/costs/by-project"),
        Cmd('window-spend', 'GET', '/api/companies/{companyId}/costs/window-spend', help="GET /api/companies/{companyId}/costs/window-spend"),
        Cmd('quota-windows', 'GET', '/api/companies/{companyId}/costs/quota-windows', help="GET /api/companies/{companyId}/costs/quota-windows"),
        Cmd('issue', 'GET', '/api/issues/{issueId}/cost-summary', help="GET /api/issues/{issueId}/cost-summary", args=('issueId',)),
        Cmd('event:create', 'POST', '/api/companies/{companyId}/cost-events', help="POST /api/companies/{companyId}/cost-events", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
    ]),
    "finance": ("Finance events and summaries", [
        Cmd('event:create', 'POST', '/api/companies/{companyId}/finance-events', help="POST /api/companies/{companyId}/finance-events", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('events', 'GET', '/api/companies/{companyId}/costs/finance-events', help="GET /api/companies/{companyId}/costs/finance-events"),
        Cmd('summary', 'GET', '/api/companies/{companyId}/costs/finance-summary', help="GET /api/companies/{companyId}/costs/finance-summary"),
        Cmd('by-biller', 'GET', '/api/companies/{companyId}/costs/finance-by-biller', help="GET /api/companies/{companyId}/costs/finance-by-biller"),
        Cmd('by-kind', 'GET', '/api/companies/{companyId}/costs/finance-by-kind', help="GET /api/companies/{companyId}/costs/finance-by-kind"),
    ]),
    "budget": ("Budget policies and incidents", [
        Cmd('overview', 'GET', '/api/companies/{companyId}/budgets/overview', help="GET /api/companies/{companyId}/budgets/overview"),
        Cmd('policy:upsert', 'POST', '/api/companies/{companyId}/budgets/policies', help="POST /api/companies/{companyId}/budgets/policies", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('company:update', 'PATCH', '/api/companies/{companyId}/budgets', help="PATCH /api/companies/{companyId}/budgets", opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('agent:update', 'PATCH', '/api/agents/{agentId}/budgets', help="PATCH /api/agents/{agentId}/budgets", args=('agentId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
        Cmd('incident:resolve', 'POST', '/api/companies/{companyId}/budget-incidents/{incidentId}/resolve', help="POST /api/companies/{companyId}/budget-incidents/{incidentId}/resolve", args=('incidentId',), opts=(
            Opt('--payload-json', 'json', to='payload', help="JSON object sent as the body"),)),
    ]),
    "org": ("Organization chart", [
        Cmd('get', 'GET', '/api/companies/{companyId}/org', help="GET /api/companies/{companyId}/org"),
        Cmd('svg', 'GET', '/api/companies/{companyId}/org.svg', help="GET /api/companies/{companyId}/org.svg", opts=(
            Opt('--out', 'file', to='local', help="used by the CLI"),)),
        Cmd('png', 'GET', '/api/companies/{companyId}/org.png', help="GET /api/companies/{companyId}/org.png", opts=(
            Opt('--out', 'file', to='local', help="used by the CLI"),)),
    ]),
    "agent-config": ("Agent configurations (redacted)", [
        Cmd('list', 'GET', '/api/companies/{companyId}/agent-configurations', help="GET /api/companies/{companyId}/agent-configurations"),
    ]),
    "token": ("API tokens: agent keys and board keys", [
        Cmd('agent:create', 'POST', '/api/agents/{agent}/keys', help="POST /api/agents/{agent}/keys", opts=(
            Opt('--agent', to='local', help="used by the CLI"),
            Opt('--name', help="body field name"),)),
        Cmd('agent:list', 'GET', '/api/agents/{agent}/keys', help="GET /api/agents/{agent}/keys", opts=(
            Opt('--agent', to='local', help="used by the CLI"),)),
        Cmd('agent:revoke', 'DELETE', '/api/agents/{agent}/keys/{keyId}', help="DELETE /api/agents/{agent}/keys/{keyId}", args=('keyId',), opts=(
            Opt('--agent', to='local', help="used by the CLI"),)),
        # board keys: the signed-in user's own (the original CLI's `token board create|list|revoke`)
        Cmd('board:create', 'POST', '/api/board-api-keys', help="POST /api/board-api-keys: a named board API key (shown once)",
            handler='token_board_create', opts=(
            Opt('--name', to='local', default='cli-board', help="API key label (default: cli-board)"),
            Opt('--expires-at', to='local', help="Expiration timestamp (ISO-8601)"),
            Opt('--ttl-days', 'int', to='local', help="Expiration in days from now"),
            Opt('--never-expires', 'bool', to='local', help="Create a non-expiring key"))),
        Cmd('board:list', 'GET', '/api/board-api-keys', help="GET /api/board-api-keys: the current board user's keys"),
        Cmd('board:revoke', 'DELETE', '/api/board-api-keys/{keyId}', help="DELETE /api/board-api-keys/{keyId}", args=('keyId',)),
    ]),
}
