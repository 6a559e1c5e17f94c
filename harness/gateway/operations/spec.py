"""How a service's operations are described to the mapper: the IAM prefix, where ARN template
variables and condition keys come from in the parameters, and the operations that are not 1:1;
and the `Call` being mapped, which is what a rule is given.

Each service family module in `rules/` builds one `ServiceSpec`; `registry` collects them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness import reference
from harness.gateway.operations.results import UnmappedOperation

if TYPE_CHECKING:
    from harness.gateway.operations.results import AuthorizationRequest


@dataclass(frozen=True, slots=True)
class Source:
    """Where one ARN template variable (or one condition key) finds its value: a parameter path
    (see params.values_at), optionally only values matching `pattern`, optionally rewritten by
    `convert`. `path_param` names a parameter holding an IAM path ("/app/") to put before the
    value, as in ${RoleNameWithPath}."""

    path: str
    pattern: re.Pattern[str] | None = None
    convert: Callable[[str], str] | None = None
    path_param: str | None = None

    @property
    def member(self) -> str:
        """The top-level member the path starts at."""
        return self.path.split(".", 1)[0].removesuffix("[]")


# Turns a parameter value into the ARN it names, e.g. an SQS queue URL or a Lambda function
# name; None when the value does not name a resource of the service.
ArnNormaliser = Callable[[str, "Environment"], "str | None"]
# Binds one resource type outright, from the whole call; None when the call does not name one.
TypeBinder = Callable[["Call"], "list[str] | None"]
# Computes condition keys whose names or values need more than one parameter
# (kms:EncryptionContext:<key>, ecs:cluster as an ARN).
KeyFunction = Callable[[Mapping[str, Any], "Environment"], "list[tuple[str, tuple[str, ...]]]"]
# An explicit rule: the authorisation requests for a call.
Rule = Callable[["Call"], "list[AuthorizationRequest]"]


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """`botocore` is the service's botocore/LocalStack name ('sso-admin'), `prefix` its IAM
    service prefix ('sso')."""

    botocore: str
    prefix: str
    variables: Mapping[str, tuple[Source, ...]] = field(default_factory=dict)
    arn_params: Mapping[str, ArnNormaliser] = field(default_factory=dict)
    binders: Mapping[str, TypeBinder] = field(default_factory=dict)
    keys: Mapping[str, tuple[Source, ...]] = field(default_factory=dict)
    key_functions: tuple[KeyFunction, ...] = ()
    rules: Mapping[str, Rule] = field(default_factory=dict)
    # Operation → why it is not mapped. These fail closed with UnmappedOperation.
    unsupported: Mapping[str, str] = field(default_factory=dict)
    # Resource types whose requests need a resource policy's allow (KMS keys, STS roles).
    resource_policy_types: frozenset[str] = frozenset()
    # Member → value the service assumes when the call omits it (ECS: the `default` cluster),
    # applied where the operation's input has that member.
    defaults: Mapping[str, str] = field(default_factory=dict)
    # Rules added to every operation's (EC2's tag-on-create: ec2:CreateTags).
    always: tuple[Rule, ...] = ()


@dataclass(frozen=True, slots=True)
class Environment:
    """Where the call is made: the partition and region it is signed for, and the caller's
    account (the owner of resources the caller names without an ARN)."""

    partition: str
    region: str
    account: str


@dataclass(frozen=True, slots=True)
class Call:
    """One API call being mapped: the service's spec, the operation, its parameters, and where
    it is made. `default_rule` maps it as the reference says; a service's rules may do more."""

    spec: ServiceSpec
    operation: str
    params: Mapping[str, Any]
    env: Environment

    def action(self, name: str, service: str | None = None) -> reference.Action:
        """The reference's action `name` of the call's service (or of `service`, an IAM prefix);
        UnmappedOperation when the reference has none."""
        prefix = service or self.spec.prefix
        found = reference.action(prefix, name)
        if found is None:
            raise UnmappedOperation(
                self.spec.botocore,
                self.operation,
                f"the Service Authorization Reference has no action {prefix}:{name}",
            )
        return found
