"""`securecart simulate`: AWS's SimulateCustomPolicy, offline, with the policy types AWS's
simulator leaves out (session policies, SCPs along an OU path, RCPs).

Request shape — SimulateCustomPolicy's, plus extension keys:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
Result shape — AWS's EvaluationResult:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from harness.catalog import condition_key_type, rcp_services
from harness.iam.context import Caller, ContextKeys, PrincipalKind, Request
from harness.iam.decision import Decision, MatchedStatement
from harness.iam.errors import PolicyValidationError
from harness.iam.evaluate import PolicySet, evaluate
from harness.iam.messages import access_denied_message
from harness.iam.parse import parse_policy
from harness.iam.policy import TRUST_ACTIONS, Policy, PolicyType

_ACCOUNT = re.compile(r"^\d{12}$")
_KNOWN_FIELDS = frozenset(
    {
        "CallerArn",
        "ActionNames",
        "ResourceArns",
        "ResourceOwner",
        "ResourcePolicy",
        "PolicyInputList",
        "PermissionsBoundaryPolicyInputList",
        "SessionPolicyInputList",
        "ServiceControlPolicies",
        "ResourceControlPolicies",
        "ManagementAccount",
        "ContextEntries",
    }
)
# ContextKeyType as SimulateCustomPolicy spells it → the reference's type family.
_API_TYPES = {
    "string": "String",
    "stringlist": "ArrayOfString",
    "numeric": "Numeric",
    "numericlist": "ArrayOfNumeric",
    "boolean": "Bool",
    "booleanlist": "ArrayOfBool",
    "ip": "IPAddress",
    "iplist": "ArrayOfIPAddress",
    "binary": "Binary",
    "binarylist": "ArrayOfBinary",
    "date": "Date",
    "datelist": "ArrayOfDate",
}


class SimulationInputError(ValueError):
    """A request the simulator cannot answer; names the field, as AWS's InvalidInput does."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"InvalidInput: {field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Simulation:
    caller: Caller
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    resource_owner: str | None
    keys: ContextKeys
    policies: PolicySet


def simulate(request: Mapping[str, Any]) -> dict[str, Any]:
    """Answer one simulate request: {"EvaluationResults": [...]}. Raises SimulationInputError."""
    simulation = parse_request(request)
    results = []
    for action in simulation.actions:
        for resource in simulation.resources:
            decision = evaluate(
                _request(simulation, action, resource), _policies_for(simulation, action)
            )
            results.append(evaluation_result(decision))
    return {"EvaluationResults": results}


def _request(simulation: Simulation, action: str, resource: str) -> Request:
    return Request(
        caller=simulation.caller,
        action=action,
        resource=resource,
        resource_account=simulation.resource_owner if resource != "*" else None,
        keys=simulation.keys,
    )


def _policies_for(simulation: Simulation, action: str) -> PolicySet:
    policies = simulation.policies
    service = action.partition(":")[0].lower()
    if policies.rcps is not None and service not in rcp_services():
        policies = replace(policies, rcps=None)
    if action.lower() in TRUST_ACTIONS and policies.resource is not None:
        policies = replace(policies, resource_policy_required=True)
    return policies


def evaluation_result(decision: Decision) -> dict[str, Any]:
    request = decision.request
    result: dict[str, Any] = {
        "EvalActionName": request.action,
        "EvalResourceName": request.resource,
        "EvalDecision": decision.outcome.value,
        "MatchedStatements": [_matched(s) for s in decision.matched],
        "MissingContextValues": list(decision.missing_keys),
    }
    if decision.allowed_by_organizations is not None:
        result["OrganizationsDecisionDetail"] = {
            "AllowedByOrganizations": decision.allowed_by_organizations
        }
    if decision.allowed_by_boundary is not None:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": decision.allowed_by_boundary
        }
    if decision.allowed_by_rcps is not None:
        result["ResourceControlPolicyDecisionDetail"] = {"AllowedByRcps": decision.allowed_by_rcps}
    if not decision.allowed:
        result["Message"] = access_denied_message(decision)
        if decision.denied_by is not None:
            result["DeniedBy"] = decision.denied_by.value
    return result


def _matched(statement: MatchedStatement) -> dict[str, Any]:
    return {
        "SourcePolicyId": statement.policy_name,
        "SourcePolicyType": statement.policy_type.value,
        "Statement": statement.statement,
        "Effect": statement.effect.value,
    }


# --- reading the request -------------------------------------------------------------------


def parse_request(request: Mapping[str, Any]) -> Simulation:
    if not isinstance(request, Mapping):
        raise SimulationInputError("(request)", "must be a JSON object")
    unknown = sorted(set(request) - _KNOWN_FIELDS)
    if unknown:
        raise SimulationInputError(unknown[0], "unknown field")
    caller = parse_caller(_required_str(request, "CallerArn"))
    actions = _str_list(request, "ActionNames", required=True)
    for index, action in enumerate(actions):
        if action.count(":") != 1 or "*" in action or "?" in action:
            raise SimulationInputError(
                f"ActionNames[{index}]", f"'{action}' is not an action name such as s3:GetObject"
            )
    resources = _str_list(request, "ResourceArns") or ("*",)
    owner = resource_owner(request.get("ResourceOwner"))
    management = request.get("ManagementAccount")
    if management is not None and not (isinstance(management, str) and _ACCOUNT.match(management)):
        raise SimulationInputError("ManagementAccount", "must be a 12-digit account id")
    resource_policy = request.get("ResourcePolicy")
    policies = PolicySet(
        identity=_policy_list(request, "PolicyInputList", PolicyType.IDENTITY),
        resource=(
            _policy(resource_policy, "ResourcePolicy", _resource_type(actions))
            if resource_policy is not None
            else None
        ),
        boundary=_boundary(request),
        session=_policy_list(request, "SessionPolicyInputList", PolicyType.SESSION)
        if "SessionPolicyInputList" in request
        else None,
        scps=_levels(request, "ServiceControlPolicies", PolicyType.SCP),
        rcps=_levels(request, "ResourceControlPolicies", PolicyType.RCP),
        management_account=management,
    )
    keys = context_keys(request.get("ContextEntries", []))
    derive_keys(keys, caller, owner)
    return Simulation(caller, actions, resources, owner, keys, policies)


def parse_caller(arn: str) -> Caller:
    """A caller from the ARN AWS would report for it, a service principal, or "anonymous"."""
    if arn == "anonymous":
        return Caller(kind=PrincipalKind.ANONYMOUS, arn="anonymous")
    if not arn.startswith("arn:"):
        if re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?", arn):
            return Caller(kind=PrincipalKind.SERVICE, arn=arn, service=arn)
        raise SimulationInputError(
            "CallerArn", f"'{arn}' is not an ARN, a service principal or \"anonymous\""
        )
    parts = arn.split(":", 5)
    if len(parts) != 6 or not _ACCOUNT.match(parts[4]):
        raise SimulationInputError("CallerArn", f"'{arn}' is not a principal ARN")
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    kind_and_rest = resource.split("/", 1)
    kind = kind_and_rest[0]
    if service == "iam" and resource == "root":
        return Caller(PrincipalKind.ROOT, arn, account, arn, partition=partition)
    if service == "iam" and kind == "user" and len(kind_and_rest) == 2:
        return Caller(PrincipalKind.USER, arn, account, arn, partition=partition)
    if service == "iam" and kind == "role" and len(kind_and_rest) == 2:
        linked = kind_and_rest[1].startswith("aws-service-role/")
        return Caller(
            PrincipalKind.ROLE, arn, account, arn, service_linked=linked, partition=partition
        )
    if service == "iam" and kind == "saml-provider":
        return Caller(PrincipalKind.SAML, arn, provider=arn, partition=partition)
    if service == "iam" and kind == "oidc-provider":
        return Caller(PrincipalKind.WEB_IDENTITY, arn, provider=arn, partition=partition)
    if service == "sts" and kind == "assumed-role":
        role, _, session = (
            kind_and_rest[1].partition("/") if len(kind_and_rest) == 2 else ("", "", "")
        )
        if not role or not session:
            raise SimulationInputError(
                "CallerArn",
                f"'{arn}' is not an assumed-role ARN "
                "(arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)",
            )
        role_arn = f"arn:{partition}:iam::{account}:role/{role}"
        return Caller(PrincipalKind.ROLE_SESSION, arn, account, role_arn, partition=partition)
    if service == "sts" and kind == "federated-user" and len(kind_and_rest) == 2:
        user_arn = f"arn:{partition}:iam::{account}:user/{kind_and_rest[1]}"
        return Caller(PrincipalKind.FEDERATED_USER, arn, account, user_arn, partition=partition)
    raise SimulationInputError(
        "CallerArn",
        f"'{arn}' names no kind of principal the simulator "
        "knows (root, user, role, assumed-role, federated-user, "
        "saml-provider, oidc-provider)",
    )


def derive_keys(keys: ContextKeys, caller: Caller, owner: str | None) -> None:
    """Global keys AWS sets from the caller, where the request did not give them.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"""
    name = caller.arn.rsplit("/", 1)[-1]
    if caller.kind not in (
        PrincipalKind.ANONYMOUS,
        PrincipalKind.SERVICE,
        PrincipalKind.SAML,
        PrincipalKind.WEB_IDENTITY,
    ):
        keys.setdefault_value("aws:PrincipalArn", caller.identity_arn or caller.arn)
        keys.setdefault_value("aws:PrincipalAccount", caller.account or "")
        keys.setdefault_value("aws:PrincipalType", caller.kind.value)
    keys.setdefault_value(
        "aws:PrincipalIsAWSService", "true" if caller.kind is PrincipalKind.SERVICE else "false"
    )
    if caller.kind is PrincipalKind.SERVICE and caller.service:
        keys.setdefault_value("aws:PrincipalServiceName", caller.service)
    if caller.kind is PrincipalKind.USER:
        keys.setdefault_value("aws:username", name)
    if caller.kind is PrincipalKind.ROOT and caller.account:
        keys.setdefault_value("aws:userid", caller.account)
    if caller.kind is PrincipalKind.FEDERATED_USER and caller.account:
        keys.setdefault_value("aws:userid", f"{caller.account}:{name}")
    if caller.kind is PrincipalKind.ANONYMOUS:
        keys.setdefault_value("aws:userid", "anonymous")
    if owner is not None:
        keys.setdefault_value("aws:ResourceAccount", owner)


def _required_str(request: Mapping[str, Any], field: str) -> str:
    value = request.get(field)
    if not isinstance(value, str) or not value:
        raise SimulationInputError(field, "required, a non-empty string")
    return value


def _str_list(request: Mapping[str, Any], field: str, required: bool = False) -> tuple[str, ...]:
    value = request.get(field)
    if value is None:
        if required:
            raise SimulationInputError(field, "required, a non-empty list of strings")
        return ()
    if not isinstance(value, list) or (required and not value):
        raise SimulationInputError(field, "must be a non-empty list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise SimulationInputError(f"{field}[{index}]", "must be a non-empty string")
    return tuple(value)


def resource_owner(value: Any) -> str | None:
    """ResourceOwner: an account id or its root ARN (both spellings AWS documents) → the id."""
    if value is None:
        return None
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root", value)
        if match:
            return match.group(1) or match.group(2)
    raise SimulationInputError("ResourceOwner", "must be an account id or its root ARN")


def _resource_type(actions: Sequence[str]) -> PolicyType:
    if actions and all(a.lower() in TRUST_ACTIONS for a in actions):
        return PolicyType.TRUST
    return PolicyType.RESOURCE


def _policy(document: Any, field: str, policy_type: PolicyType) -> Policy:
    if not isinstance(document, str | Mapping):
        raise SimulationInputError(field, "must be a policy document (JSON text or object)")
    # A batch repeats the same SCPs, boundaries and resource policies line after line: parse
    # each distinct document once. The key is the document as written (objects key-sorted).
    text = document if isinstance(document, str) else json.dumps(document, sort_keys=True)
    try:
        return _parse_cached(text, policy_type, field)
    except PolicyValidationError as exc:
        raise SimulationInputError(field, str(exc)) from exc


@lru_cache(maxsize=4096)
def _parse_cached(text: str, policy_type: PolicyType, field: str) -> Policy:
    return parse_policy(text, policy_type, name=field)


def _policy_list(
    request: Mapping[str, Any], field: str, policy_type: PolicyType
) -> tuple[Policy, ...]:
    documents = request.get(field, [])
    if not isinstance(documents, list):
        raise SimulationInputError(field, "must be a list of policy documents")
    return tuple(_policy(doc, f"{field}.{i + 1}", policy_type) for i, doc in enumerate(documents))


def _boundary(request: Mapping[str, Any]) -> Policy | None:
    boundaries = _policy_list(request, "PermissionsBoundaryPolicyInputList", PolicyType.BOUNDARY)
    if len(boundaries) > 1:
        # AWS allows one permissions boundary per identity.
        raise SimulationInputError("PermissionsBoundaryPolicyInputList", "takes at most one policy")
    return boundaries[0] if boundaries else None


def _levels(
    request: Mapping[str, Any], field: str, policy_type: PolicyType
) -> tuple[tuple[Policy, ...], ...] | None:
    levels = request.get(field)
    if levels is None:
        return None
    if not isinstance(levels, list) or not all(isinstance(level, list) for level in levels):
        raise SimulationInputError(
            field,
            "must be a list of levels (root first, the account "
            "last), each a list of policy documents",
        )
    return tuple(
        tuple(_policy(doc, f"{field}.{i + 1}.{j + 1}", policy_type) for j, doc in enumerate(level))
        for i, level in enumerate(levels)
    )


def context_keys(entries: Any) -> ContextKeys:
    """ContextEntries (AWS's ContextEntry list) → the request's condition keys, typed."""
    if not isinstance(entries, list):
        raise SimulationInputError("ContextEntries", "must be a list")
    keys = ContextKeys()
    for index, entry in enumerate(entries):
        field = f"ContextEntries[{index}]"
        if not isinstance(entry, Mapping):
            raise SimulationInputError(field, "must be an object")
        name = entry.get("ContextKeyName")
        if not isinstance(name, str) or ":" not in name:
            raise SimulationInputError(
                f"{field}.ContextKeyName", "must be a key such as aws:SourceIp"
            )
        values = entry.get("ContextKeyValues")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SimulationInputError(f"{field}.ContextKeyValues", "must be a list of strings")
        key_type = _key_type(entry.get("ContextKeyType"), name, f"{field}.ContextKeyType")
        multivalued = key_type is not None and key_type.startswith("ArrayOf")
        if not multivalued and len(values) > 1:
            raise SimulationInputError(
                f"{field}.ContextKeyValues",
                f"{name} is single-valued ({key_type}); got {len(values)} values",
            )
        keys.set(name, values, multivalued=multivalued)
    return keys


def _key_type(given: Any, name: str, field: str) -> str | None:
    if given is None:
        return condition_key_type(name)
    if not isinstance(given, str) or given.lower() not in _API_TYPES:
        raise SimulationInputError(field, f"must be one of {', '.join(sorted(_API_TYPES))}")
    return _API_TYPES[given.lower()]
