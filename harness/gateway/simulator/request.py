"""A simulation request read: the caller, the actions and resources, the context keys and every
policy the simulation evaluates.

Policies: the principal's inline and attached managed policies (a user's groups' too) and its
permissions boundary; PolicyInputList adds to them, PermissionsBoundaryPolicyInputList replaces
the boundary, PolicyExclusionList removes attached ones. SCPs: see `organization`. RCPs and
session policies take no part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from harness.authorization.context import caller_keys
from harness.gateway.backend_state import BackendState
from harness.gateway.simulator.caller import is_group, named_caller, unnamed_caller
from harness.gateway.simulator.errors import invalid
from harness.gateway.simulator.exclusions import PolicyExclusionList
from harness.gateway.simulator.organization import organization_scps, scp_inputs
from harness.gateway.simulator.params import document, listed, required_string, strings
from harness.gateway.simulator.principal import Principal
from harness.gateway.simulator.sources import (
    BOUNDARY_SOURCE,
    IDENTITY_SOURCE,
    INPUT_MAX,
    RESOURCE_SOURCE,
    PolicyLoader,
    Source,
)
from harness.iam.context import Caller, ContextKeys, PrincipalKind
from harness.iam.evaluate import PolicySet
from harness.iam.policy import PolicyType
from harness.simulation.custom_policy import SimulationInputError, context_keys, resource_owner

# "Caller must be an IAM user in this context": AWS's answer to a resource policy simulated for
# a role (its reference: "Simulation of resource-based policies isn't supported for IAM roles").
_NOT_A_USER = "Invalid caller - Caller must be an IAM user in this context."
# ResourceHandlingOption: the EC2 resource types each scenario must name.
_SCENARIOS = {
    "EC2-VPC-InstanceStore": ("instance", "image", "security-group", "network-interface"),
    "EC2-VPC-InstanceStore-Subnet": (
        "instance", "image", "security-group", "network-interface", "subnet"),
    "EC2-VPC-EBS": ("instance", "image", "security-group", "network-interface", "volume"),
    "EC2-VPC-EBS-Subnet": (
        "instance", "image", "security-group", "network-interface", "subnet", "volume"),
}


@dataclass(frozen=True, slots=True)
class Simulation:
    """IAM's simulator request, read: who, what, on what, with which keys, the policies it
    evaluates (AWS's simulator evaluates policies only: none of the rules outside them,
    harness.authorization.rules) and where each of them came from."""

    caller: Caller
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    resource_owner: str | None
    keys: ContextKeys
    policies: PolicySet
    sources: Mapping[str, Source]
    organizations_exempt: bool
    """The caller's account is its organisation's management account: SCPs do not restrict
    it, so AWS reports it allowed by Organizations without evaluating them."""


def read(operation: str, params: Mapping[str, Any], state: BackendState,
         caller_account: str | None) -> Simulation:
    """SimulatePrincipalPolicy's or SimulateCustomPolicy's request. Raises
    SimulationRequestError."""
    actions = _actions(params)
    resources = strings(params, "ResourceArns") or ("*",)
    _check_scenario(params.get("ResourceHandlingOption"), resources)
    try:
        owner = resource_owner(params.get("ResourceOwner"))
        keys = context_keys([_entry(e) for e in listed(params, "ContextEntries")])
    except SimulationInputError as error:
        raise invalid(f"{error.field}: {error.problem}") from error
    loader = PolicyLoader()
    given = _given_policies(params, loader)
    if operation == "SimulatePrincipalPolicy":
        caller, policies, exempt = _principal_policies(params, state, given, loader)
    else:
        caller = _custom_caller(params, given, caller_account or owner or "000000000000")
        policies, exempt = replace(given, scps=scp_inputs(params, loader)), False
    if policies.resource is not None and (caller.kind is not PrincipalKind.USER
                                          or is_group(caller)):
        raise invalid(_NOT_A_USER)
    if caller.arn and not is_group(caller):
        # The keys AWS derives from the caller, as the offline simulator derives them.
        caller_keys(keys, caller)
    return Simulation(caller, actions, resources, owner, keys, policies, loader.sources, exempt)


def _given_policies(params: Mapping[str, Any], loader: PolicyLoader) -> PolicySet:
    """The policies the request itself gives: ResourcePolicy, PolicyInputList and
    PermissionsBoundaryPolicyInputList."""
    resource_text = params.get("ResourcePolicy")
    resource = (loader.policy(document(resource_text, "ResourcePolicy"), PolicyType.RESOURCE,
                              "ResourcePolicy", "ResourcePolicy", RESOURCE_SOURCE, INPUT_MAX)
                if resource_text is not None else None)
    inputs = tuple(loader.inputs(params, "PolicyInputList", PolicyType.IDENTITY,
                                 IDENTITY_SOURCE))
    boundaries = loader.inputs(params, "PermissionsBoundaryPolicyInputList",
                               PolicyType.BOUNDARY, BOUNDARY_SOURCE)
    if len(boundaries) > 1:
        raise invalid("PermissionsBoundaryPolicyInputList: you can input only one "
                      "permissions boundary")
    return PolicySet(identity=inputs, resource=resource,
                     boundary=boundaries[0] if boundaries else None)


def _principal_policies(params: Mapping[str, Any], state: BackendState, given: PolicySet,
                        loader: PolicyLoader) -> tuple[Caller, PolicySet, bool]:
    """SimulatePrincipalPolicy: the caller (CallerArn, else PolicySourceArn), the principal's
    policies with the given ones, and whether its account is exempt from SCPs."""
    source_arn = required_string(params, "PolicySourceArn")
    caller_arn = params.get("CallerArn")
    caller = named_caller(caller_arn if caller_arn is not None else source_arn, "CallerArn")
    principal = Principal.read(state, source_arn, PolicyExclusionList.read(params), loader)
    scps, exempt = organization_scps(state, caller, principal.exclusions.excludes_type("scp"))
    if scps is not None:
        scps = tuple(tuple(p for p in level if not principal.exclusions.excludes_arn(p.name))
                     for level in scps)
    policies = replace(
        given, identity=(*principal.policies, *given.identity),
        boundary=given.boundary if given.boundary is not None else principal.boundary,
        scps=scps)
    return caller, policies, exempt


def _custom_caller(params: Mapping[str, Any], given: PolicySet, account: str) -> Caller:
    """SimulateCustomPolicy's caller: CallerArn, else (without a ResourcePolicy) an unnamed
    principal of `account`."""
    caller_arn = params.get("CallerArn")
    if caller_arn is not None:
        return named_caller(caller_arn, "CallerArn")
    if given.resource is not None:
        raise invalid("CallerArn is required if you include a ResourcePolicy")
    return unnamed_caller(account)


def _actions(params: Mapping[str, Any]) -> tuple[str, ...]:
    actions = strings(params, "ActionNames")
    if not actions:
        raise invalid("ActionNames: at least one action name is required")
    for action in actions:
        # "Each operation must include the service identifier, such as iam:CreateUser";
        # "This operation does not support using wildcards (*) in an action name."
        if action.count(":") != 1 or not all(action.partition(":")[::2]) or any(
                c in action for c in "*?"):
            raise invalid(f"ActionNames: '{action}' is not an action name such as "
                          "iam:CreateUser (a service prefix and an action, no wildcards)")
    return actions


def _check_scenario(option: Any, resources: Sequence[str]) -> None:
    """ResourceHandlingOption: "you enable the policy simulator to enforce the presence of the
    required resources" of the EC2 scenario named."""
    if option is None:
        return
    if option not in _SCENARIOS:
        raise invalid(f"ResourceHandlingOption: '{option}' is not one of "
                      f"{', '.join(_SCENARIOS)}")
    present = {r.split(":", 5)[5].split("/", 1)[0] for r in resources
               if r.startswith("arn:") and r.count(":") >= 5 and r.split(":")[2] == "ec2"}
    missing = [kind for kind in _SCENARIOS[option] if kind not in present]
    if missing:
        raise invalid(f"ResourceHandlingOption {option} requires ResourceArns to include "
                      f"{', '.join(missing)} resources")


def _entry(entry: Any) -> Any:
    """A ContextEntry without ContextKeyValues (the member is optional) gives the key no value."""
    if isinstance(entry, Mapping) and "ContextKeyValues" not in entry:
        return {**entry, "ContextKeyValues": []}
    return entry
