"""Request bodies of the issue-thread interaction routes, with the original's field names, limits and
defaults. Each kind's payload is its own model (the body is a union discriminated by `kind`); the checks
that span fields (unique ids, selection bounds) are model validators that name the field at fault."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from paperclip.vocabulary import ContinuationPolicy, RequestedResolverPolicy

Str1000 = Annotated[str, StringConstraints(min_length=0, max_length=1000)]
Str1000000 = Annotated[str, StringConstraints(min_length=0, max_length=1_000_000)]
Str1000NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Str120 = Annotated[str, StringConstraints(min_length=0, max_length=120)]
Str120NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Str160NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=160)]
Str20000 = Annotated[str, StringConstraints(min_length=0, max_length=20_000)]
Str2000NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Str200NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Str240 = Annotated[str, StringConstraints(min_length=0, max_length=240)]
Str240NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=240)]
Str255 = Annotated[str, StringConstraints(min_length=0, max_length=255)]
Str255NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Str4000 = Annotated[str, StringConstraints(min_length=0, max_length=4000)]
Str4000NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Str48NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=48)]
Str500 = Annotated[str, StringConstraints(min_length=0, max_length=500)]
Str80NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Id120 = Str120NonEmpty
Id160 = Str160NonEmpty
Markdown = Str20000
Reason = Str4000


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{what} must be unique")
        seen.add(value)


# ---------------------------------------------------------------- payloads, one per kind


class SuggestedTask(_Model):
    clientKey: Id120  # noqa: N815
    parentClientKey: Id120 | None = None  # noqa: N815
    parentId: uuid.UUID | None = None  # noqa: N815
    title: Str240NonEmpty
    description: Str1000000 | None = None
    priority: Literal["critical", "high", "medium", "low"] | None = None
    workMode: Literal["standard", "ask", "planning", "skill_test"] | None = None  # noqa: N815
    assigneeAgentId: uuid.UUID | None = None  # noqa: N815
    assigneeUserId: Str200NonEmpty | None = None  # noqa: N815
    projectId: uuid.UUID | None = None  # noqa: N815
    goalId: uuid.UUID | None = None  # noqa: N815
    billingCode: Str120 | None = None  # noqa: N815
    labels: Annotated[list[Str48NonEmpty], Field(max_length=50)] | None = None
    hiddenInPreview: bool | None = None  # noqa: N815


class SuggestTasksPayload(_Model):
    version: Literal[1]
    defaultParentId: uuid.UUID | None = None  # noqa: N815
    tasks: Annotated[list[SuggestedTask], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _keys(self) -> SuggestTasksPayload:
        keys = [task.clientKey for task in self.tasks]
        _unique(keys, "Task clientKeys")
        for task in self.tasks:
            if task.parentClientKey is not None and task.parentClientKey not in keys:
                raise ValueError(f"Unknown parentClientKey: {task.parentClientKey}")
        return self


class QuestionOption(_Model):
    id: Id160
    label: Str1000NonEmpty
    description: Str4000 | None = None
    freeText: bool | None = None  # noqa: N815


class Question(_Model):
    id: Id160
    prompt: Str4000NonEmpty
    helpText: Str4000 | None = None  # noqa: N815
    selectionMode: Literal["single", "multi"]  # noqa: N815
    required: bool | None = None
    allowOther: bool | None = None  # noqa: N815
    options: Annotated[list[QuestionOption], Field(max_length=100)]

    @model_validator(mode="after")
    def _option_ids(self) -> Question:
        _unique([o.id for o in self.options], "Option ids within one question")
        return self


class AskQuestionsPayload(_Model):
    version: Literal[1]
    title: Str240 | None = None
    submitLabel: Str120 | None = None  # noqa: N815
    supersedeOnUserComment: bool = True  # noqa: N815
    questions: Annotated[list[Question], Field(min_length=1, max_length=50)]
    questionSet: dict[str, Any] | None = None  # noqa: N815  (newer clients' richer form, kept as sent)
    runtimeRequestId: Str255NonEmpty | None = None  # noqa: N815

    @model_validator(mode="after")
    def _question_ids(self) -> AskQuestionsPayload:
        _unique([q.id for q in self.questions], "Question ids")
        return self


class _Confirmation(_Model):
    version: Literal[1]
    prompt: Str1000NonEmpty
    detailsMarkdown: Markdown | None = None  # noqa: N815
    acceptLabel: Str80NonEmpty | None = None  # noqa: N815
    rejectLabel: Str80NonEmpty | None = None  # noqa: N815
    rejectRequiresReason: bool | None = None  # noqa: N815
    rejectReasonLabel: Str160NonEmpty | None = None  # noqa: N815
    allowDeclineReason: bool = True  # noqa: N815
    declineReasonPlaceholder: Str240NonEmpty | None = None  # noqa: N815
    supersedeOnUserComment: bool = True  # noqa: N815
    target: dict[str, Any] | None = None


Str500NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ToolAction(_Model):
    """A tool call waiting for the board's go-ahead: the server writes these, a client may not (the
    original checks the shape, 400, then refuses it, 422)."""

    version: Literal[1]
    actionRequestId: uuid.UUID  # noqa: N815
    invocationId: uuid.UUID  # noqa: N815
    toolName: Str500NonEmpty  # noqa: N815
    toolDisplayName: Str500NonEmpty  # noqa: N815
    connectionId: uuid.UUID | None  # noqa: N815
    applicationId: uuid.UUID | None  # noqa: N815
    appDisplayName: Str500NonEmpty | None  # noqa: N815
    risk: Literal["read", "write", "destructive"]
    rememberActionScope: Str1000NonEmpty | None = None  # noqa: N815
    previewMarkdown: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]  # noqa: N815
    argumentsSummaryJson: Str20000  # noqa: N815
    argumentsHash: Str255NonEmpty  # noqa: N815
    expiresAt: datetime  # noqa: N815


class SecretProposal(_Model):
    """A proposed secret binding (server-written, like ToolAction)."""

    version: Literal[1]
    proposalId: uuid.UUID  # noqa: N815
    sourceSecretLabel: Str500NonEmpty  # noqa: N815
    configPath: Str500NonEmpty  # noqa: N815
    targetAgentId: uuid.UUID  # noqa: N815
    targetAgentName: Str500NonEmpty  # noqa: N815
    justification: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    expiresAt: datetime  # noqa: N815


class ConfirmationPayload(_Confirmation):
    toolAction: ToolAction | None = None  # noqa: N815
    secretProposal: SecretProposal | None = None  # noqa: N815


class CheckboxOption(_Model):
    id: Id120
    label: Str120NonEmpty
    description: Str500 | None = None


class CheckboxPayload(_Confirmation):
    options: Annotated[list[CheckboxOption], Field(min_length=1, max_length=100)]
    defaultSelectedOptionIds: Annotated[list[Id120], Field(max_length=100)] = []  # noqa: N815
    minSelected: Annotated[int, Field(ge=0, le=100)] = 0  # noqa: N815
    maxSelected: Annotated[int, Field(ge=0, le=100)] | None = None  # noqa: N815

    @model_validator(mode="after")
    def _selection(self) -> CheckboxPayload:
        ids = [o.id for o in self.options]
        _unique(ids, "Option ids")
        if any(d not in ids for d in self.defaultSelectedOptionIds):
            raise ValueError("defaultSelectedOptionIds must reference existing option ids")
        if self.maxSelected is not None and self.maxSelected < self.minSelected:
            raise ValueError("maxSelected must be greater than or equal to minSelected")
        if len(self.defaultSelectedOptionIds) < self.minSelected:
            raise ValueError("defaultSelectedOptionIds must satisfy minSelected")
        if self.maxSelected is not None and len(self.defaultSelectedOptionIds) > self.maxSelected:
            raise ValueError("defaultSelectedOptionIds cannot exceed maxSelected")
        return self


Verdict = Literal["approve", "reject", "defer"]


class VerdictItem(_Model):
    id: Id120
    label: Str120NonEmpty
    description: Str500 | None = None
    previewMarkdown: Markdown | None = None  # noqa: N815
    href: Str2000NonEmpty | None = None
    attachmentId: uuid.UUID | None = None  # noqa: N815


class VerdictsPayload(_Model):
    version: Literal[1]
    prompt: Str1000NonEmpty
    detailsMarkdown: Markdown | None = None  # noqa: N815
    items: Annotated[list[VerdictItem], Field(min_length=1, max_length=200)]
    verdicts: Annotated[list[Verdict], Field(min_length=1, max_length=3)] = ["approve", "reject"]
    requireReasonOn: Annotated[list[Verdict], Field(max_length=3)] = ["reject"]  # noqa: N815
    reasonLabel: Str160NonEmpty | None = None  # noqa: N815
    allowBulkApprove: bool = True  # noqa: N815
    supersedeOnUserComment: bool = True  # noqa: N815
    target: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _item_ids(self) -> VerdictsPayload:
        _unique([i.id for i in self.items], "Item ids")
        return self


# ---------------------------------------------------------------- create bodies, one per kind


class _Create(_Model):
    resolverPolicy: RequestedResolverPolicy | None = None  # noqa: N815
    addresseeAgentId: uuid.UUID | None = None  # noqa: N815
    addresseeUserId: Str200NonEmpty | None = None  # noqa: N815
    idempotencyKey: Str255 | None = None  # noqa: N815
    sourceCommentId: uuid.UUID | None = None  # noqa: N815
    sourceRunId: uuid.UUID | None = None  # noqa: N815
    title: Str240 | None = None
    summary: Str1000 | None = None
    continuationPolicy: ContinuationPolicy | None = None  # noqa: N815


class SuggestTasksCreate(_Create):
    kind: Literal["suggest_tasks"]
    payload: SuggestTasksPayload


class AskQuestionsCreate(_Create):
    kind: Literal["ask_user_questions"]
    payload: AskQuestionsPayload


class ConfirmationCreate(_Create):
    kind: Literal["request_confirmation"]
    payload: ConfirmationPayload


class CheckboxCreate(_Create):
    kind: Literal["request_checkbox_confirmation"]
    payload: CheckboxPayload


class VerdictsCreate(_Create):
    kind: Literal["request_item_verdicts"]
    payload: VerdictsPayload


InteractionCreate = Annotated[
    SuggestTasksCreate | AskQuestionsCreate | ConfirmationCreate | CheckboxCreate | VerdictsCreate,
    Field(discriminator="kind"),
]

# Fields the original writes into a stored payload even when the request left them out.
SHOWN_DEFAULTS: dict[str, tuple[str, ...]] = {
    "suggest_tasks": (),
    "ask_user_questions": ("supersedeOnUserComment",),
    "request_confirmation": ("allowDeclineReason", "supersedeOnUserComment"),
    "request_checkbox_confirmation": (
        "defaultSelectedOptionIds",
        "minSelected",
        "allowDeclineReason",
        "supersedeOnUserComment",
    ),
    "request_item_verdicts": ("verdicts", "requireReasonOn", "allowBulkApprove", "supersedeOnUserComment"),
}


def stored_payload(kind: str, payload: BaseModel) -> dict[str, Any]:
    stored = payload.model_dump(mode="json", exclude_unset=True)
    for name in SHOWN_DEFAULTS[kind]:
        stored.setdefault(name, getattr(payload, name))
    return stored


# ---------------------------------------------------------------- answers


class AcceptBody(_Model):
    rememberAction: bool | None = None  # noqa: N815
    selectedClientKeys: Annotated[list[Id120], Field(max_length=100)] | None = None  # noqa: N815
    selectedOptionIds: Annotated[list[Id120], Field(max_length=100)] | None = None  # noqa: N815

    @model_validator(mode="after")
    def _no_repeats(self) -> AcceptBody:
        _unique(self.selectedClientKeys or [], "selectedClientKeys")
        _unique(self.selectedOptionIds or [], "selectedOptionIds")
        return self


class ReasonBody(_Model):
    reason: Reason | None = None


class Answer(_Model):
    questionId: Id160  # noqa: N815
    optionIds: Annotated[list[Id160], Field(max_length=100)]  # noqa: N815
    otherText: Str4000 | None = None  # noqa: N815


class RespondBody(_Model):
    answers: Annotated[list[Answer], Field(max_length=100)]
    summaryMarkdown: Markdown | None = None  # noqa: N815


class ItemVerdict(_Model):
    id: Id120
    verdict: Verdict
    reason: Reason | None = None


class VerdictsBody(_Model):
    verdicts: Annotated[list[ItemVerdict], Field(min_length=1, max_length=200)]
