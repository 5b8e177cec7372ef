"""Answers of the access routes (sign-in, invites, join requests, members, board keys, CLI sign-in,
board claim), for the OpenAPI document (paperclip.api.responses): the shapes of access/*.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import ConfigDict

from paperclip.api.responses import Wire


class AuthUser(Wire):
    id: str
    email: str | None
    name: str | None
    image: str | None
    emailVerified: bool
    createdAt: datetime
    updatedAt: datetime


class SignedIn(Wire):
    token: None  # the session travels in the cookie only
    user: AuthUser
    redirect: bool | None = None  # sign-in only
    url: str | None = None


class Success(Wire):
    success: bool


class SessionRef(Wire):
    id: str
    userId: str


class SessionUser(Wire):
    id: str
    email: str | None
    name: str | None
    image: str | None


class Session(Wire):
    session: SessionRef
    user: SessionUser
    sentryDsn: None  # the original's web app waits for the key; we report errors nowhere


class PasswordChanged(Wire):
    status: bool
    revokedSessions: int


class BoardClaimStatus(Wire):
    status: str
    requiresSignIn: bool
    expiresAt: datetime | None
    claimedByUserId: str | None


class Claimed(Wire):
    claimed: bool
    userId: str


class Invite(Wire):
    model_config = ConfigDict(extra="allow")  # a created invite adds its token and links (below)
    id: UUID
    companyId: UUID | None
    inviteType: str
    allowedJoinTypes: str
    humanRole: str | None
    defaultsPayload: dict[str, Any] | None
    expiresAt: datetime
    invitedByUserId: str | None
    revokedAt: datetime | None
    acceptedAt: datetime | None
    createdAt: datetime
    inviteMessage: str | None
    state: str


class CreatedInvite(Invite):
    token: str  # shown once
    invitePath: str
    inviteUrl: str
    companyName: str


class InviteList(Wire):
    invites: list[Invite]
    nextOffset: int | None


class PublicInvite(Wire):
    """An invite seen through its link (no sign-in): the company, the links, and for a signed-in
    caller the state of their own join request."""

    model_config = ConfigDict(extra="allow")  # <name>Path / <name>Url links
    id: UUID
    companyId: UUID | None
    companyName: str | None
    companyLogoUrl: str | None
    inviteType: str
    allowedJoinTypes: str
    humanRole: str | None
    expiresAt: datetime
    inviteMessage: str | None
    invitedByUserName: str | None = None
    joinRequestStatus: str | None = None
    joinRequestType: str | None = None


class InviteOnboarding(Wire):
    invite: PublicInvite
    onboarding: dict[str, Any]  # instructions, endpoints and connectivity facts for an agent


class JoinRequest(Wire):
    id: UUID
    inviteId: UUID | None
    companyId: UUID
    requestType: str
    status: str
    requestingUserId: str | None
    requestEmailSnapshot: str | None
    agentName: str | None
    adapterType: str | None
    capabilities: str | None
    agentDefaultsPayload: dict[str, Any] | None
    claimSecretConsumedAt: datetime | None
    createdAgentId: UUID | None
    approvedByUserId: str | None
    approvedAt: datetime | None
    rejectedByUserId: str | None
    rejectedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class HumanJoin(JoinRequest):
    requestIp: str | None


class AgentJoin(JoinRequest):
    claimSecret: str  # shown once: exchanged for the agent's API key after approval
    claimSecretExpiresAt: datetime
    claimApiKeyPath: str


class BootstrapAccepted(Wire):
    inviteId: UUID
    inviteType: str
    bootstrapAccepted: bool
    userId: str


class ClaimedApiKey(Wire):
    keyId: UUID
    token: str  # shown once
    agentId: UUID | None
    createdAt: datetime


class MemberUser(Wire):
    id: str
    email: str | None
    name: str | None
    image: str | None


class Grant(Wire):
    id: UUID
    companyId: UUID
    principalType: str
    principalId: str
    permissionKey: str
    scope: dict[str, Any] | None
    grantedByUserId: str | None
    createdAt: datetime
    updatedAt: datetime


class Member(Wire):
    id: UUID
    companyId: UUID
    principalType: str
    principalId: str
    status: str
    membershipRole: str | None
    createdAt: datetime
    updatedAt: datetime
    user: MemberUser | None
    grants: list[Grant]


class MemberAccess(Wire):
    currentUserRole: str | None
    canManageMembers: bool
    canInviteUsers: bool
    canApproveJoinRequests: bool


class Members(Wire):
    members: list[Member]
    access: MemberAccess


class AdminUser(Wire):
    id: str
    email: str | None
    name: str | None
    image: str | None
    emailVerified: bool
    isInstanceAdmin: bool
    createdAt: datetime


class AccessUser(Wire):
    id: str
    email: str | None
    name: str | None
    image: str | None
    isInstanceAdmin: bool


class CompanyAccessEntry(Wire):
    id: UUID
    companyId: UUID
    principalType: str
    principalId: str
    status: str
    membershipRole: str | None
    createdAt: datetime
    updatedAt: datetime
    companyName: str | None
    companyStatus: str | None


class CompanyAccess(Wire):
    user: AccessUser | None
    companyAccess: list[CompanyAccessEntry]


class InstanceAdmin(Wire):
    userId: str
    isInstanceAdmin: bool


class BoardKey(Wire):
    id: UUID
    name: str
    createdAt: datetime
    lastUsedAt: datetime | None
    revokedAt: datetime | None
    expiresAt: datetime | None  # null: never expires


class CreatedBoardKey(BoardKey):
    token: str  # shown once


class RevokedKey(Wire):
    ok: bool
    keyId: UUID


class CliChallenge(Wire):
    id: UUID
    token: str  # the challenge's secret, for polling
    boardApiToken: str  # becomes valid once a signed-in user approves
    approvalPath: str
    approvalUrl: str
    pollPath: str
    expiresAt: datetime
    suggestedPollIntervalMs: int


class Approver(Wire):
    id: str
    name: str | None
    email: str | None


class CliChallengeStatus(Wire):
    id: UUID
    status: str
    command: str | None
    clientName: str | None
    requestedAccess: str | None
    requestedCompanyId: UUID | None
    requestedCompanyName: str | None
    approvedAt: datetime | None
    cancelledAt: datetime | None
    expiresAt: datetime
    approvedByUser: Approver | None
    requiresSignIn: bool
    canApprove: bool
    currentUserId: str | None


class CliChallengeApproved(Wire):
    approved: bool
    status: str
    userId: str
    keyId: UUID | None
    expiresAt: datetime


class CliChallengeCancelled(Wire):
    cancelled: bool
    status: str


class CliUser(Wire):
    id: str
    name: str | None
    email: str | None


class CliMembership(Wire):
    companyId: UUID
    membershipRole: str | None
    status: str


class CliMe(Wire):
    user: CliUser
    userId: str
    isInstanceAdmin: bool
    companyIds: list[UUID]
    memberships: list[CliMembership]
    source: str
    keyId: UUID | None


class KeyRevoked(Wire):
    revoked: bool
    keyId: UUID
