"""Everything one report is made of, read once and handed to the writers (HTML, summary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.report.coverage import Coverage
from harness.report.decisions import CallDecision, DecisionLog
from harness.report.matrix import AccessMatrix
from harness.report.policy_map import PolicyMap
from harness.report.provenance import Provenance
from harness.report.records import ScenarioResult
from harness.report.summary import Timings


@dataclass(slots=True)
class ReportData:
    title: str
    scenarios: list[ScenarioResult]
    """In the order of the features."""
    log: DecisionLog
    matrix: AccessMatrix
    provenance: Provenance
    policy_map: PolicyMap | None = None
    coverage: Coverage | None = None
    timings: Timings | None = None
    calls: dict[str | None, list[CallDecision]] = field(default_factory=dict)
    """The log's calls by scenario node id (None: made outside any scenario)."""
    mutation: dict[str, Any] | None = None
    """`securecart mutate`'s result (mutation.json in the report folder), when it was run:
    each control's test coverage."""

    @property
    def unassigned_calls(self) -> int:
        """Calls of the log that belong to no scenario of this report (seeding, or scenarios
        whose records are missing)."""
        known = {scenario.nodeid for scenario in self.scenarios}
        return sum(len(calls) for nodeid, calls in self.calls.items() if nodeid not in known)
