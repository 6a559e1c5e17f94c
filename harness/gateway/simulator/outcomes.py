"""One action on one resource, decided by the engine: the decision, the statements that decided
it, the context keys it missed, and (cross-account) what each policy type said."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from harness.gateway.simulator.errors import unevaluable
from harness.gateway.simulator.request import Simulation
from harness.gateway.simulator.sources import (
    BOUNDARY_SOURCE,
    IDENTITY_SOURCE,
    RESOURCE_SOURCE,
    SOURCE_TYPES,
)
from harness.iam.context import Request
from harness.iam.decision import Decision, MatchedStatement, Outcome
from harness.iam.evaluate import PolicySet, evaluate
from harness.iam.policy import Effect, PolicyType

_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class ResourceOutcome:
    resource: str
    decision: Decision
    matched: tuple[MatchedStatement, ...]
    missing: tuple[str, ...]
    details: dict[str, str] | None
    """EvalDecisionDetails, for a cross-account resource on which no SCP denied."""


def resource_outcome(simulation: Simulation, action: str, resource: str) -> ResourceOutcome:
    caller = simulation.caller
    account = _resource_account(resource, simulation)
    keys = simulation.keys.copy()
    if account is not None:
        keys.setdefault_value("aws:ResourceAccount", account)
    request = Request(caller=caller, action=action, resource=resource, resource_account=account,
                      keys=keys)
    decision = evaluate(request, simulation.policies)
    if decision.error is not None:
        raise unevaluable(decision.error)
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
    return ResourceOutcome(resource, decision, _deciding(decision), missing, details)


def _resource_account(resource: str, simulation: Simulation) -> str | None:
    """The account that owns a resource: the one its ARN names, else ResourceOwner ("the owner
    of any simulated resource that does not identify its owner in the resource ARN"), else the
    caller's own."""
    if resource == "*":
        return None
    parts = resource.split(":", 5)
    if len(parts) == 6 and _ACCOUNT.fullmatch(parts[4]):
        return parts[4]
    return simulation.resource_owner or simulation.caller.account


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
    return tuple(dict.fromkeys(s for s in chosen if s.policy_type in SOURCE_TYPES))


def _policy_type_decisions(decision: Decision, policies: PolicySet) -> dict[str, str]:
    """EvalDecisionDetails of one cross-account resource: what each policy type said."""
    def said(*types: PolicyType) -> str:
        matched = [s for s in decision.matched if s.policy_type in types]
        if any(s.effect is Effect.DENY for s in matched):
            return Outcome.EXPLICIT_DENY.value
        return Outcome.ALLOWED.value if matched else Outcome.IMPLICIT_DENY.value

    details = {IDENTITY_SOURCE: said(PolicyType.IDENTITY),
               RESOURCE_SOURCE: said(PolicyType.RESOURCE, PolicyType.TRUST)}
    if policies.boundary is not None:
        details[BOUNDARY_SOURCE] = said(PolicyType.BOUNDARY)
    return details
