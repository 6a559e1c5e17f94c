"""The simulator's answer: a page of EvaluationResults, in IAM's query-protocol XML
(https://iam.amazonaws.com/doc/2010-05-08/).

https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from localstack.aws.protocol.serializer import create_serializer

from harness.gateway.backend_state import BackendState
from harness.gateway.services import service_model
from harness.gateway.simulator.errors import SimulationRequestError, invalid
from harness.gateway.simulator.outcomes import resource_outcome
from harness.gateway.simulator.request import Simulation, read
from harness.gateway.simulator.results import action_result
from harness.iam.decision import Decision, MatchedStatement

OPERATIONS = frozenset({"SimulatePrincipalPolicy", "SimulateCustomPolicy"})

_DEFAULT_MAX_ITEMS = 100


@dataclass(frozen=True, slots=True)
class Simulated:
    body: bytes
    """AWS's XML response."""
    decisions: tuple[Decision, ...]
    """The engine's decision for every action of the page on every resource, its statements
    named as the gateway's own decisions name the same policies (for the decision log)."""


def simulate(
    operation: str,
    params: Mapping[str, Any],
    state: BackendState,
    request_id: str,
    *,
    now: datetime,
    caller_account: str | None = None,
) -> Simulated:
    """SimulatePrincipalPolicy / SimulateCustomPolicy: the response and the decisions behind
    it. Raises SimulationRequestError.

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
    simulation = read(operation, params, state, caller_account)
    start, size = _page(params, len(simulation.actions))
    outcomes = {action: [resource_outcome(simulation, action, resource)
                         for resource in simulation.resources]
                for action in simulation.actions[start:start + size]}
    results = [action_result(simulation, action, found) for action, found in outcomes.items()]
    body: dict[str, Any] = {"EvaluationResults": results,
                            "IsTruncated": start + size < len(simulation.actions)}
    if body["IsTruncated"]:
        body["Marker"] = _marker(params, start + size)
    model = service_model("iam")
    response = create_serializer(model, "query").serialize_to_response(
        body, model.operation_model(operation), None, request_id)
    decisions = tuple(_as_held(simulation, outcome.decision)
                      for found in outcomes.values() for outcome in found)
    return Simulated(bytes(response.get_data()), decisions)


def _as_held(simulation: Simulation, decision: Decision) -> Decision:
    """The decision with its statements named as the gateway's own decisions name the same
    policies (the simulator names them by position and SourcePolicyId)."""
    def named(statements: tuple[MatchedStatement, ...]) -> tuple[MatchedStatement, ...]:
        renamed = []
        for statement in statements:
            source = simulation.sources.get(statement.policy_name)
            held = source.held_name if source is not None else None
            renamed.append(replace(statement, policy_name=held) if held else statement)
        return tuple(renamed)

    return replace(decision, deciding=named(decision.deciding), matched=named(decision.matched),
                   unmet=named(decision.unmet))


def _page(params: Mapping[str, Any], total: int) -> tuple[int, int]:
    """Where the page starts (Marker) and how many actions it holds (MaxItems)."""
    raw = params.get("MaxItems", _DEFAULT_MAX_ITEMS)
    try:
        size = int(raw)
    except (TypeError, ValueError):
        raise invalid("MaxItems: must be an integer from 1 to 1000") from None
    if not 1 <= size <= 1000:
        raise invalid("MaxItems: must be an integer from 1 to 1000")
    marker = params.get("Marker")
    if marker is None:
        return 0, size
    offset, _, digest = str(marker).partition(".")
    if not offset.isdigit() or digest != _digest(params) or not 0 < int(offset) < total:
        raise invalid("Marker: not a marker that this simulation returned")
    return int(offset), size


def _marker(params: Mapping[str, Any], offset: int) -> str:
    """Where the next page starts, bound to the request it continues (a marker used with other
    parameters is refused rather than silently misapplied)."""
    return f"{offset}.{_digest(params)}"


def _digest(params: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if k not in ("Marker", "MaxItems")}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
