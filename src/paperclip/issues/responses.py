"""Answers of the issue routes, for the OpenAPI document (paperclip.api.responses): the shapes of
issues/wire.py's shapes (rendered by shapes.py's *_to_wire and by their SQL twins in queries.py),
which tests/api/test_openapi_responses.py holds to the same models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.vocabulary import (
    FeedbackTargetType,
    FeedbackVoteValue,
    GoalStatus,
    InteractionStatus,
    IssueStatus,
    ProjectStatus,
    RunStatus,
    TreeHoldMode,
    TreeHoldStatus,
)

Priority = Literal["critical", "high", "medium", "low"]


class Label(Wire):
    id: UUID
    companyId: UUID
    name: str
    color: str
    createdAt: datetime
    updatedAt: datetime


class Issue(Wire):
    id: UUID
    companyId: UUID
    projectId: UUID | None
    goalId: UUID | None
    parentId: UUID | None
    title: str
    description: str | None
    status: IssueStatus
    priority: Priority
    assigneeAgentId: UUID | None
    assigneeUserId: str | None
    checkoutRunId: UUID | None
    executionRunId: UUID | None
    executionAgentNameKey: str | None
    executionLockedAt: datetime | None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    issueNumber: int | None
    identifier: str | None
    originKind: str
    originId: str | None
    originRunId: UUID | None
    requestDepth: int
    billingCode: str | None
    startedAt: datetime | None
    completedAt: datetime | None
    cancelledAt: datetime | None
    hiddenAt: datetime | None
    createdAt: datetime
    updatedAt: datetime
    labels: list[Label]
    labelIds: list[UUID]


class IssueSummary(Wire):
    """A blocker or a blocked issue."""

    id: UUID
    identifier: str | None
    title: str
    status: IssueStatus
    priority: Priority
    assigneeAgentId: UUID | None
    assigneeUserId: str | None


class IssueRow(Issue):
    """A row of the issue list: `view=compact` leaves out hiddenAt; includeBlockedBy and
    includeLiveDescendantSummary add their fields."""

    hiddenAt: datetime | None = None
    # descriptions are cut at 1,200 characters in the list; the flag says so (not in the compact row)
    descriptionTruncated: bool | None = None
    blockedBy: list[IssueSummary] | None = None
    liveDescendantCount: int | None = None


class CreatedIssue(Issue):
    blockedByIssueIds: list[UUID]


class AncestorProject(Wire):
    id: UUID
    name: str
    status: ProjectStatus


class AncestorGoal(Wire):
    id: UUID
    title: str
    description: str | None
    level: str
    status: GoalStatus


class Ancestor(Wire):
    id: UUID
    identifier: str | None
    title: str
    description: str | None
    status: IssueStatus
    priority: Priority
    assigneeAgentId: UUID | None
    projectId: UUID | None
    goalId: UUID | None
    project: AncestorProject | None
    goal: AncestorGoal | None


class IssueProject(Wire):
    id: UUID
    companyId: UUID
    goalId: UUID | None
    name: str
    description: str | None
    status: ProjectStatus
    leadAgentId: UUID | None
    targetDate: date | None
    color: str | None
    pausedAt: datetime | None
    archivedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime
    urlKey: str
    workspaces: list[Any]
    primaryWorkspace: None


class IssueGoal(Wire):
    """goals.responses.Goal's shape (not imported: goals sit above issues in the package graph)."""

    id: UUID
    companyId: UUID
    title: str
    description: str | None
    level: str
    status: GoalStatus
    parentId: UUID | None
    ownerAgentId: UUID | None
    createdAt: datetime
    updatedAt: datetime


class DocumentSummary(Wire):
    id: UUID
    companyId: UUID
    issueId: UUID
    key: str
    title: str | None
    format: str
    latestRevisionId: UUID | None
    latestRevisionNumber: int
    createdByAgentId: UUID | None
    createdByUserId: str | None
    updatedByAgentId: UUID | None
    updatedByUserId: str | None
    lockedAt: datetime | None
    lockedByAgentId: UUID | None
    lockedByUserId: str | None
    sourceTrust: None
    createdAt: datetime
    updatedAt: datetime


class Document(DocumentSummary):
    body: str


class DocumentRevision(Wire):
    id: UUID
    companyId: UUID
    documentId: UUID
    issueId: UUID
    key: str
    revisionNumber: int
    title: str | None
    format: str
    body: str
    changeSummary: str | None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    createdAt: datetime


class ExecutionBlocker(Wire):
    recoveryActionId: UUID
    runId: UUID | None
    agentId: UUID | None
    cause: str
    nextAction: str


class IssueDetail(Issue):
    blockedBy: list[IssueSummary]
    blockedByIssueIds: list[UUID]
    blocks: list[IssueSummary]
    ancestors: list[Ancestor]  # parent first
    project: IssueProject | None
    goal: IssueGoal | None
    planDocument: Document | None
    documentSummaries: list[DocumentSummary]
    executionBlocker: ExecutionBlocker | None
    activeRecoveryAction: RecoveryAction | None


class Comment(Wire):
    id: UUID
    companyId: UUID
    issueId: UUID
    authorAgentId: UUID | None
    authorUserId: str | None
    authorType: Literal["agent", "user"]
    createdByRunId: UUID | None
    body: str
    createdAt: datetime
    updatedAt: datetime


class UpdatedIssue(IssueDetail):
    changes: dict[str, Any]  # field -> {"from": ..., "to": ...}
    comment: Comment | None  # the comment posted with the update


class PreviousRuns(Wire):
    checkoutRunId: UUID | None
    executionRunId: UUID | None


class ForceReleased(Wire):
    issue: Issue
    previous: PreviousRuns  # the runs that held the issue before


class ReadMark(Wire):
    id: UUID
    companyId: UUID
    issueId: UUID
    userId: str
    lastReadAt: datetime
    createdAt: datetime
    updatedAt: datetime


class ReadMarkRemoved(Wire):
    id: UUID  # the issue
    removed: bool


class InboxArchive(Wire):
    id: UUID
    companyId: UUID
    issueId: UUID
    userId: str
    archivedByActorType: str
    archivedByAgentId: UUID | None
    archivedByRunId: UUID | None
    archivedAt: datetime
    createdAt: datetime
    updatedAt: datetime


class ArchiveRemoved(Wire):
    ok: bool
    userId: str


class InboxIssue(Issue):
    """An issue of a user's inbox, as its list row with what makes it the user's."""

    descriptionTruncated: bool | None = None  # as in the issue list
    myLastTouchAt: datetime | None
    lastExternalCommentAt: datetime | None
    isUnreadForMe: bool


class WorkProduct(Wire):
    id: UUID
    companyId: UUID
    projectId: UUID | None
    issueId: UUID
    executionWorkspaceId: UUID | None
    runtimeServiceId: UUID | None
    type: str
    provider: str
    externalId: str | None
    title: str
    url: str | None
    status: str
    reviewState: str
    isPrimary: bool
    healthStatus: str
    summary: str | None
    metadata: dict[str, Any] | None
    sourceTrust: str | None
    createdByRunId: UUID | None
    createdAt: datetime
    updatedAt: datetime


class ActiveRun(Wire):
    id: UUID
    status: str
    agentId: UUID
    invocationSource: str
    startedAt: datetime | None


class InboxLiteEntry(Wire):
    id: UUID
    identifier: str | None
    title: str
    status: IssueStatus
    priority: Priority
    projectId: UUID | None
    goalId: UUID | None
    parentId: UUID | None
    updatedAt: datetime
    activeRun: ActiveRun | None
    activeRecoveryAction: RecoveryAction | None
    dependencyReady: bool
    unresolvedBlockerCount: int
    unresolvedBlockerIssueIds: list[UUID]


class ReviewAttention(Wire):
    state: str
    paths: list[str]
    reason: str | None


class ContextIssue(Wire):
    id: UUID
    identifier: str | None
    title: str
    description: str | None
    status: IssueStatus
    priority: Priority
    projectId: UUID | None
    goalId: UUID | None
    parentId: UUID | None
    blockedBy: list[IssueSummary]
    blocks: list[IssueSummary]
    assigneeAgentId: UUID | None
    assigneeUserId: str | None
    originKind: str
    originId: str | None
    updatedAt: datetime
    workMode: str
    blockerAttention: dict[str, Any]
    reviewAttention: ReviewAttention
    scheduledRetry: None
    activeRecoveryAction: RecoveryAction | None


class CommentCursor(Wire):
    totalComments: int
    latestCommentId: UUID | None
    latestCommentAt: datetime | None


class HeartbeatContext(Wire):
    issue: ContextIssue
    ancestors: list[Ancestor]
    project: IssueProject | None
    goal: IssueGoal | None
    commentCursor: CommentCursor
    wakeComment: Comment | None  # the comment that woke this run (run tokens only)
    attachments: list[Any]
    continuationSummary: None
    planReviewContext: None
    documentReviewContext: None
    currentExecutionWorkspace: None


class LegacyPolicyAliases(Wire):
    requested: str | None
    effective: str | None


class Interaction(Wire):
    """An issue-thread interaction (issues/interactions.to_wire)."""

    id: UUID
    companyId: UUID
    issueId: UUID
    kind: str
    status: InteractionStatus
    continuationPolicy: str
    requestedResolverPolicy: str
    effectiveResolverPolicy: str
    resolverPolicyProvenance: str
    effectiveResolverPolicySource: str
    idempotencyKey: str | None
    originCommentIds: list[UUID]
    sourceCommentId: UUID | None
    sourceIdentityContextId: None
    sourceRunId: UUID | None
    title: str | None
    summary: str | None
    createdByAgentId: UUID | None
    addresseeAgentId: UUID | None
    addresseeUserId: str | None
    createdByUserId: str | None
    resolvedByAgentId: UUID | None
    resolvedByRunId: UUID | None
    resolvedByUserId: str | None
    payload: dict[str, Any]
    result: dict[str, Any] | None
    resolvedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime
    resolverPolicy: str
    legacyResolverPolicyAliases: LegacyPolicyAliases


# -- runner goal (issues/runner_state.py) ----------------------------------------------------------


class RunnerCapability(Wire):
    availability: str  # "unsupported": none of our adapters keeps a steerable live session
    verified: bool
    actions: list[str]
    autonomousUpdates: bool
    persistentAcrossResume: bool
    maxObjectiveChars: int
    tokenBudgetControl: bool
    usageReporting: bool
    reasonCode: str | None
    reason: str | None


class RunnerGoal(Wire):
    issueId: UUID
    agentId: UUID | None  # the assignee, or the agent asked for with ?agentId=
    adapterType: str | None
    sessionId: str | None  # the agent's resumable session on this issue
    capability: RunnerCapability
    goal: None  # set only by a runner with a live session (none here)
    workingNow: bool
    activeRunId: None
    pendingAction: None
    revision: int
    observedAt: None


# -- accepted-plan decompositions (issues/plan_decompositions.py) ---------------------------------


class PlanDecomposition(Wire):
    id: UUID
    companyId: UUID
    sourceIssueId: UUID
    acceptedPlanRevisionId: UUID
    acceptedInteractionId: UUID | None
    status: str
    requestFingerprint: str  # sha256 of the children asked for: a repeat with others is a 409
    requestedChildCount: int
    childIssueIds: list[UUID]
    ownerAgentId: UUID | None
    ownerUserId: str | None
    ownerRunId: UUID | None
    completedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class PlanDecompositionRow(PlanDecomposition):
    acceptedPlanRevisionNumber: int
    childIssues: list[IssueSummary]  # the children's current state (deleted ones drop out)


class PlanDecompositionResult(Wire):
    decomposition: PlanDecomposition
    childIssueIds: list[UUID]
    newlyCreatedChildIssueIds: list[UUID]  # empty when the same request was already recorded


# -- tree control and tree holds (issues/tree_holds.py) -------------------------------------------


class TreeReleasePolicy(Wire):
    strategy: Literal["manual", "after_active_runs_finish"]
    note: str | None = None  # only when one was given


class ActivePauseHold(Wire):
    holdId: UUID
    rootIssueId: UUID
    issueId: UUID
    isRoot: bool  # the hold is rooted at this issue (else at an ancestor)
    mode: Literal["pause"]
    reason: str | None
    releasePolicy: TreeReleasePolicy | None


class TreeControlState(Wire):
    activePauseHold: ActivePauseHold | None


class TreePreviewRun(Wire):
    id: UUID
    issueId: UUID
    agentId: UUID | None
    status: RunStatus
    startedAt: datetime | None
    createdAt: datetime


class TreePreviewIssue(Wire):
    id: UUID
    identifier: str | None
    title: str
    status: IssueStatus
    parentId: UUID | None
    depth: int  # 0: the root
    assigneeAgentId: UUID | None
    assigneeUserId: str | None
    activeRun: TreePreviewRun | None
    activeHoldIds: list[UUID]  # the active holds covering it (rooted at it or above)
    action: TreeHoldMode
    skipped: bool
    skipReason: str | None  # terminal_status, already_held, not_held, not_cancelled


class TreePreviewTotals(Wire):
    totalIssues: int
    affectedIssues: int
    skippedIssues: int
    activeRuns: int
    queuedRuns: int
    affectedAgents: int


class TreeAffectedAgent(Wire):
    agentId: UUID
    issueCount: int
    activeRunCount: int


class TreeWarning(Wire):
    code: str  # no_affected_issues, no_active_pause_holds, running_runs_present, queued_runs_present
    message: str
    issueIds: list[UUID] | None = None  # the affected issues with running / queued runs


class TreeControlPreview(Wire):
    companyId: UUID
    rootIssueId: UUID
    mode: TreeHoldMode
    generatedAt: datetime
    releasePolicy: TreeReleasePolicy
    totals: TreePreviewTotals
    countsByStatus: dict[str, int]  # issue status -> issues of the subtree
    issues: list[TreePreviewIssue]  # the subtree, depth first
    skippedIssues: list[TreePreviewIssue]
    activeRuns: list[TreePreviewRun]  # the queued and running runs of the whole subtree, newest first
    affectedAgents: list[TreeAffectedAgent]
    warnings: list[TreeWarning]


class TreeHoldMember(Wire):
    """An issue of the subtree when the hold was made, as it was then."""

    id: UUID
    companyId: UUID
    holdId: UUID
    issueId: UUID
    parentIssueId: UUID | None
    depth: int
    issueIdentifier: str | None
    issueTitle: str
    issueStatus: IssueStatus
    assigneeAgentId: UUID | None
    assigneeUserId: str | None
    activeRunId: UUID | None
    activeRunStatus: RunStatus | None
    skipped: bool
    skipReason: str | None
    createdAt: datetime


class TreeHoldRow(Wire):
    """A hold of the list: `includeMembers=true` adds its members."""

    id: UUID
    companyId: UUID
    rootIssueId: UUID
    mode: TreeHoldMode
    status: TreeHoldStatus
    reason: str | None
    releasePolicy: TreeReleasePolicy | None
    createdByActorType: str
    createdByAgentId: UUID | None
    createdByUserId: str | None
    createdByRunId: UUID | None
    releasedAt: datetime | None
    releasedByActorType: str | None
    releasedByAgentId: UUID | None
    releasedByUserId: str | None
    releasedByRunId: UUID | None
    releaseReason: str | None
    releaseMetadata: dict[str, Any] | None
    createdAt: datetime
    updatedAt: datetime
    members: list[TreeHoldMember] | None = None


class TreeHold(TreeHoldRow):
    members: list[TreeHoldMember]


class TreeHoldCreated(Wire):
    hold: TreeHold
    preview: TreeControlPreview  # what the hold did, as previewed in the same transaction
    resumedPauseHoldIds: list[UUID] | None = None  # a resume: the pause holds it released


# -- feedback votes and traces (issues/feedback.py) -----------------------------------------------


class RedactionSummary(Wire):
    strategy: str
    redactedFields: list[str]
    truncatedFields: list[str]
    omittedFields: list[str]
    notes: list[str]
    counts: dict[str, int]


class FeedbackVote(Wire):
    id: UUID
    companyId: UUID
    issueId: UUID
    targetType: FeedbackTargetType
    targetId: UUID
    authorUserId: str
    vote: FeedbackVoteValue
    reason: str | None  # kept for a down vote only
    sharedWithLabs: bool  # always false: this server shares nothing
    sharedAt: datetime | None
    consentVersion: str | None
    redactionSummary: RedactionSummary
    createdAt: datetime
    updatedAt: datetime


class FeedbackTargetSummary(Wire):
    """What was voted on, as it was when the vote was cast."""

    label: str
    excerpt: str | None
    createdAt: datetime | None
    documentKey: str | None
    authorUserId: str | None
    authorAgentId: UUID | None
    documentTitle: str | None
    revisionNumber: int | None


class FeedbackTrace(Wire):
    id: UUID
    companyId: UUID
    feedbackVoteId: UUID
    issueId: UUID
    projectId: UUID | None
    issueIdentifier: str | None
    issueTitle: str
    authorUserId: str
    targetType: FeedbackTargetType
    targetId: UUID
    vote: FeedbackVoteValue
    status: Literal["local_only", "pending", "sent", "failed"]  # local_only: nothing is exported
    destination: str | None
    exportId: str | None
    consentVersion: str | None
    schemaVersion: str
    bundleVersion: str
    payloadVersion: str
    payloadDigest: str  # sha256 of the payload
    # the recorded payload (the vote and its target); only with includePayload=true in lists
    payloadSnapshot: dict[str, Any] | None
    targetSummary: FeedbackTargetSummary
    redactionSummary: RedactionSummary
    attemptCount: int
    lastAttemptedAt: datetime | None
    exportedAt: datetime | None
    failureReason: str | None
    createdAt: datetime
    updatedAt: datetime


class QueuedCommentEntry(Wire):
    comment: Comment
    position: int
    canEdit: bool
    canDiscard: bool


class QueuedComments(Wire):
    issueId: UUID
    queueId: UUID | None  # the oldest deferred wake-up's id; null when nothing waits
    state: Literal["deferred"] | None
    targetRunId: UUID | None  # the live run holding the issue
    revision: str
    protocol: Literal["legacy"]
    steeringDisposition: Literal["unsupported"]
    entries: list[QueuedCommentEntry]


# -- feedback trace bundle (issues/feedback_bundle.py) ---------------------------------------------


class FeedbackBundleFile(Wire):
    path: str
    contentType: str
    encoding: Literal["utf8"]
    byteLength: int
    sha256: str
    source: str
    contents: str


class FeedbackBundle(Wire):
    traceId: UUID
    exportId: str | None
    companyId: UUID
    issueId: UUID
    issueIdentifier: str | None
    adapterType: str | None
    captureStatus: Literal["full", "partial"]
    notes: list[str]
    envelope: dict[str, Any]
    surface: dict[str, Any]
    paperclipRun: dict[str, Any] | None
    rawAdapterTrace: dict[str, Any]
    normalizedAdapterTrace: dict[str, Any]
    privacy: dict[str, Any]
    integrity: dict[str, str]
    files: list[FeedbackBundleFile]


class RecoveryAction(Wire):
    id: UUID
    companyId: UUID
    sourceIssueId: UUID
    recoveryIssueId: UUID | None
    kind: str
    status: Literal["active", "resolved", "cancelled"]
    ownerType: str
    ownerAgentId: UUID | None
    ownerUserId: str | None
    previousOwnerAgentId: UUID | None
    returnOwnerAgentId: UUID | None
    cause: str
    fingerprint: str
    evidence: dict[str, Any]
    nextAction: str
    wakePolicy: dict[str, Any] | None
    monitorPolicy: dict[str, Any] | None
    attemptCount: int
    maxAttempts: int
    timeoutAt: datetime | None
    lastAttemptAt: datetime | None
    outcome: str | None
    resolutionNote: str | None
    resolvedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class RecoveryActions(Wire):
    active: RecoveryAction | None
    actions: list[RecoveryAction]


class RecoveredIssue(Issue):
    changes: dict[str, Any]  # field -> {"from": ..., "to": ...}
    activeRecoveryAction: None


class RecoveryResolution(Wire):
    issue: RecoveredIssue
    recoveryAction: RecoveryAction


# -- blocker diagnostics (issues/diagnostics.py) ---------------------------------------------------


class DiagnosedIssue(Wire):
    id: UUID
    identifier: str | None
    title: str
    status: str
    priority: str
    assigneeAgentId: UUID | None
    assigneeUserId: str | None


class DiagnosedBlocker(DiagnosedIssue):
    isUnresolved: bool
    isPendingFinalize: bool
    isDependencyReady: bool
    flags: list[str]  # done_but_blocking, cancelled_blocker_in_set


class BlockerReadiness(Wire):
    allBlockersDone: bool
    isDependencyReady: bool
    unresolvedBlockerCount: int
    pendingFinalizeBlockerCount: int


class BlockerDiagnostics(Wire):
    issue: DiagnosedIssue
    diagnosis: str | None
    readiness: BlockerReadiness
    blockers: list[DiagnosedBlocker]
    omittedUnauthorizedBlockerCount: int
    truncated: bool
    caps: dict[str, int]


# -- wake and subtree diagnostics (issues/diagnostics.py) -----------------------------------------


class WakeEvent(Wire):
    kind: Literal["wake_request"]
    agentId: UUID
    source: str
    reason: str
    status: str
    coalescedCount: int
    runId: UUID | None
    requestedAt: datetime
    claimedAt: datetime | None
    finishedAt: datetime | None
    failureClass: str | None


class WakeSections(Wire):
    wakeRequests: bool
    activityRecords: bool


class WakeDiagnostics(Wire):
    issue: DiagnosedIssue
    diagnosis: str | None
    likelyReason: str | None
    events: list[WakeEvent]
    wakeRequestCount: int
    activityRecordCount: int
    truncated: bool
    truncatedSections: WakeSections
    caps: dict[str, int]


class NodeSections(Wire):
    blockers: bool
    wakeRequests: bool
    activityRecords: bool


class SubtreeNode(Wire):
    issue: DiagnosedIssue
    parentId: UUID | None
    depth: int
    diagnosis: str | None
    likelyReason: str | None
    blockers: list[DiagnosedBlocker]
    blockerReadiness: BlockerReadiness
    omittedUnauthorizedBlockerCount: int
    wakeEvents: list[WakeEvent]
    wakeRequestCount: int
    activityRecordCount: int
    truncated: bool
    truncatedSections: NodeSections


class SubtreeEdge(Wire):
    kind: Literal["parent", "wake_request"]
    fromIssueId: UUID | None = None
    toIssueId: UUID | None = None
    issueId: UUID | None = None
    agentId: UUID | None = None
    reason: str | None = None
    status: str | None = None
    timestamp: datetime


class SubtreeSections(NodeSections):
    nodes: bool
    depth: bool


class SubtreeDiagnostics(Wire):
    issue: DiagnosedIssue
    diagnosis: str | None
    likelyReason: str | None
    nodes: list[SubtreeNode]
    edges: list[SubtreeEdge]
    nodeCount: int
    omittedUnauthorizedNodeCount: int
    truncated: bool
    truncatedSections: SubtreeSections
    caps: dict[str, int]
