"""The simulation's policy documents, parsed, and where each came from as MatchedStatements
name it.

What AWS's answers show but its reference leaves open, taken from real responses:
- SourcePolicyType is "IAM Policy", "Permissions Boundary Policy" or "Resource Policy", and the
  same three names key EvalDecisionDetails (not the model's enum user | group | role | ...).
- SourcePolicyId is "PolicyInputList.N" / "PermissionsBoundaryPolicyInputList.1" /
  "ResourcePolicy" for inputs, a managed policy's (or boundary's) name, and
  "<role|user|group>_<entity name>_<policy name>" for an inline policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from harness.gateway.simulator.errors import SimulationRequestError, invalid, unevaluable
from harness.gateway.simulator.params import document, numbered
from harness.gateway.simulator.positions import Span, statement_spans
from harness.iam.errors import PolicyValidationError
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType

# The parameter's own limit (policyDocumentType, max 131,072 characters): the simulator takes
# documents up to it, not only those within the managed-policy quota.
INPUT_MAX = 131_072

IDENTITY_SOURCE = "IAM Policy"
BOUNDARY_SOURCE = "Permissions Boundary Policy"
RESOURCE_SOURCE = "Resource Policy"
SOURCE_TYPES = {
    PolicyType.IDENTITY: IDENTITY_SOURCE,
    PolicyType.BOUNDARY: BOUNDARY_SOURCE,
    PolicyType.RESOURCE: RESOURCE_SOURCE,
    PolicyType.TRUST: RESOURCE_SOURCE,
}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a policy came from, as MatchedStatements name it, and where each statement is."""

    policy_id: str
    source_type: str
    spans: tuple[Span, ...]
    held_name: str | None = None
    """For a policy the backend holds, the name the gateway's decisions give it (its ARN, or
    `inline policy P of ENTITY-ARN`), so a simulated decision can be told apart by policy."""


class PolicyLoader:
    """Parses the simulation's documents and records each one's source in `sources`, under a
    name unique in the simulation (the name the engine's MatchedStatements carry)."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}

    def policy(self, text: str, policy_type: PolicyType, field: str, policy_id: str,
               source_type: str, max_size: int, *, held: bool = False,
               held_name: str | None = None) -> Policy:
        """`held`: the backend holds the document, so IAM took it once; a document the engine
        cannot read is then the simulator's failure, not the caller's invalid input.
        `held_name`: what the gateway's decisions call that document (Source.held_name)."""
        try:
            policy = parse_policy(text, policy_type, name=field, max_size=max_size)
        except PolicyValidationError as error:
            if held:
                raise unevaluable(error) from error
            raise invalid(str(error)) from error
        try:
            spans = statement_spans(text)
        except (ValueError, IndexError) as error:  # a document parse_policy took: unexpected
            raise SimulationRequestError(
                "PolicyEvaluation", f"locating the statements of {field}: {error}", 500
            ) from error
        key = f"{len(self.sources)}:{field}"
        self.sources[key] = Source(policy_id, source_type, spans, held_name)
        return replace(policy, name=key)

    def inputs(self, params: Mapping[str, Any], field: str, policy_type: PolicyType,
               source_type: str, *, prefix: str = "") -> list[Policy]:
        """A list parameter of documents; each is named FIELD.N, 1-based, as AWS names them."""
        return [self.policy(document(text, prefix + name), policy_type, prefix + name,
                            prefix + name, source_type, INPUT_MAX)
                for name, text in numbered(params, field)]
