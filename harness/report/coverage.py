"""Policy-statement coverage: for every statement of every landscape policy, whether some call
of the run was decided by it, only matched it, or never touched it.

"Decided" is the statement the engine names as deciding (the denying statements of an explicit
deny, the granting ones of an allow); "matched" is a statement that applied to a call without
deciding it (an Allow overridden by a Deny, an SCP's Allow on the way). A statement no scenario
exercises is a control the features do not prove.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from harness.landscape.model import PolicyDocument
from harness.report.decisions import CallDecision
from harness.report.policy_map import PolicyMap

Status = Literal["decided", "matched", "never"]


@dataclass(frozen=True, slots=True)
class StatementCoverage:
    statement: str
    """Its Sid, else `Statement[i]`."""
    index: int
    effect: str
    decided: int
    matched: int

    @property
    def status(self) -> Status:
        if self.decided:
            return "decided"
        return "matched" if self.matched else "never"


@dataclass(frozen=True, slots=True)
class PolicyCoverage:
    document: PolicyDocument
    label: str
    file: str
    statements: tuple[StatementCoverage, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    policies: tuple[PolicyCoverage, ...]
    outside: tuple[tuple[str, int], ...]
    """Statements outside the landscape (AWS managed policies …) that decided calls:
    (label › statement, how many calls), most used first."""

    def count(self, status: Status) -> int:
        return sum(1 for policy in self.policies for s in policy.statements
                   if s.status == status)

    @property
    def total(self) -> int:
        return sum(len(policy.statements) for policy in self.policies)


def statement_coverage(policy_map: PolicyMap, calls: list[CallDecision]) -> Coverage:
    decided: Counter[tuple[str, str]] = Counter()
    matched: Counter[tuple[str, str]] = Counter()
    outside: Counter[str] = Counter()
    for call in calls:
        for ref in call.deciding:
            document = policy_map.find(ref)
            if document is None:
                outside[policy_map.resolve(ref).title] += 1
            else:
                decided[(document.name, ref.statement)] += 1
        for ref in call.matched:
            document = policy_map.find(ref)
            if document is not None:
                matched[(document.name, ref.statement)] += 1
    policies = tuple(
        PolicyCoverage(
            document=document,
            label=policy_map.label(document),
            file=policy_map.display_file(document),
            statements=tuple(
                StatementCoverage(
                    statement=s.label, index=s.index, effect=s.effect.value,
                    decided=decided[(document.name, s.label)],
                    matched=matched[(document.name, s.label)],
                )
                for s in document.policy.statements
            ),
        )
        for document in policy_map.documents()
    )
    return Coverage(policies, tuple(outside.most_common()))
