"""IAM's policy simulator, answered by the gateway itself: SimulatePrincipalPolicy and
SimulateCustomPolicy decided by the engine, over the principal's real policies read from the
backend, in IAM's query-protocol XML.

The gateway calls `simulation_response` once it has authorised the caller for
iam:SimulatePrincipalPolicy / iam:SimulateCustomPolicy; a `SimulationRequestError` carries the
error IAM answers instead (InvalidInput, NoSuchEntity, PolicyEvaluation, ServiceFailure).

What AWS documents, and this module does (API reference, and the SDK's model of it, botocore
1.44):
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResourceSpecificResult.html

- Policies: the principal's inline and attached managed policies (a user's groups' too) and its
  permissions boundary; PolicyInputList adds to them, PermissionsBoundaryPolicyInputList replaces
  the boundary, PolicyExclusionList removes attached ones. "The IAM policy simulator evaluates
  statements in identity-based policies, service control policies (SCPs) including their
  condition keys and resource scoping": a principal of a member account is simulated under the
  SCPs of its account's path (SimulateCustomPolicy: OrderedOrganizationPolicyInputList, root
  first). RCPs and session policies take no part.
- Results: one EvaluationResult per action. "The simulator now returns a single
  EvaluationResult per action, regardless of how many resource ARNs are provided"; its
  EvalDecision is the most restrictive across the resources, EvalResourceName the ARN template
  of the simulated resource type (or "*"), and ResourceSpecificResults hold each resource's own
  decision. MatchedStatements name only the statements that decided (the denying ones for a
  deny, none for an implicit deny) and never an SCP's; MissingContextValues leave out keys that
  only SCPs reference.
- EvalDecisionDetails: per policy type, for cross-account simulations only; an empty map for a
  same-account simulation of named resources; absent for "*" and when an SCP denied.

What AWS's answers show but its reference leaves open, taken from real responses:
- SourcePolicyType is "IAM Policy", "Permissions Boundary Policy" or "Resource Policy", and the
  same three names key EvalDecisionDetails (not the model's enum user | group | role | ...).
- SourcePolicyId is "PolicyInputList.N" / "PermissionsBoundaryPolicyInputList.1" /
  "ResourcePolicy" for inputs, a managed policy's (or boundary's) name, and
  "<role|user|group>_<entity name>_<policy name>" for an inline policy.
- Start and end positions are 1-based line and column of where a streaming JSON parser stands
  before and after reading the statement: the end just after its closing brace; the start just
  after the "[" (first statement of a list) or the previous statement's "}" (later ones), or
  just after the statement's own "{" when "Statement" holds a single object. The AWS CLI's
  documented example (PolicyInputList.1 from line 1 column 38 to column 167) fixes the last
  case; AWS managed policies' results (AdministratorAccess from line 3 column 17 to line 8
  column 6) and a two-statement bucket policy (38–248, then 248–470) fix the others.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import unquote
from weakref import WeakKeyDictionary

from botocore.exceptions import BotoCoreError, ClientError
from botocore.handlers import json_decode_policies
from localstack.aws.protocol.serializer import create_serializer

from harness import authref
from harness.gateway.backend import BackendAccess
from harness.gateway.services import service_model
from harness.gateway.world import World, WorldError
from harness.gateway.wsgi_client import wsgi_client
from harness.iam.context import Caller, ContextKeys, PrincipalKind, Request
from harness.iam.decision import Decision, MatchedStatement, Outcome
from harness.iam.errors import PolicyValidationError
from harness.iam.evaluate import PolicySet, evaluate
from harness.iam.parse import MAX_DOCUMENT_CHARS, parse_policy
from harness.iam.policy import Effect, Policy, PolicyType
from harness.simulate import (
    SimulationInputError,
    context_keys,
    derive_keys,
    evaluation_result,
    parse_caller,
    resource_owner,
)

__all__ = ["OPERATIONS", "SimulationRequestError", "simulation_response"]

T = TypeVar("T")

OPERATIONS = frozenset({"SimulatePrincipalPolicy", "SimulateCustomPolicy"})

# The parameter's own limit (policyDocumentType, max 131,072 characters): the simulator takes
# documents up to it, not only those within the managed-policy quota.
_INPUT_MAX = 131_072
_DEFAULT_MAX_ITEMS = 100
_MAX_EXCLUSIONS = 256
_MAX_SCP_LEVELS = 7

_IDENTITY_SOURCE = "IAM Policy"
_BOUNDARY_SOURCE = "Permissions Boundary Policy"
_RESOURCE_SOURCE = "Resource Policy"
_SOURCE_TYPES = {
    PolicyType.IDENTITY: _IDENTITY_SOURCE,
    PolicyType.BOUNDARY: _BOUNDARY_SOURCE,
    PolicyType.RESOURCE: _RESOURCE_SOURCE,
    PolicyType.TRUST: _RESOURCE_SOURCE,
}
# Most restrictive last: the order in which a top-level result takes its resources' decisions.
_RESTRICTIVENESS = (Outcome.ALLOWED, Outcome.IMPLICIT_DENY, Outcome.EXPLICIT_DENY)
# "Caller must be an IAM user in this context": AWS's answer to a resource policy simulated for
# a role (its reference: "Simulation of resource-based policies isn't supported for IAM roles").
_NOT_A_USER = "Invalid caller - Caller must be an IAM user in this context."
_EXCLUSION_TYPES = frozenset(
    {"inline", "aws-managed", "user-managed", "permission-boundary", "scp", "rcp"}
)
# ResourceHandlingOption: the EC2 resource types each scenario must name.
_SCENARIOS = {
    "EC2-VPC-InstanceStore": ("instance", "image", "security-group", "network-interface"),
    "EC2-VPC-InstanceStore-Subnet": (
        "instance", "image", "security-group", "network-interface", "subnet"),
    "EC2-VPC-EBS": ("instance", "image", "security-group", "network-interface", "volume"),
    "EC2-VPC-EBS-Subnet": (
        "instance", "image", "security-group", "network-interface", "subnet", "volume"),
}
_ACCOUNT = re.compile(r"\d{12}")
_ENTITY_ARN = re.compile(r"arn:(aws[\w-]*):iam::(\d{12}):(user|group|role)/(?:[^/]+/)*([^/]+)")
_POLICY_NAME = re.compile(r"[\w+=,.@-]+")


class SimulationRequestError(ValueError):
    """A simulation IAM would refuse: `code` and `message` are IAM's error, `status` its HTTP
    status (InvalidInput 400, NoSuchEntity 404, PolicyEvaluation and ServiceFailure 500)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def simulation_response(
    operation: str,
    params: Mapping[str, Any],
    world: World,
    request_id: str,
    *,
    now: datetime,
    caller_account: str | None = None,
) -> bytes:
    """AWS's XML response (query protocol, https://iam.amazonaws.com/doc/2010-05-08/) for
    SimulatePrincipalPolicy / SimulateCustomPolicy. Raises SimulationRequestError.

    `params` are the operation's parameters as the gateway's request parser gives them.
    `caller_account` is the account of whoever calls the simulator: a SimulateCustomPolicy
    without CallerArn simulates a principal of that account (else of the ResourceOwner's, else
    of 000000000000, an account no ARN names).
    `now` is taken for the gateway's uniform call but not read: the reference names no context
    value the simulator fills in by itself ("Whenever a context key is evaluated in one of the
    simulated IAM permissions policies, the corresponding value is supplied" from
    ContextEntries), and AWS's own examples pass aws:CurrentTime as a ContextEntry; so the time
    too comes only from ContextEntries, and a key that none gives is a missing context value.
    """
    del now  # see the docstring: no context value comes from the clock
    if operation not in OPERATIONS:
        raise SimulationRequestError("InvalidAction", f"{operation} is not a simulator operation")
    simulation = _read(operation, params, world, caller_account)
    start, size = _page(params, len(simulation.actions))
    results = [_action_result(simulation, action)
               for action in simulation.actions[start:start + size]]
    body: dict[str, Any] = {"EvaluationResults": results,
                            "IsTruncated": start + size < len(simulation.actions)}
    if body["IsTruncated"]:
        body["Marker"] = _marker(params, start + size)
    model = service_model("iam")
    response = create_serializer(model, "query").serialize_to_response(
        body, model.operation_model(operation), None, request_id)
    return bytes(response.get_data())


# --- the simulation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Position:
    line: int
    column: int

    def wire(self) -> dict[str, int]:
        return {"Line": self.line, "Column": self.column}


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a policy came from, as MatchedStatements name it, and where each statement is."""

    policy_id: str
    source_type: str
    spans: tuple[tuple[_Position, _Position], ...]


@dataclass(frozen=True, slots=True)
class _Simulation:
    caller: Caller
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    owner: str | None
    keys: ContextKeys
    policies: PolicySet
    sources: Mapping[str, _Source]
    organizations_exempt: bool
    """The caller's account is its organisation's management account: SCPs do not restrict
    it, so AWS reports it allowed by Organizations without evaluating them."""


@dataclass(frozen=True, slots=True)
class _ResourceOutcome:
    resource: str
    decision: Decision
    matched: tuple[MatchedStatement, ...]
    missing: tuple[str, ...]
    details: dict[str, str] | None
    """EvalDecisionDetails, for a cross-account resource on which no SCP denied."""


def _action_result(simulation: _Simulation, action: str) -> dict[str, Any]:
    outcomes = [_resource_outcome(simulation, action, resource)
                for resource in simulation.resources]
    outcome = max((o.decision.outcome for o in outcomes), key=_RESTRICTIVENESS.index)
    named = simulation.resources != ("*",)
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": _resource_name(action, simulation.resources),
        "EvalDecision": outcome.value,
        # "Only statements that contributed to the reported decision are included."
        "MatchedStatements": _statements(simulation, _unique(
            s for o in outcomes if o.decision.outcome is outcome for s in o.matched)),
        "MissingContextValues": list(_unique(k for o in outcomes for k in o.missing)),
    }
    bases = [evaluation_result(o.decision) for o in outcomes]
    organizations = _all_of(b.get("OrganizationsDecisionDetail", {}).get(
        "AllowedByOrganizations") for b in bases)
    if simulation.organizations_exempt:
        organizations = True
    if organizations is not None:
        result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": organizations}
    boundary = _all_of(b.get("PermissionsBoundaryDecisionDetail", {}).get(
        "AllowedByPermissionsBoundary") for b in bases)
    if boundary is not None:
        result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": boundary}
    details = _merged_details([o.details for o in outcomes if o.details is not None])
    # "If an Organizations SCP included in the evaluation denies access, the simulation ends.
    # In this case, policy evaluation does not proceed any further and this parameter is not
    # returned."
    scp_denied = all(o.decision.denied_by is PolicyType.SCP for o in outcomes)
    if details or (named and not scp_denied):
        result["EvalDecisionDetails"] = details
    if named:
        result["ResourceSpecificResults"] = [
            _resource_result(simulation, o, base) for o, base in zip(outcomes, bases, strict=True)]
    return result


def _resource_outcome(simulation: _Simulation, action: str, resource: str) -> _ResourceOutcome:
    caller = simulation.caller
    account = _resource_account(resource, simulation)
    keys = simulation.keys.copy()
    if account is not None:
        keys.setdefault_value("aws:ResourceAccount", account)
    request = Request(caller=caller, action=action, resource=resource, resource_account=account,
                      keys=keys)
    decision = evaluate(request, simulation.policies)
    if decision.error is not None:
        raise SimulationRequestError(
            "PolicyEvaluation", "The request failed because a provided policy could not be "
            f"successfully evaluated: {decision.error}", 500)
    missing = decision.missing_keys
    if simulation.policies.scps is not None:
        # MissingContextValues "doesn't include context keys referenced by service control
        # policies": the keys the other policies miss are those of the evaluation without SCPs.
        missing = evaluate(request, replace(simulation.policies, scps=None)).missing_keys
    cross_account = (account is not None and caller.account is not None
                     and account != caller.account)
    scp_denied = decision.denied_by is PolicyType.SCP
    details = (_policy_type_decisions(decision, simulation.policies)
               if cross_account and not scp_denied else None)
    return _ResourceOutcome(resource, decision, _deciding(decision), missing, details)


def _resource_result(simulation: _Simulation, outcome: _ResourceOutcome, base: Mapping[str, Any]
                     ) -> dict[str, Any]:
    result: dict[str, Any] = {
        "EvalResourceName": outcome.resource,
        "EvalResourceDecision": base["EvalDecision"],
        "MatchedStatements": _statements(simulation, outcome.matched),
        "MissingContextValues": list(outcome.missing),
    }
    if outcome.details is not None:
        result["EvalDecisionDetails"] = outcome.details
    if "PermissionsBoundaryDecisionDetail" in base:
        result["PermissionsBoundaryDecisionDetail"] = base["PermissionsBoundaryDecisionDetail"]
    return result


def _deciding(decision: Decision) -> tuple[MatchedStatement, ...]:
    """The statements that decided, as MatchedStatements lists them: for an explicit deny every
    denying statement ("the deny statement is the only entry included in the result"), for an
    allow the granting ones, for an implicit deny none; never an SCP's or an RCP's ("Only
    statements from identity-based and resource-based policies appear here")."""
    if decision.outcome is Outcome.EXPLICIT_DENY:
        chosen: Iterable[MatchedStatement] = (
            s for s in decision.matched if s.effect is Effect.DENY)
    elif decision.outcome is Outcome.ALLOWED:
        chosen = decision.deciding
    else:
        return ()
    return _unique(s for s in chosen if s.policy_type in _SOURCE_TYPES)


def _statements(simulation: _Simulation, matched: Iterable[MatchedStatement]
                ) -> list[dict[str, Any]]:
    listed = []
    for statement in matched:
        source = simulation.sources[statement.policy_name]
        start, end = source.spans[statement.index]
        listed.append({
            "SourcePolicyId": source.policy_id,
            "SourcePolicyType": source.source_type,
            "StartPosition": start.wire(),
            "EndPosition": end.wire(),
        })
    return listed


def _policy_type_decisions(decision: Decision, policies: PolicySet) -> dict[str, str]:
    """EvalDecisionDetails of one cross-account resource: what each policy type said."""
    def said(*types: PolicyType) -> str:
        matched = [s for s in decision.matched if s.policy_type in types]
        if any(s.effect is Effect.DENY for s in matched):
            return Outcome.EXPLICIT_DENY.value
        return Outcome.ALLOWED.value if matched else Outcome.IMPLICIT_DENY.value

    details = {_IDENTITY_SOURCE: said(PolicyType.IDENTITY),
               _RESOURCE_SOURCE: said(PolicyType.RESOURCE, PolicyType.TRUST)}
    if policies.boundary is not None:
        details[_BOUNDARY_SOURCE] = said(PolicyType.BOUNDARY)
    return details


def _merged_details(maps: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The top level reports "the most restrictive decision per policy type across all
    requested resources"."""
    merged: dict[str, str] = {}
    for details in maps:
        for kind, value in details.items():
            if kind not in merged or _rank(value) > _rank(merged[kind]):
                merged[kind] = value
    return merged


def _rank(value: str) -> int:
    return _RESTRICTIVENESS.index(Outcome(value))


def _resource_name(action: str, resources: Sequence[str]) -> str:
    """The top level's EvalResourceName: "The ARN template for the simulated resource type (for
    example, arn:${Partition}:s3:::${BucketName}/${KeyName}), or * if no ARN format is defined
    for the action" — the template of the first named resource's type, from the Service
    Authorization Reference."""
    named = [r for r in resources if r != "*"]
    service, _, name = action.partition(":")
    found = authref.action(service, name) if named else None
    if found is None or not found.resources:
        return "*"
    types = [t for t in (authref.resource_type(service, row.name) for row in found.resources)
             if t is not None]
    for resource in named:
        for rtype in types:
            if rtype.matches(resource):
                return rtype.arn
    return types[0].arn if len(types) == 1 else "*"


def _resource_account(resource: str, simulation: _Simulation) -> str | None:
    """The account that owns a resource: the one its ARN names, else ResourceOwner ("the owner
    of any simulated resource that does not identify its owner in the resource ARN"), else the
    caller's own."""
    if resource == "*":
        return None
    parts = resource.split(":", 5)
    if len(parts) == 6 and _ACCOUNT.fullmatch(parts[4]):
        return parts[4]
    return simulation.owner or simulation.caller.account


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))


def _all_of(values: Iterable[bool | None]) -> bool | None:
    present = [v for v in values if v is not None]
    return all(present) if present else None


# --- reading the request -----------------------------------------------------------------------


def _read(operation: str, params: Mapping[str, Any], world: World,
          caller_account: str | None) -> _Simulation:
    actions = _actions(params)
    resources = _strings(params, "ResourceArns") or ("*",)
    _check_scenario(params.get("ResourceHandlingOption"), resources)
    try:
        owner = resource_owner(params.get("ResourceOwner"))
        keys = context_keys([_entry(e) for e in _list(params, "ContextEntries")])
    except SimulationInputError as error:
        raise _invalid(f"{error.field}: {error.problem}") from error
    sources: dict[str, _Source] = {}
    loaded = _Loaded(sources)
    resource_text = params.get("ResourcePolicy")
    resource = (loaded.policy(_text(resource_text, "ResourcePolicy"), PolicyType.RESOURCE,
                              "ResourcePolicy", "ResourcePolicy", _RESOURCE_SOURCE, _INPUT_MAX)
                if resource_text is not None else None)
    inputs = tuple(loaded.inputs(params, "PolicyInputList", PolicyType.IDENTITY,
                                 _IDENTITY_SOURCE))
    boundaries = loaded.inputs(params, "PermissionsBoundaryPolicyInputList",
                               PolicyType.BOUNDARY, _BOUNDARY_SOURCE)
    if len(boundaries) > 1:
        raise _invalid("PermissionsBoundaryPolicyInputList: you can input only one "
                       "permissions boundary")
    boundary = boundaries[0] if boundaries else None
    caller_arn = params.get("CallerArn")
    if operation == "SimulatePrincipalPolicy":
        source_arn = _required_string(params, "PolicySourceArn")
        caller = _caller(caller_arn if caller_arn is not None else source_arn, "CallerArn")
        principal = _Principal.read(world, source_arn, _exclusions(params), loaded)
        identity = (*principal.policies, *inputs)
        boundary = boundary if boundary is not None else principal.boundary
        scps, exempt = _organization_scps(world, caller, principal.excludes_scp)
        if scps is not None:
            scps = tuple(tuple(p for p in level if not principal.excluded_arn(p.name))
                         for level in scps)
    else:
        if caller_arn is not None:
            caller = _caller(caller_arn, "CallerArn")
        elif resource is not None:
            raise _invalid("CallerArn is required if you include a ResourcePolicy")
        else:
            caller = _unnamed_caller(caller_account or owner or "000000000000")
        identity, exempt = inputs, False
        scps = _scp_inputs(params, loaded)
    if resource is not None and (caller.kind is not PrincipalKind.USER or _is_group(caller)):
        raise _invalid(_NOT_A_USER)
    if caller.arn and not _is_group(caller):
        # The keys AWS derives from the caller, as the offline simulator derives them.
        derive_keys(keys, caller, None)
    policies = PolicySet(identity=identity, resource=resource, boundary=boundary, scps=scps)
    return _Simulation(caller, actions, resources, owner, keys, policies, sources, exempt)


def _actions(params: Mapping[str, Any]) -> tuple[str, ...]:
    actions = _strings(params, "ActionNames")
    if not actions:
        raise _invalid("ActionNames: at least one action name is required")
    for action in actions:
        # "Each operation must include the service identifier, such as iam:CreateUser";
        # "This operation does not support using wildcards (*) in an action name."
        if action.count(":") != 1 or not all(action.partition(":")[::2]) or any(
                c in action for c in "*?"):
            raise _invalid(f"ActionNames: '{action}' is not an action name such as "
                           "iam:CreateUser (a service prefix and an action, no wildcards)")
    return actions


def _check_scenario(option: Any, resources: Sequence[str]) -> None:
    """ResourceHandlingOption: "you enable the policy simulator to enforce the presence of the
    required resources" of the EC2 scenario named."""
    if option is None:
        return
    if option not in _SCENARIOS:
        raise _invalid(f"ResourceHandlingOption: '{option}' is not one of "
                       f"{', '.join(_SCENARIOS)}")
    present = {r.split(":", 5)[5].split("/", 1)[0] for r in resources
               if r.startswith("arn:") and r.count(":") >= 5 and r.split(":")[2] == "ec2"}
    missing = [kind for kind in _SCENARIOS[option] if kind not in present]
    if missing:
        raise _invalid(f"ResourceHandlingOption {option} requires ResourceArns to include "
                       f"{', '.join(missing)} resources")


def _entry(entry: Any) -> Any:
    """A ContextEntry without ContextKeyValues (the member is optional) gives the key no value."""
    if isinstance(entry, Mapping) and "ContextKeyValues" not in entry:
        return {**entry, "ContextKeyValues": []}
    return entry


def _caller(arn: Any, field: str) -> Caller:
    """The simulated caller: "You can specify the ARN of an IAM user, group, or role. You cannot
    specify the ARN of an assumed role, federated user, or a service principal." A group is
    simulated as a principal of its account that no policy can name."""
    if not isinstance(arn, str) or not _ENTITY_ARN.fullmatch(arn):
        raise _invalid(f"{field}: '{arn}' is not the ARN of an IAM user, group or role")
    if ":group/" in arn:
        parts = arn.split(":")
        return Caller(PrincipalKind.USER, arn, parts[4], arn, partition=parts[1])
    try:
        return parse_caller(arn)
    except SimulationInputError as error:
        raise _invalid(f"{field}: {error.problem}") from error


def _is_group(caller: Caller) -> bool:
    return ":group/" in caller.arn


def _unnamed_caller(account: str) -> Caller:
    """SimulateCustomPolicy without CallerArn: the policies' holder, a principal of `account`
    whose name the policies never learn (no aws:username, no aws:PrincipalArn)."""
    return Caller(PrincipalKind.USER, "", account)


def _organization_scps(world: World, caller: Caller, excluded: bool
                       ) -> tuple[tuple[tuple[Policy, ...], ...] | None, bool]:
    """SCPs along the caller's account path, and whether its account is exempt from them (the
    management account). SCPs do not restrict the management account or service-linked roles:
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    """
    if excluded or caller.account is None:
        return None, False
    try:
        organization = world.organization(caller.account)
        if organization is None:
            return None, False
        if caller.account == organization.management_account or caller.service_linked:
            return None, True
        return world.scps(caller.account), False
    except WorldError as error:
        raise _backend_failure(f"reading the organisation of {caller.account}", error) from error


def _scp_inputs(params: Mapping[str, Any], loaded: _Loaded
                ) -> tuple[tuple[Policy, ...], ...] | None:
    """OrderedOrganizationPolicyInputList: "Each element represents one level of an
    Organizations hierarchy, from the organization root to the account." (at most 7)"""
    levels = _list(params, "OrderedOrganizationPolicyInputList")
    if not levels:
        return None
    if len(levels) > _MAX_SCP_LEVELS:
        raise _invalid(f"OrderedOrganizationPolicyInputList: at most {_MAX_SCP_LEVELS} levels")
    parsed = []
    for index, level in enumerate(levels, start=1):
        field = f"OrderedOrganizationPolicyInputList.{index}"
        if not isinstance(level, Mapping):
            raise _invalid(f"{field}: must be an OrderedOrganizationPolicyType structure")
        parsed.append(tuple(loaded.inputs(level, "ServiceControlPolicyInputList",
                                          PolicyType.SCP, "", prefix=f"{field}.")))
    return tuple(parsed)


def _page(params: Mapping[str, Any], total: int) -> tuple[int, int]:
    raw = params.get("MaxItems", _DEFAULT_MAX_ITEMS)
    try:
        size = int(raw)
    except (TypeError, ValueError):
        raise _invalid("MaxItems: must be an integer from 1 to 1000") from None
    if not 1 <= size <= 1000:
        raise _invalid("MaxItems: must be an integer from 1 to 1000")
    marker = params.get("Marker")
    if marker is None:
        return 0, size
    offset, _, digest = str(marker).partition(".")
    if not offset.isdigit() or digest != _digest(params) or not 0 < int(offset) < total:
        raise _invalid("Marker: not a marker that this simulation returned")
    return int(offset), size


def _marker(params: Mapping[str, Any], offset: int) -> str:
    """Where the next page starts, bound to the request it continues (a marker used with other
    parameters is refused rather than silently misapplied)."""
    return f"{offset}.{_digest(params)}"


def _digest(params: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if k not in ("Marker", "MaxItems")}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _list(params: Mapping[str, Any], field: str) -> list[Any]:
    value = params.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid(f"{field}: must be a list")
    return value


def _strings(params: Mapping[str, Any], field: str) -> tuple[str, ...]:
    values = _list(params, field)
    if not all(isinstance(v, str) and v for v in values):
        raise _invalid(f"{field}: every member must be a non-empty string")
    return tuple(values)


def _required_string(params: Mapping[str, Any], field: str) -> str:
    value = params.get(field)
    if not isinstance(value, str) or not value:
        raise _invalid(f"{field}: required")
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise _invalid(f"{field}: must be a policy document, as JSON text")
    return value


def _invalid(message: str) -> SimulationRequestError:
    return SimulationRequestError("InvalidInput", message)


def _backend_failure(what: str, error: Exception) -> SimulationRequestError:
    return SimulationRequestError("ServiceFailure", f"{what}: {error}", 500)


# --- policies and where their statements are -----------------------------------------------------


class _Loaded:
    """Parses the simulation's documents and records each one's source, under a name unique in
    the simulation (the name the engine's MatchedStatements carry)."""

    def __init__(self, sources: dict[str, _Source]) -> None:
        self.sources = sources

    def policy(self, text: str, policy_type: PolicyType, field: str, policy_id: str,
               source_type: str, max_size: int, *, held: bool = False) -> Policy:
        try:
            policy = parse_policy(text, policy_type, name=field, max_size=max_size)
        except PolicyValidationError as error:
            if held:
                # The backend holds it, so it was valid once; the engine cannot read it.
                raise SimulationRequestError(
                    "PolicyEvaluation", "The request failed because a provided policy could "
                    f"not be successfully evaluated: {error}", 500) from error
            raise _invalid(str(error)) from error
        try:
            spans = _statement_spans(text)
        except (ValueError, IndexError) as error:  # a document parse_policy took: unexpected
            raise SimulationRequestError(
                "PolicyEvaluation", f"locating the statements of {field}: {error}", 500
            ) from error
        key = f"{len(self.sources)}:{field}"
        self.sources[key] = _Source(policy_id, source_type, spans)
        return replace(policy, name=key)

    def inputs(self, params: Mapping[str, Any], field: str, policy_type: PolicyType,
               source_type: str, *, prefix: str = "") -> list[Policy]:
        """A list parameter of documents; each is named FIELD.N, 1-based, as AWS names them."""
        policies = []
        for index, text in enumerate(_list(params, field), start=1):
            name = f"{prefix}{field}.{index}"
            policies.append(self.policy(_text(text, name), policy_type, name, name, source_type,
                                        _INPUT_MAX))
        return policies


def _statement_spans(text: str) -> tuple[tuple[_Position, _Position], ...]:
    """The start and end position of each statement, by index (see the module's docstring)."""
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("a policy document is a JSON object")
    at += 1
    while True:
        at = _skip(text, at)
        if text[at] == "}":
            return ()
        key, at = decoder.raw_decode(text, at)
        at = _skip(text, at) + 1  # the colon
        at = _skip(text, at)
        if key == "Statement":
            break
        _, at = decoder.raw_decode(text, at)
        at = _skip(text, at)
        at += 1 if text[at] == "," else 0
    if text[at] == "{":
        _, end = decoder.raw_decode(text, at)
        return ((_position(text, at + 1), _position(text, end)),)
    spans: list[tuple[_Position, _Position]] = []
    before = at + 1  # just after "["
    while True:
        at = _skip(text, before)
        at = _skip(text, at + 1) if text[at] == "," else at
        if text[at] == "]":
            return tuple(spans)
        _, end = decoder.raw_decode(text, at)
        spans.append((_position(text, before), _position(text, end)))
        before = end


def _skip(text: str, at: int) -> int:
    while text[at] in " \t\r\n":
        at += 1
    return at


def _position(text: str, offset: int) -> _Position:
    """1-based line and column of the character at `offset`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return _Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


# --- the principal's own policies ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Exclusion:
    """One PolicyIdentifier of PolicyExclusionList (exactly one of the three is set)."""

    policy_type: str | None = None
    arn: re.Pattern[str] | None = None
    inline: tuple[str, str, re.Pattern[str]] | None = None
    """(policy name, attachment type, attachment name pattern)"""


def _exclusions(params: Mapping[str, Any]) -> tuple[_Exclusion, ...]:
    """PolicyExclusionList: "Syntactically invalid identifiers, such as malformed ARNs or
    wildcards in disallowed positions, cause the request to fail with an InvalidInput error.
    Syntactically valid identifiers that don't match any attached policy are ignored.\""""
    listed = _list(params, "PolicyExclusionList")
    if len(listed) > _MAX_EXCLUSIONS:
        raise _invalid(f"PolicyExclusionList: at most {_MAX_EXCLUSIONS} identifiers")
    exclusions = []
    for index, identifier in enumerate(listed, start=1):
        field = f"PolicyExclusionList.{index}"
        given = ({k: v for k, v in identifier.items() if v is not None}
                 if isinstance(identifier, Mapping) else {})
        if len(given) != 1:
            raise _invalid(f"{field}: give exactly one of PolicyType, PolicyArn and "
                           "InlinePolicyIdentifier")
        (kind, value), = given.items()
        if kind == "PolicyType" and value in _EXCLUSION_TYPES:
            exclusions.append(_Exclusion(policy_type=value))
        elif kind == "PolicyArn" and isinstance(value, str):
            exclusions.append(_Exclusion(arn=_arn_pattern(value, field)))
        elif kind == "InlinePolicyIdentifier" and isinstance(value, Mapping):
            exclusions.append(_Exclusion(inline=_inline_identifier(value, field)))
        else:
            raise _invalid(f"{field}: {kind} {value!r} is not a policy identifier")
    return tuple(exclusions)


def _arn_pattern(arn: str, field: str) -> re.Pattern[str]:
    """"Wildcard characters are supported in the resource name portion of the ARN ...: use at
    most one * ... and any number of ?"."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2] or "/" not in parts[5]:
        raise _invalid(f"{field}: '{arn}' is not a policy ARN")
    head, name = ":".join(parts[:5]) + ":" + parts[5].split("/", 1)[0], parts[5].split("/", 1)[1]
    if any(c in head for c in "*?") or name.count("*") > 1:
        raise _invalid(f"{field}: '{arn}' has a wildcard where none is allowed (only in the "
                       "resource name, and at most one *)")
    return re.compile(re.escape(head) + "/" + _wildcards(name))


def _inline_identifier(value: Mapping[str, Any], field: str) -> tuple[str, str, re.Pattern[str]]:
    name, kind, entity = (value.get("PolicyName"), value.get("AttachmentType"),
                          value.get("AttachmentName"))
    if not (isinstance(name, str) and _POLICY_NAME.fullmatch(name)):
        raise _invalid(f"{field}.InlinePolicyIdentifier.PolicyName: '{name}' is not a policy name")
    if kind not in ("user", "group", "role"):
        raise _invalid(f"{field}.InlinePolicyIdentifier.AttachmentType: must be user, group or "
                       "role")
    if not (isinstance(entity, str) and re.fullmatch(r"[\w+=,.@*?-]+", entity)
            and entity.count("*") <= 1):
        raise _invalid(f"{field}.InlinePolicyIdentifier.AttachmentName: '{entity}' is not a "
                       "name (wildcards: at most one *, any number of ?)")
    return name, kind, re.compile(_wildcards(entity))


def _wildcards(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


@dataclass(frozen=True, slots=True)
class _Document:
    """A policy the backend holds for the principal, with what an exclusion may name of it."""

    text: str
    policy_id: str
    kind: str  # inline | aws-managed | user-managed
    arn: str | None = None
    inline: tuple[str, str, str] | None = None  # (policy name, attachment type, entity name)

    def excluded(self, exclusions: Sequence[_Exclusion]) -> bool:
        for exclusion in exclusions:
            if exclusion.policy_type == self.kind:
                return True
            if exclusion.arn is not None and self.arn and exclusion.arn.fullmatch(self.arn):
                return True
            if exclusion.inline is not None and self.inline is not None:
                name, kind, entity = exclusion.inline
                if (name, kind) == self.inline[:2] and entity.fullmatch(self.inline[2]):
                    return True
        return False


@dataclass(frozen=True, slots=True)
class _Principal:
    """The user's, group's or role's policies (after PolicyExclusionList) and its boundary."""

    policies: tuple[Policy, ...]
    boundary: Policy | None
    exclusions: tuple[_Exclusion, ...]

    @property
    def excludes_scp(self) -> bool:
        return any(e.policy_type == "scp" for e in self.exclusions)

    def excluded_arn(self, arn: str) -> bool:
        return any(e.arn is not None and e.arn.fullmatch(arn) for e in self.exclusions)

    @staticmethod
    def read(world: World, arn: str, exclusions: tuple[_Exclusion, ...], loaded: _Loaded
             ) -> _Principal:
        """PolicySourceArn: "If you specify a user, group, or role, the simulation includes all
        policies that are associated with that entity. If you specify a user, the simulation
        also includes all policies that are attached to any groups the user belongs to.\""""
        match = _ENTITY_ARN.fullmatch(arn)
        if match is None:
            raise _invalid(f"PolicySourceArn: '{arn}' is not the ARN of an IAM user, group or "
                           "role")
        account, kind, name = match.group(2), match.group(3), match.group(4)
        try:
            documents, boundary = _Reader(_raw_iam(world.access, account)).entity(kind, name)
        except (ClientError, BotoCoreError) as error:
            raise _backend_failure(f"reading {arn}", error) from error
        policies = tuple(
            loaded.policy(d.text, PolicyType.IDENTITY, d.arn or d.policy_id, d.policy_id,
                          _IDENTITY_SOURCE, MAX_DOCUMENT_CHARS, held=True)
            for d in documents if not d.excluded(exclusions))
        boundary_policy = None
        if boundary is not None and not (
                any(e.policy_type == "permission-boundary" for e in exclusions)
                or boundary.excluded([e for e in exclusions if e.arn is not None])):
            boundary_policy = loaded.policy(
                boundary.text, PolicyType.BOUNDARY, boundary.arn or boundary.policy_id,
                boundary.policy_id, _BOUNDARY_SOURCE, MAX_DOCUMENT_CHARS, held=True)
        return _Principal(policies, boundary_policy, exclusions)


class _Reader:
    """Reads an entity's policies as the backend holds them: the documents' text as it was
    written (the positions AWS reports are in that text), which World's parsed policies no
    longer carry."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self._managed: dict[str, _Document] = {}

    def entity(self, kind: str, name: str) -> tuple[list[_Document], _Document | None]:
        if kind == "group":
            self._get(lambda: self.iam.get_group(GroupName=name), "group", name)
            return self._group(name), None
        if kind == "role":
            entity = self._get(lambda: self.iam.get_role(RoleName=name), "role", name)["Role"]
            documents = self._inline("role", name)
        else:
            entity = self._get(lambda: self.iam.get_user(UserName=name), "user", name)["User"]
            documents = self._inline("user", name)
        documents += self._attached(kind, name)
        if kind == "user":
            for group in self._all("list_groups_for_user", "Groups", UserName=name):
                documents += self._group(group["GroupName"])
        boundary_arn = entity.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        boundary = self._managed_document(boundary_arn) if boundary_arn else None
        # A managed policy attached to the user and to one of its groups is one policy.
        return list({id(d): d for d in documents}.values()), boundary

    def _group(self, name: str) -> list[_Document]:
        return self._inline("group", name) + self._attached("group", name)

    def _inline(self, kind: str, name: str) -> list[_Document]:
        documents = []
        title = kind.capitalize()
        for policy in self._all(f"list_{kind}_policies", "PolicyNames", **{f"{title}Name": name}):
            got = getattr(self.iam, f"get_{kind}_policy")(
                **{f"{title}Name": name, "PolicyName": policy})
            documents.append(_Document(_document_text(got["PolicyDocument"]),
                                       f"{kind}_{name}_{policy}", "inline",
                                       inline=(policy, kind, name)))
        return documents

    def _attached(self, kind: str, name: str) -> list[_Document]:
        title = kind.capitalize()
        return [self._managed_document(attached["PolicyArn"]) for attached in self._all(
            f"list_attached_{kind}_policies", "AttachedPolicies", **{f"{title}Name": name})]

    def _managed_document(self, arn: str) -> _Document:
        if arn not in self._managed:
            policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
            version = self.iam.get_policy_version(PolicyArn=arn,
                                                  VersionId=policy["DefaultVersionId"])
            kind = "aws-managed" if arn.split(":")[4] == "aws" else "user-managed"
            self._managed[arn] = _Document(
                _document_text(version["PolicyVersion"]["Document"]), policy["PolicyName"],
                kind, arn=arn)
        return self._managed[arn]

    def _get(self, call: Callable[[], dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
        try:
            return call()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
                raise SimulationRequestError(
                    "NoSuchEntity", f"The {kind} with name {name} cannot be found.", 404
                ) from error
            raise

    def _all(self, method: str, field: str, **params: str) -> list[Any]:
        items: list[Any] = []
        for page in self.iam.get_paginator(method).paginate(**params):
            items.extend(page.get(field, []))
        return items


def _document_text(document: Any) -> str:
    """IAM hands documents over URL-encoded (RFC 3986); a client that decodes them to objects
    has lost the text the positions are counted in."""
    if isinstance(document, str):
        return unquote(document)
    return json.dumps(document)


_raw_clients: WeakKeyDictionary[BackendAccess, dict[str, Any]] = WeakKeyDictionary()
_raw_lock = threading.Lock()


def _raw_iam(access: BackendAccess, account: str) -> Any:
    """An administrator IAM client of `account` that leaves policy documents as IAM sent them:
    botocore's after-call hook `json_decode_policies` would turn them into objects."""
    with _raw_lock:
        found = _raw_clients.setdefault(access, {}).get(account)
    if found is not None:
        return found
    key = access.key(account)
    client = wsgi_client(access.backend, "iam", region=access.region,
                         access_key_id=key.access_key_id,
                         secret_access_key=key.secret_access_key,
                         session_token=key.session_token)
    client.meta.events.unregister("after-call.iam", json_decode_policies)
    with _raw_lock:
        return _raw_clients[access].setdefault(account, client)
