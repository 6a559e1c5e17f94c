"""The question every entry point asks: who, what, on what, and the facts AWS knows about the
request that are not in any policy (how it arrived, the caller's session)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from harness.iam.context import Caller, ContextKeys
from harness.iam.policy import Policy


@dataclass(frozen=True, slots=True)
class Transport:
    """How the request arrived: aws:SecureTransport, aws:SourceIp, aws:CurrentTime."""

    secure: bool
    now: datetime
    source_ip: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """What AWS remembers about temporary credentials: the session's condition keys and its
    session policies. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-tokenissuetime"""

    issued_at: datetime | None = None
    mfa_present: bool = False
    mfa_authenticated_at: datetime | None = None
    source_identity: str | None = None
    federated_provider: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    policies: tuple[Policy, ...] | None = None
    """None: the session carries no session policy (not the same as an empty one)."""


@dataclass(frozen=True, slots=True)
class Question:
    """May `caller` perform `action` on `resource`?

    `resource_account` is the owner when the caller knows it (None: the source looks it up).
    `keys` are the request's own condition keys (they win over every derived key).
    `user_id` is aws:userid when the caller knows it; `source_account` / `source_arn` the
    resource a service acts for (aws:SourceAccount / aws:SourceArn).
    `resource_policy_required` marks a request only a resource policy can let through (the
    mapping of the operation says so; the rules add trust actions and KMS keys).
    """

    caller: Caller
    action: str
    resource: str = "*"
    resource_account: str | None = None
    keys: ContextKeys = field(default_factory=ContextKeys)
    transport: Transport | None = None
    session: Session | None = None
    user_id: str | None = None
    source_account: str | None = None
    source_arn: str | None = None
    resource_policy_required: bool = False

    @property
    def service(self) -> str:
        return self.action.partition(":")[0].lower()

    @property
    def region(self) -> str:
        """The resource ARN's region; us-east-1 for "*" and for global resources."""
        parts = self.resource.split(":")
        return parts[3] if len(parts) > 5 and parts[3] else "us-east-1"
