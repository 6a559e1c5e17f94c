"""The default rule: the operation's (or a named) IAM action, on the resources the call's
parameters name, with the condition keys they carry. A service's rules (`rules/`) build on it:

    default_rule.requests(call, "TagResource", keys=keys)    # bound from the parameters
    default_rule.on(call, "PassRole", role_arn, service="iam")  # on a resource the rule names
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from harness.gateway.operations.binding import bind
from harness.gateway.operations.keys import request_keys
from harness.gateway.operations.results import AuthorizationRequest, keys_of
from harness.gateway.operations.spec import Call


def arn_account(arn: str) -> str | None:
    """The account field of an ARN ('' in S3 bucket ARNs, 'aws' in AWS-owned ones → None)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[4].isdigit():
        return None
    return parts[4]


def requests(
    call: Call,
    action: str | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    keys: Sequence[tuple[str, tuple[str, ...]]] | None = None,
    resource_policy: bool | None = None,
) -> list[AuthorizationRequest]:
    """The default rule for `action` (the operation's own name when None), its resources
    bound from `params` (the call's when None), with `keys` added to those derived."""
    found = call.action(action or call.operation)
    if params is not None:
        call = dataclasses.replace(call, params=params)
    given = call.params
    made = []
    for rtype, arn in bind(call, found, given):
        policy = resource_policy
        if policy is None:
            # A resource that does not exist yet ('…/*') has no policy to consult.
            policy = (
                rtype is not None
                and rtype in call.spec.resource_policy_types
                and not arn.endswith("*")
            )
        made.append(
            AuthorizationRequest(
                action=found.qualified,
                resource=arn,
                keys=keys_of(request_keys(call, found, rtype, given, keys)),
                resource_account=arn_account(arn) if arn != "*" else None,
                resource_policy_required=policy,
            )
        )
    return made


def on(
    call: Call,
    action: str,
    resource: str,
    *,
    keys: Sequence[tuple[str, tuple[str, ...]]] | None = None,
    resource_type: str | None = None,
    service: str | None = None,
    resource_policy: bool = False,
) -> AuthorizationRequest:
    """A request for `action` on a resource the rule names itself (iam:PassRole on a role
    ARN, the source object of a copy); keys: the rule's, kept where the reference lists
    them, plus the global ones."""
    found = call.action(action, service)
    kept = request_keys(call, found, resource_type, {}, keys)
    return AuthorizationRequest(
        action=found.qualified,
        resource=resource,
        keys=keys_of(kept),
        resource_account=arn_account(resource) if resource != "*" else None,
        resource_policy_required=resource_policy,
    )
