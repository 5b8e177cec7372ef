"""Request bodies and the JSON shape of a company."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import model_validator

from paperclip.companies.fields import Body, Cents, Color, Description, Flag, Name
from paperclip.db.models import Company
from paperclip.vocabulary import CompanyStatus
from paperclip.wire import iso, uid


class CompanyCreate(Body):
    name: Name
    description: Description | None = None
    budgetMonthlyCents: Cents = 0
    requireBoardApprovalForNewAgents: Flag = False
    brandColor: Color | None = None


class CompanyPatch(Body):
    # Non-nullable fields default to None without validation: omitted is fine, an explicit null is a 400.
    name: Name = None  # type: ignore[assignment]
    description: Description | None = None
    status: CompanyStatus = None  # type: ignore[assignment]
    budgetMonthlyCents: Cents = None  # type: ignore[assignment]
    requireBoardApprovalForNewAgents: Flag = None  # type: ignore[assignment]
    brandColor: Color | None = None
    logoAssetId: uuid.UUID | None = None


class BrandingPatch(Body):
    """PATCH /companies/:id/branding: only the fields that brand the company, at least one of them."""

    name: Name = None  # type: ignore[assignment]
    description: Description | None = None
    brandColor: Color | None = None
    logoAssetId: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_field(self):
        if not self.model_fields_set:
            raise ValueError("At least one branding field must be provided")
        return self


def company_to_wire(c: Company) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "name": c.name,
        "description": c.description,
        "status": c.status,
        "pauseReason": c.pause_reason,
        "pausedAt": iso(c.paused_at),
        "issuePrefix": c.issue_prefix,
        "issueCounter": c.issue_counter,
        "budgetMonthlyCents": c.budget_monthly_cents,
        "spentMonthlyCents": c.spent_monthly_cents,
        "attachmentMaxBytes": c.attachment_max_bytes,
        "requireBoardApprovalForNewAgents": c.require_board_approval_for_new_agents,
        "brandColor": c.brand_color,
        "logoAssetId": uid(c.logo_asset_id),
        "logoUrl": f"/api/assets/{c.logo_asset_id}/content" if c.logo_asset_id else None,
        "createdAt": iso(c.created_at),
        "updatedAt": iso(c.updated_at),
    }
