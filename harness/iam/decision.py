"""What the engine answers: the decision, and why.

Shaped after AWS's policy simulator result (EvaluationResult):
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from harness.iam.context import Request
from harness.iam.policy import Effect, PolicyType

if TYPE_CHECKING:  # evaluate imports this module
    from harness.iam.evaluate import PolicySet


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule AWS applies outside any policy, when it decided the request: `code` and `message`
    are the error AWS answers with when the rule refuses (UnmodifiableEntity, AccessDenied, …),
    `page` the AWS page that states the rule."""

    name: str
    page: str
    code: str | None = None
    message: str | None = None
    status: int = 400


class Outcome(StrEnum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that applied to the request (action, resource, principal and conditions)."""

    policy_name: str
    policy_type: PolicyType
    statement: str  # its Sid, else "Statement[i]"
    index: int
    effect: Effect
    source: str | None = None

    def describe(self) -> str:
        return f"{self.policy_type.value} {self.policy_name} {self.statement} ({self.effect.value})"


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer for one request.

    `denied_by` is the policy type whose explicit deny, or whose missing allow, decided a denial
    (None when allowed; None for an implicit deny no single type explains). `deciding` holds the
    statements that decided: the denying statements for an explicit deny, the granting ones for an
    allow, none for an implicit deny. `matched` holds every statement that applied; `unmet` every
    statement that covered the action, resource and caller but whose Condition did not hold (the
    statements a dropped condition would bring in).
    `allowed_by_organizations` / `allowed_by_boundary` / `allowed_by_rcps` are None when that
    policy type did not take part (as AWS's OrganizationsDecisionDetail and
    PermissionsBoundaryDecisionDetail are absent then).
    """

    outcome: Outcome
    request: Request
    denied_by: PolicyType | None = None
    deciding: tuple[MatchedStatement, ...] = ()
    matched: tuple[MatchedStatement, ...] = ()
    unmet: tuple[MatchedStatement, ...] = ()
    missing_keys: tuple[str, ...] = ()
    allowed_by_organizations: bool | None = None
    allowed_by_rcps: bool | None = None
    allowed_by_boundary: bool | None = None
    error: str | None = None
    rule: Rule | None = None
    """Set when one of AWS's rules outside the policies decided (harness.authorization.rules):
    an always-allowed action, or a protected entity refused whatever the policies say."""
    policies: PolicySet | None = field(default=None, compare=False, repr=False)
    """The PolicySet (harness.iam.evaluate) the engine was given, when it was given one
    (`harness.authorization.decide.decide_assembled` sets it): what the decision log records so
    that `securecart mutate` can decide the request again with a policy changed."""

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED
