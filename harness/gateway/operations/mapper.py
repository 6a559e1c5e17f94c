"""operation → authorisation requests: the explicit rule when the service has one, else the
default rule (the IAM action named like the operation). Anything else fails closed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness import reference
from harness.gateway.operations.params import ParameterError
from harness.gateway.operations.registry import SPECS
from harness.gateway.operations.results import (
    AuthorizationRequest,
    InvalidParameters,
    UnmappedOperation,
)
from harness.gateway.operations.rules.common import same
from harness.gateway.operations.service_models import input_members, operation_names
from harness.gateway.operations.spec import Call, Environment, Rule, ServiceSpec


def _spec(service: str, operation: str) -> ServiceSpec:
    spec = SPECS.get(service)
    if spec is None:
        raise UnmappedOperation(service, operation, f"the service {service!r} is not mapped")
    return spec


def _rule(spec: ServiceSpec, operation: str) -> Rule:
    if operation in spec.unsupported:
        raise UnmappedOperation(spec.botocore, operation, spec.unsupported[operation])
    rule = spec.rules.get(operation)
    if rule is not None:
        return rule
    if operation not in operation_names(spec.botocore):
        raise UnmappedOperation(spec.botocore, operation, "the service has no such operation")
    if reference.action(spec.prefix, operation) is None:
        raise UnmappedOperation(
            spec.botocore,
            operation,
            f"no IAM action {spec.prefix}:{operation} and no explicit rule",
        )
    return same


def _with_defaults(
    spec: ServiceSpec, operation: str, params: Mapping[str, Any]
) -> Mapping[str, Any]:
    if not spec.defaults:
        return params
    members = input_members(spec.botocore, operation)
    missing = {
        member: value
        for member, value in spec.defaults.items()
        if member in members and params.get(member) is None
    }
    return {**params, **missing} if missing else params


def authorization_requests(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    *,
    region: str,
    account: str,
    partition: str = "aws",
) -> tuple[AuthorizationRequest, ...]:
    """The authorisation requests AWS makes for `service`'s `operation` called with `params`
    (members named as in botocore's model), in `region`, by a caller in `account`.

    `account` owns the resources the caller names without an ARN (IAM roles, DynamoDB tables,
    SNS topics by name …); ARNs in the parameters (TopicArn, a QueueUrl, a FunctionName given as
    an ARN) keep their own account. Raises UnmappedOperation (InvalidParameters for parameters
    that cannot be read) rather than let a call through unchecked. An empty tuple means AWS
    authorises nothing for the call (sts:GetCallerIdentity).
    """
    spec = _spec(service, operation)
    rule = _rule(spec, operation)
    if not isinstance(params, Mapping):
        raise InvalidParameters(service, operation, "the parameters are not a structure")
    call = Call(
        spec,
        operation,
        _with_defaults(spec, operation, params),
        Environment(partition, region, account),
    )
    try:
        made = rule(call)
        for extra in spec.always:
            made.extend(extra(call))
    except ParameterError as error:
        raise InvalidParameters(service, operation, str(error)) from error
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        # Fail closed on anything the rules did not foresee in the parameters.
        raise InvalidParameters(
            service, operation, f"the parameters cannot be read ({type(error).__name__}: {error})"
        ) from error
    return tuple(dict.fromkeys(made))


def mapped_operations(service: str) -> frozenset[str]:
    """The operations of `service` (botocore's name) that have a mapping: an explicit rule, or
    an IAM action of the same name; never those listed as unsupported."""
    spec = SPECS.get(service)
    if spec is None:
        return frozenset()
    names = set(spec.rules)
    for operation in operation_names(service):
        if reference.action(spec.prefix, operation) is not None:
            names.add(operation)
    return frozenset(names - set(spec.unsupported))


def unsupported_operations(service: str) -> Mapping[str, str]:
    """Operations deliberately left unmapped, with the reason (they fail closed)."""
    spec = SPECS.get(service)
    return dict(spec.unsupported) if spec is not None else {}
