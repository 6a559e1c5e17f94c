"""The request context: who asks, for what action, on which resource, with which condition keys.

https://docs.aws.amazon.com/IAM/latest/UserGuide/intro-structure.html#intro-structure-request
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


def present_values(values: tuple[str, ...] | None) -> tuple[str, ...]:
    """The values of a key that count as there: all but the empty strings. An empty result means
    the key is null — absent, present with no value (an empty list), or present with only empty
    strings — and every reader of keys (each condition operator, Null, the set qualifiers, policy
    variables) reads a null key as it reads an absent one.

    Why an empty string is no value: the Null operator's "false" means "the key exists and its
    value is not null"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null),
    and AWS says "If the key values in the request resolve to an empty data set (for example, an
    empty string), a condition operator modified by ForAllValues returns true, and a condition
    operator modified by ForAnyValue returns false"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html),
    and that a Null check with false keeps "missing context keys or context keys with empty
    values" from evaluating to true
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html).
    The IAM policy simulator answers the same for Null on an empty value (nccgroup/PMapper,
    tests/test_local_policy_sim.py, test_null_condition_handling, "Validated against the
    Simulator API").
    """
    if not values:
        return ()
    if "" not in values:
        return values
    return tuple(value for value in values if value)


class ContextKeys(Mapping[str, tuple[str, ...]]):
    """Condition keys of a request. Key names are case-insensitive (AWS documents that condition
    key names are not case-sensitive); values keep their case. Every value is a tuple of strings:
    a single-valued key holds one, a multivalued key (ArrayOf… in the service reference) any number.
    """

    __slots__ = ("_multi", "_names", "_values")

    def __init__(
        self,
        values: Mapping[str, Iterable[str] | str] | None = None,
        multivalued: Iterable[str] = (),
    ) -> None:
        self._values: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, str] = {}
        self._multi: set[str] = {name.lower() for name in multivalued}
        for name, value in (values or {}).items():
            self.set(name, value)

    def set(self, name: str, value: Iterable[str] | str, *, multivalued: bool = False) -> None:
        lowered = name.lower()
        self._values[lowered] = (value,) if isinstance(value, str) else tuple(value)
        self._names[lowered] = name
        if multivalued:
            self._multi.add(lowered)

    def setdefault_value(self, name: str, value: Iterable[str] | str) -> None:
        """Set a key the caller did not give; what the caller gave wins."""
        if name.lower() not in self._values:
            self.set(name, value)

    def is_multivalued(self, name: str) -> bool:
        return name.lower() in self._multi

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return self._values[name.lower()]

    def get_values(self, name: str) -> tuple[str, ...] | None:
        return self._values.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def copy(self) -> ContextKeys:
        clone = ContextKeys()
        clone._values = dict(self._values)
        clone._names = dict(self._names)
        clone._multi = set(self._multi)
        return clone


class PrincipalKind(StrEnum):
    """The kinds of caller; the value is what aws:PrincipalType reports for it.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype
    """

    ROOT = "Account"
    USER = "User"
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    # A role is never a caller by itself (a role acts through a session), but the simulator
    # may be asked about a role ARN, as AWS's SimulatePrincipalPolicy is.
    ROLE = "Role"
    SERVICE = "Service"
    # The caller of AssumeRoleWithSAML / AssumeRoleWithWebIdentity: the identity provider's
    # assertion stands in for a principal.
    WEB_IDENTITY = "WebIdentityUser"
    SAML = "SAMLUser"
    ANONYMOUS = "Anonymous"


ACCOUNTLESS = frozenset({PrincipalKind.SERVICE, PrincipalKind.ANONYMOUS, PrincipalKind.SAML,
                         PrincipalKind.WEB_IDENTITY})
"""Callers that are no principal of any account: only a resource-based policy can let them in,
and no aws:Principal* key describes them."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal making the request, in every form a policy may name it.

    `arn` is the caller's own ARN (for a role session the assumed-role ARN); `identity_arn` the
    IAM identity behind it (the role's ARN with its path for a session, the user's ARN for a
    federated user); `account` the account the principal belongs to (None for anonymous, service
    and federated-provider callers). `service` is the service principal name for SERVICE callers,
    `provider` the identity provider (SAML provider ARN, or an OIDC issuer) for SAML and
    WEB_IDENTITY callers. `service_linked` marks service-linked role sessions, which SCPs and RCPs
    do not restrict.
    """

    kind: PrincipalKind
    arn: str
    account: str | None = None
    identity_arn: str | None = None
    service: str | None = None
    provider: str | None = None
    service_linked: bool = False
    partition: str = "aws"

    @property
    def label(self) -> str:
        """How AccessDenied messages name the caller."""
        if self.kind is PrincipalKind.ANONYMOUS:
            return "anonymous"
        return self.arn


@dataclass(frozen=True, slots=True)
class Request:
    """One authorisation question: may `caller` perform `action` on `resource`?

    `resource_account` is the account that owns the resource (None when the resource is "*" or
    owned by no account); it decides same-account versus cross-account evaluation.
    """

    caller: Caller
    action: str
    resource: str = "*"
    resource_account: str | None = None
    keys: ContextKeys = field(default_factory=ContextKeys)
