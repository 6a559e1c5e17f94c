"""One API call being mapped, and the default rule: the operation's (or a named) IAM action, on
the resources its parameters name, with the condition keys they carry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness import authref
from harness.gateway.operations.binding import bind
from harness.gateway.operations.keys import request_keys
from harness.gateway.operations.model import AuthorizationRequest, Environment, UnmappedOperation
from harness.gateway.operations.model import keys_of as _keys_of
from harness.gateway.operations.spec import ServiceSpec


def arn_account(arn: str) -> str | None:
    """The account field of an ARN ('' in S3 bucket ARNs, 'aws' in AWS-owned ones → None)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[4].isdigit():
        return None
    return parts[4]


@dataclass(frozen=True, slots=True)
class Call:
    spec: ServiceSpec
    operation: str
    params: Mapping[str, Any]
    env: Environment

    def action(self, name: str, service: str | None = None) -> authref.Action:
        prefix = service or self.spec.prefix
        found = authref.action(prefix, name)
        if found is None:
            raise UnmappedOperation(
                self.spec.botocore,
                self.operation,
                f"the Service Authorization Reference has no action {prefix}:{name}",
            )
        return found

    def requests(
        self,
        action: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        keys: Sequence[tuple[str, tuple[str, ...]]] | None = None,
        resource_policy: bool | None = None,
    ) -> list[AuthorizationRequest]:
        """The default rule for `action` (the operation's own name when None), its resources
        bound from `params` (the call's when None), with `keys` added to those derived."""
        found = self.action(action or self.operation)
        call = self if params is None else Call(self.spec, self.operation, params, self.env)
        given = call.params
        made = []
        for rtype, arn in bind(call, found, given):
            policy = resource_policy
            if policy is None:
                # A resource that does not exist yet ('…/*') has no policy to consult.
                policy = (
                    rtype is not None
                    and rtype in self.spec.resource_policy_types
                    and not arn.endswith("*")
                )
            made.append(
                AuthorizationRequest(
                    action=found.qualified,
                    resource=arn,
                    keys=_keys_of(request_keys(call, found, rtype, given, keys)),
                    resource_account=arn_account(arn) if arn != "*" else None,
                    resource_policy_required=policy,
                )
            )
        return made

    def on(
        self,
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
        found = self.action(action, service)
        kept = request_keys(self, found, resource_type, {}, keys)
        return AuthorizationRequest(
            action=found.qualified,
            resource=resource,
            keys=_keys_of(kept),
            resource_account=arn_account(resource) if resource != "*" else None,
            resource_policy_required=resource_policy,
        )
