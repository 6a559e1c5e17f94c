"""One EvaluationResult per action, with its ResourceSpecificResults.

- "The simulator now returns a single EvaluationResult per action, regardless of how many
  resource ARNs are provided"; its EvalDecision is the most restrictive across the resources,
  EvalResourceName the ARN template of the simulated resource type (or "*"), and
  ResourceSpecificResults hold each resource's own decision. MatchedStatements name only the
  statements that decided (the denying ones for a deny, none for an implicit deny) and never an
  SCP's; MissingContextValues leave out keys that only SCPs reference.
- EvalDecisionDetails: per policy type, for cross-account simulations only; an empty map for a
  same-account simulation of named resources; absent for "*" and when an SCP denied.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResourceSpecificResult.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from harness import reference
from harness.gateway.simulator.outcomes import ResourceOutcome
from harness.gateway.simulator.request import Simulation
from harness.iam.decision import MatchedStatement, Outcome
from harness.iam.policy import PolicyType
from harness.simulation.custom_policy import evaluation_result

T = TypeVar("T")

# Most restrictive last: the order in which a top-level result takes its resources' decisions.
_RESTRICTIVENESS = (Outcome.ALLOWED, Outcome.IMPLICIT_DENY, Outcome.EXPLICIT_DENY)


def action_result(simulation: Simulation, action: str, outcomes: Sequence[ResourceOutcome]
                  ) -> dict[str, Any]:
    """The EvaluationResult of `action`, as the query serializer takes it, from its outcome on
    each resource of the simulation."""
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
    organizations = _all_say(bases, "OrganizationsDecisionDetail", "AllowedByOrganizations")
    if simulation.organizations_exempt:
        organizations = True
    if organizations is not None:
        result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": organizations}
    boundary = _all_say(bases, "PermissionsBoundaryDecisionDetail",
                        "AllowedByPermissionsBoundary")
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


def _resource_result(simulation: Simulation, outcome: ResourceOutcome, base: Mapping[str, Any]
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


def _statements(simulation: Simulation, matched: Iterable[MatchedStatement]
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
    found = reference.action(service, name) if named else None
    if found is None or not found.resources:
        return "*"
    types = [t for t in (reference.resource_type(service, row.name) for row in found.resources)
             if t is not None]
    for resource in named:
        for rtype in types:
            if rtype.matches(resource):
                return rtype.arn
    return types[0].arn if len(types) == 1 else "*"


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))


def _all_say(bases: Iterable[Mapping[str, Any]], detail: str, field: str) -> bool | None:
    """Whether the resources' results that give `detail` all give it true (None: none does)."""
    said = [base.get(detail, {}).get(field) for base in bases]
    present = [v for v in said if v is not None]
    return all(present) if present else None
