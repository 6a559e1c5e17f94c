"""The policy model: what a parsed, validated IAM policy document holds.

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
Documents become these values only through `harness.iam.parse.parse_policy`, which validates them;
everything downstream may rely on the invariants stated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class PolicyType(StrEnum):
    """The policy types of AWS's evaluation logic; the value is how AWS names the type in messages.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#access_policy-types
    """

    IDENTITY = "identity-based policy"
    RESOURCE = "resource-based policy"
    TRUST = "role trust policy"
    BOUNDARY = "permissions boundary"
    SESSION = "session policy"
    SCP = "service control policy"
    RCP = "resource control policy"


TRUST_ACTIONS = frozenset({
    "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
    "sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
})
"""The actions (lower case) whose resource is a role, decided by the role's trust policy."""


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A Principal or NotPrincipal element.

    `wildcard` is true for `"*"` and `{"AWS": "*"}`. `entries` maps the principal kind ("AWS",
    "Service", "Federated", "CanonicalUser") to the values listed under it, as written.
    """

    wildcard: bool
    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def values(self, kind: str) -> tuple[str, ...]:
        for name, values in self.entries:
            if name == kind:
                return values
        return ()


@dataclass(frozen=True, slots=True)
class Condition:
    """One operator/key pair of a Condition block, with the values listed for it.

    `operator` is the full operator as written (e.g. "ForAnyValue:StringLikeIfExists");
    `values` are the JSON scalars turned into strings as AWS reads them (true → "true", 5 → "5").
    """

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. Exactly one of each pair (actions/not_actions, resources/not_resources,
    principal/not_principal) may be set; resources are both None only in trust policies,
    where AWS allows the Resource element to be omitted."""

    index: int
    effect: Effect
    sid: str | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principal: PrincipalSpec | None = None
    not_principal: PrincipalSpec | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def label(self) -> str:
        """How explanations name the statement: its Sid, else its position."""
        return self.sid if self.sid else f"Statement[{self.index}]"


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy document.

    `name` identifies the policy in decisions and messages (an ARN where one exists, else a
    name the caller chose); `version` decides whether policy variables are substituted
    (they are not under 2008-10-17).
    """

    name: str
    policy_type: PolicyType
    statements: tuple[Statement, ...]
    version: str = VERSION_2008
    document_id: str | None = None
    source: str | None = field(default=None, compare=False)
    document: str | None = field(default=None, compare=False, repr=False)
    """The JSON text the policy was read from (what a decision log's policy table keeps)."""

    @property
    def variables_enabled(self) -> bool:
        return self.version == VERSION_2012
