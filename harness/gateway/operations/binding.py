"""The default rule's resource half: which resources an action's request names, as ARNs built
from the reference's ARN templates and the call's parameters.

For each resource type the reference lists for the action:
1. a service binder for that type, if the service has one (S3 objects, SQS queue URLs …);
2. otherwise an ARN the parameters give (TopicArn, ResourceArn, a FunctionName that is an ARN …)
   that fits the type's template — it keeps its own account and region;
3. otherwise the template, its variables filled from the parameters (per-service table, else the
   member of the same name, or its plural for a list) and from the environment (partition,
   region, the caller's account).
A required type (the reference's asterisk) whose variables the call does not give — the service
creates or chooses the resource, as with RunInstances' instance — gets '*' for them, as AWS's
own examples write it ("arn:aws:ec2:us-east-1:123456789012:instance/*"); but a variable whose
parameter the model marks required and the call lacks is a malformed request. An action with no
resource type is authorised on "*".
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html#resources_table
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from harness import reference
from harness.gateway.operations.params import ParameterError, texts_at
from harness.gateway.operations.service_models import required_members
from harness.gateway.operations.spec import Source

if TYPE_CHECKING:
    from harness.gateway.operations.spec import Call

# More resources than this in one call is not a request the harness expects to authorise.
MAX_RESOURCES = 1000
# Parameter names that carry a resource's ARN, besides the service's own arn_params.
_ARN_SUFFIXES = ("Arn", "ARN", "Arns", "ARNs", "arn", "arns")
_ARN_NAMES = frozenset({"Resource", "resource", "ResourceName"})


def _default_sources(variable: str) -> tuple[Source, ...]:
    lower = variable[0].lower() + variable[1:]
    return (Source(variable), Source(variable + "s"), Source(lower), Source(lower + "s"))


def _with_path(params: Mapping[str, Any], source: Source, value: str) -> str:
    if source.path_param is None:
        return value
    path = texts_at(params, source.path_param)
    prefix = path[0] if path else "/"
    return prefix.strip("/") + "/" + value if prefix.strip("/") else value


def variable_values(call: Call, variable: str, params: Mapping[str, Any]) -> list[str]:
    """The values the call gives a template variable (empty when none)."""
    for source in call.spec.variables.get(variable, _default_sources(variable)):
        values = []
        for value in texts_at(params, source.path):
            if source.pattern is not None and not source.pattern.fullmatch(value):
                continue
            converted = source.convert(value) if source.convert is not None else value
            values.append(_with_path(params, source, converted))
        if values:
            return values
    return []


def _missing_required(call: Call, variable: str, params: Mapping[str, Any]) -> str | None:
    """The required member that would have given `variable`, when the call lacks it."""
    required = required_members(call.spec.botocore, call.operation)
    for source in call.spec.variables.get(variable, _default_sources(variable)):
        if source.member in required and not texts_at(params, source.path):
            return source.path
    return None


def _arn_candidates(call: Call, params: Mapping[str, Any]) -> list[str]:
    required = required_members(call.spec.botocore, call.operation)
    arns: list[str] = []
    for name, value in params.items():
        normaliser = call.spec.arn_params.get(name)
        if normaliser is None and not (name.endswith(_ARN_SUFFIXES) or name in _ARN_NAMES):
            continue
        if value is None or isinstance(value, Mapping):
            continue
        if isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
            # A list of structures (STS PolicyArns: [{"arn": …}]) names no resource of the call.
            continue
        for text in texts_at(params, name):
            arn = normaliser(text, call.env) if normaliser is not None else text
            if arn is not None and arn.startswith("arn:"):
                arns.append(arn)
            elif name in required and normaliser is None:
                raise ParameterError(f"{name} is not an ARN: {text!r}")
    return arns


def _fill(template: str, values: Mapping[str, str]) -> str:
    arn = template
    for variable, value in values.items():
        marker = "${" + variable + "}"
        before = arn[: arn.find(marker)] if marker in arn else ""
        # Templates that spell an ID's prefix ("ou-${OrganizationalUnitId}") get the bare ID.
        for prefix in ("o-", "ou-", "r-", "p-", "h-", "rp-", "rt-"):
            if before.endswith(prefix) and value.startswith(prefix):
                value = value[len(prefix) :]
        arn = arn.replace(marker, value)
    return arn


def _check_required(call: Call, rtype: reference.ResourceType, params: Mapping[str, Any]) -> None:
    for variable in rtype.variables:
        if variable not in reference.ENVIRONMENT_VARIABLES:
            member = _missing_required(call, variable, params)
            if member is not None:
                raise ParameterError(f"the required parameter {member} is missing")


def _wildcard(call: Call, rtype: reference.ResourceType) -> list[str]:
    env = {"Partition": call.env.partition, "Region": call.env.region, "Account": call.env.account}
    return [_fill(rtype.arn, {v: env.get(v, "*") for v in dict.fromkeys(rtype.variables)})]


# How a resource type was bound: by the service's binder, from an ARN the call gives, from the
# template's variables, or not at all (a required type: '*' for every variable).
BINDER, ARN, VARIABLES, WILDCARD = "binder", "arn", "variables", "wildcard"


def bind_type(
    call: Call, rtype: reference.ResourceType, params: Mapping[str, Any], *, required: bool
) -> tuple[list[str], str]:
    """The ARNs of one resource type the call names (none when it names none), and how they
    were found. A binder that answers [] says the call does not involve the type at all."""
    binder = call.spec.binders.get(rtype.name)
    matching = [arn for arn in _arn_candidates(call, params) if rtype.matches(arn)]
    if binder is not None:
        bound = binder(call)
        if bound is not None:
            return bound, BINDER
        if matching:
            return matching, ARN
        _check_required(call, rtype, params)
        return (_wildcard(call, rtype), WILDCARD) if required else ([], WILDCARD)
    if matching:
        return matching, ARN
    env = {"Partition": call.env.partition, "Region": call.env.region, "Account": call.env.account}
    choices: dict[str, list[str]] = {}
    unbound = 0
    for variable in dict.fromkeys(rtype.variables):
        if variable in env:
            choices[variable] = [env[variable]]
            continue
        values = variable_values(call, variable, params)
        if not values:
            member = _missing_required(call, variable, params)
            if member is not None:
                raise ParameterError(f"the required parameter {member} is missing")
            if not required:
                return [], WILDCARD
            values = ["*"]
            unbound += 1
        choices[variable] = values
    combos = list(itertools.islice(itertools.product(*choices.values()), MAX_RESOURCES + 1))
    if len(combos) > MAX_RESOURCES:
        raise ParameterError(f"the call names more than {MAX_RESOURCES} resources")
    named = len([v for v in choices if v not in env])
    kind = WILDCARD if named and unbound == named else VARIABLES
    return [_fill(rtype.arn, dict(zip(choices, combo, strict=True))) for combo in combos], kind


def bind(
    call: Call, action: reference.Action, params: Mapping[str, Any]
) -> list[tuple[str | None, str]]:
    """(resource type, ARN) pairs for an action's requests; [(None, "*")] when the action has no
    resource type or the call names none of its optional ones.

    The reference marks several types required where a call acts on one of them (DynamoDB's
    TagResource: a table or a stream): when the call names its resource by ARN, the required
    types it does not name are dropped rather than authorised as '*'."""
    rows: list[tuple[str, list[str], str]] = []
    for row in action.resources:
        rtype = reference.resource_type(action.service, row.name) or reference.resource_type(
            call.spec.prefix, row.name
        )
        if rtype is None:
            continue
        arns, kind = bind_type(call, rtype, params, required=row.required)
        rows.append((rtype.name, arns, kind))
    by_arn = any(kind == ARN and arns for _, arns, kind in rows)
    bound: list[tuple[str | None, str]] = [
        (name, arn)
        for name, arns, kind in rows
        if not (by_arn and kind == WILDCARD)
        for arn in arns
    ]
    if len(bound) > MAX_RESOURCES:
        raise ParameterError(f"the call names more than {MAX_RESOURCES} resources")
    return bound or [(None, "*")]
