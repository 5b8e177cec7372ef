"""Every table, imported in one place so that metadata (and Alembic) sees them all."""

from paperclip.db.models import status_checks  # noqa: F401,I001  (CHECK constraints on the status columns)
from paperclip.db.models.access import BoardApiKey, CompanyMembership, InstanceUserRole, Invite, User
from paperclip.db.models.agents import (
    Agent,
    AgentApiKey,
    AgentConfigRevision,
    AgentRuntimeState,
    AgentTaskSession,
)
from paperclip.db.models.companies import Company
from paperclip.db.models.documents import Document, DocumentRevision, IssueDocument
from paperclip.db.models.environments import Environment
from paperclip.db.models.finance import FinanceEvent
from paperclip.db.models.governance import (
    ActivityLog,
    Approval,
    ApprovalComment,
    BudgetIncident,
    BudgetPolicy,
    CostEvent,
)
from paperclip.db.models.identity import (
    AuthRateLimit,
    AuthSession,
    CliAuthChallenge,
    JoinRequest,
    PrincipalPermissionGrant,
)
from paperclip.db.models.feedback import FeedbackVote
from paperclip.db.models.interactions import IssueThreadInteraction
from paperclip.db.models.tree_holds import IssueTreeHold, IssueTreeHoldMember
from paperclip.db.models.inbox import IssueInboxArchive, IssueReadState, IssueWorkProduct
from paperclip.db.models.instance import InstanceSettings, SidebarPreference
from paperclip.db.models.plan_decompositions import AcceptedPlanDecomposition
from paperclip.db.models.recovery_actions import IssueRecoveryAction
from paperclip.db.models.routines import Routine, RoutineRun, RoutineTrigger
from paperclip.db.models.runs import AgentWakeupRequest, HeartbeatRun, HeartbeatRunEvent, SchedulerHeartbeat
from paperclip.db.models.secrets import CompanySecret, CompanySecretVersion, SecretDeletion, SecretKeyCanary
from paperclip.db.models.storage import Asset, IssueAttachment, StorageDeletion
from paperclip.db.models.work import (
    Goal,
    Issue,
    IssueApproval,
    IssueComment,
    IssueLabel,
    IssueRelation,
    Label,
    Project,
    ProjectGoal,
)

__all__ = [
    "AcceptedPlanDecomposition",
    "IssueRecoveryAction",
    "ActivityLog",
    "Agent",
    "AgentApiKey",
    "AgentConfigRevision",
    "AgentRuntimeState",
    "AgentTaskSession",
    "AgentWakeupRequest",
    "Approval",
    "ApprovalComment",
    "BoardApiKey",
    "BudgetIncident",
    "BudgetPolicy",
    "Company",
    "CompanyMembership",
    "CostEvent",
    "FinanceEvent",
    "Document",
    "DocumentRevision",
    "Goal",
    "HeartbeatRun",
    "HeartbeatRunEvent",
    "InstanceUserRole",
    "Invite",
    "Issue",
    "IssueApproval",
    "IssueComment",
    "IssueDocument",
    "IssueLabel",
    "IssueRelation",
    "Label",
    "Project",
    "ProjectGoal",
    "SchedulerHeartbeat",
    "User",
    "AuthRateLimit",
    "AuthSession",
    "CliAuthChallenge",
    "JoinRequest",
    "PrincipalPermissionGrant",
    "CompanySecret",
    "CompanySecretVersion",
    "SecretDeletion",
    "SecretKeyCanary",
    "Asset",
    "IssueAttachment",
    "StorageDeletion",
    "IssueInboxArchive",
    "IssueReadState",
    "IssueWorkProduct",
    "InstanceSettings",
    "SidebarPreference",
    "IssueThreadInteraction",
    "Environment",
    "FeedbackVote",
    "IssueTreeHold",
    "IssueTreeHoldMember",
    "Routine",
    "RoutineRun",
    "RoutineTrigger",
]
