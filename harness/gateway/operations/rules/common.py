"""Building blocks of explicit rules, so each service's table reads like AWS's documentation:
"HeadObject": versioned("GetObject", "GetObjectVersion") — s3:GetObject, or s3:GetObjectVersion
when the call names a version."""

from __future__ import annotations

from collections.abc import Callable

from harness.gateway.operations import default_rule
from harness.gateway.operations.params import ParameterError, present, text, values_at
from harness.gateway.operations.results import AuthorizationRequest
from harness.gateway.operations.spec import Call, Rule

KeyList = list[tuple[str, tuple[str, ...]]]


def same(call: Call) -> list[AuthorizationRequest]:
    """The default rule: the IAM action named like the operation."""
    return default_rule.requests(call)


def action(name: str) -> Rule:
    """Another IAM action than the operation's name, on the resources the call names."""

    def rule(call: Call) -> list[AuthorizationRequest]:
        return default_rule.requests(call, name)

    return rule


def versioned(name: str, version_name: str, param: str = "VersionId") -> Rule:
    """`name`, or `version_name` when the call names a version (S3 GetObject →
    s3:GetObjectVersion)."""

    def rule(call: Call) -> list[AuthorizationRequest]:
        return default_rule.requests(call, version_name if present(call.params, param) else name)

    return rule


def none_needed(call: Call) -> list[AuthorizationRequest]:
    """AWS authorises nobody for this call: it always succeeds (sts:GetCallerIdentity)."""
    return []


def plus(first: Rule, *more: Rule) -> Rule:
    """Every request of every rule: all must be allowed."""

    def rule(call: Call) -> list[AuthorizationRequest]:
        made = first(call)
        for other in more:
            made.extend(other(call))
        return made

    return rule


def when(param: str, then: Rule) -> Rule:
    """`then`'s requests when the call gives `param` (a non-empty value)."""

    def rule(call: Call) -> list[AuthorizationRequest]:
        values = values_at(call.params, param)
        if not any(value not in ("", False) and value != [] and value != {} for value in values):
            return []
        return then(call)

    return rule


def with_keys(name: str | None, keys: Callable[[Call], KeyList]) -> Rule:
    """The default rule for `name` (the operation when None), with keys a function derives."""

    def rule(call: Call) -> list[AuthorizationRequest]:
        return default_rule.requests(call, name, keys=keys(call))

    return rule


def pass_role(param: str, service: str | Callable[[Call], str]) -> Rule:
    """iam:PassRole on the role the call hands to a service, with iam:PassedToService.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"""

    def rule(call: Call) -> list[AuthorizationRequest]:
        roles = [value for value in values_at(call.params, param) if value]
        made = []
        for role in roles:
            if not isinstance(role, str):
                raise ParameterError(f"{param} is not a role ARN")
            arn = role_arn(role, call)
            to = service(call) if callable(service) else service
            made.append(
                default_rule.on(
                    call,
                    "PassRole",
                    arn,
                    service="iam",
                    resource_type="role",
                    keys=[("iam:PassedToService", (to,))],
                )
            )
        return made

    return rule


def role_arn(value: str, call: Call) -> str:
    """A role given by ARN or by name (with an optional path) as the role's ARN."""
    if value.startswith("arn:"):
        if ":role/" not in value:
            raise ParameterError(f"{value!r} is not a role ARN")
        return value
    name = value.strip("/")
    if not name:
        raise ParameterError("empty role name")
    return f"arn:{call.env.partition}:iam::{call.env.account}:role/{name}"


def required_text(call: Call, path: str) -> str:
    value = text(call.params, path)
    if not value:
        raise ParameterError(f"the required parameter {path} is missing")
    return value
