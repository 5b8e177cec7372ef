"""Request bodies of cost events and budgets, the bounded field types, and the cost-event JSON shape."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)

from paperclip.db.models import CostEvent
from paperclip.errors import BadRequest
from paperclip.ids import path_uuid
from paperclip.wire import iso, uid

INT32_MAX = 2_147_483_647
MAX_JSON_BYTES = 256 * 1024


def _json_bounded(value: dict[str, Any]) -> dict[str, Any]:
    dumped = json.dumps(value, default=str)
    if len(dumped) > MAX_JSON_BYTES:
        raise ValueError(f"must serialise to at most {MAX_JSON_BYTES} bytes")
    if "\\u0000" in dumped:  # PostgreSQL text and jsonb cannot store NUL
        raise ValueError("must not contain NUL characters")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Text = Annotated[StrictStr, AfterValidator(_no_nul)]
Label = Annotated[Text, Field(min_length=1, max_length=200)]
Note = Annotated[Text, Field(max_length=10_000)]
Count = Annotated[StrictInt, Field(ge=0, le=INT32_MAX)]
Cents = Annotated[StrictInt, Field(ge=0, le=INT32_MAX)]
Flag = StrictBool
JsonObject = Annotated[dict[str, Any], AfterValidator(_json_bounded)]
Timestamp = Annotated[datetime, AfterValidator(_aware)]
BillingType = Literal[
    "metered_api", "subscription_included", "subscription_overage", "credits", "fixed", "unknown"
]


class Body(BaseModel):
    """Unknown fields are ignored, as the original (zod) does."""

    model_config = ConfigDict(extra="ignore")


path_id = path_uuid  # a path id: anything that is not a UUID is the same answer as an unknown id (404)


class CostEventCreate(Body):
    agentId: uuid.UUID
    issueId: uuid.UUID | None = None
    projectId: uuid.UUID | None = None
    goalId: uuid.UUID | None = None
    heartbeatRunId: uuid.UUID | None = None
    billingCode: Annotated[Text, Field(max_length=200)] | None = None
    provider: Label
    biller: Label | None = None
    billingType: BillingType = "unknown"
    costStatus: Literal["reported", "unpriced"] = "reported"
    model: Label
    inputTokens: Count = 0
    cachedInputTokens: Count = 0
    outputTokens: Count = 0
    costCents: Cents
    occurredAt: Timestamp


class BudgetPolicyUpsert(Body):
    scopeType: Literal["company", "agent", "project"]
    scopeId: uuid.UUID
    metric: Literal["billed_cents"] = "billed_cents"
    windowKind: Literal["calendar_month_utc", "lifetime"] = "calendar_month_utc"
    amount: Cents
    warnPercent: Annotated[StrictInt, Field(ge=1, le=99)] | None = None
    hardStopEnabled: Flag | None = None
    notifyEnabled: Flag | None = None
    isActive: Flag | None = None


class BudgetAmount(Body):
    budgetMonthlyCents: Cents


class IncidentResolve(Body):
    action: Literal["keep_paused", "raise_budget_and_resume"]
    amount: Cents | None = None
    decisionNote: Note | None = None

    def check(self) -> None:
        """The cross-field rule, answered like a field error (400 naming `amount`)."""
        if self.action == "raise_budget_and_resume" and self.amount is None:
            raise BadRequest(
                "Validation error",
                [
                    {
                        "path": ["amount"],
                        "field": "amount",
                        "code": "custom",
                        "message": "amount is required when raising a budget",
                    }
                ],
            )


def cost_event_to_wire(e: CostEvent, cost_status: str = "reported") -> dict[str, Any]:
    return {
        "id": str(e.id),
        "companyId": str(e.company_id),
        "agentId": str(e.agent_id),
        "issueId": uid(e.issue_id),
        "projectId": uid(e.project_id),
        "goalId": uid(e.goal_id),
        "heartbeatRunId": uid(e.heartbeat_run_id),
        "billingCode": e.billing_code,
        "provider": e.provider,
        "biller": e.biller,
        "billingType": e.billing_type,
        "costStatus": cost_status,
        "model": e.model,
        "inputTokens": e.input_tokens,
        "cachedInputTokens": e.cached_input_tokens,
        "outputTokens": e.output_tokens,
        "costCents": e.cost_cents,
        "occurredAt": iso(e.occurred_at),
        "createdAt": iso(e.created_at),
    }
