"""One suite on several backends (`securecart run --backend moto --backend localstack`): every
scenario's outcome on each backend, side by side.

The landscape, the scenarios and the policy engine are the same on every backend; only the
emulator behind the gateway differs. A scenario that passes on one backend and fails (or is
skipped, or never ran) on another is therefore a finding about a backend — it does something
AWS's API does not, or lacks something the scenario needs — and the comparison lists those
first. The run's printed table (`comparison_text`), its `run.json` (`Comparison.to_json`) and
the comparison page (`harness.report.html_compare`) are all made from a `Comparison`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.report.provenance import Provenance
from harness.report.records import ScenarioResult
from harness.report.summary import Timings, outcome_counts

NOT_RUN = "not run"
"""A scenario's outcome on a backend whose run never reached it (nothing collected, pytest
stopped, or the run was interrupted)."""
EXIT_INTERRUPTED = 2


@dataclass(frozen=True, slots=True)
class BackendRun:
    """One backend's run: its exit status (non-zero whenever a scenario failed), its scenarios
    in the order of the features, and where its own reports are (`report`: a folder relative to
    the comparison's)."""

    backend: str
    status: int
    report: str
    scenarios: list[ScenarioResult] = field(default_factory=list)
    timings: Timings | None = None
    provenance: Provenance | None = None
    interrupted: bool = False

    def counts(self) -> Counter[str]:
        return Counter(outcome_counts(self.scenarios))

    def to_json(self) -> dict[str, Any]:
        return {
            "exit_status": self.status,
            "outcomes": outcome_counts(self.scenarios),
            "timings": self.timings.to_json() if self.timings is not None else None,
            "report": f"{self.report}/report.html",
            "interrupted": self.interrupted,
            "provenance": self.provenance.to_json() if self.provenance is not None else None,
        }


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """One scenario (by pytest node id, the same on every backend) and its result on each."""

    nodeid: str
    feature: str
    title: str
    results: dict[str, ScenarioResult | None]
    """By backend, in the order the backends ran; None where it did not run."""

    def outcome(self, backend: str) -> str:
        result = self.results.get(backend)
        return result.outcome if result is not None else NOT_RUN

    @property
    def outcomes(self) -> dict[str, str]:
        return {backend: self.outcome(backend) for backend in self.results}

    @property
    def differs(self) -> bool:
        return len(set(self.outcomes.values())) > 1

    def failure(self, backend: str) -> str | None:
        """The first line of the failure on `backend` (None unless it failed there)."""
        result = self.results.get(backend)
        if result is None or result.outcome != "failed":
            return None
        return failure_headline(result)

    def name(self, unicode: bool = True) -> str:
        return f"{self.feature} {'›' if unicode else '>'} {self.title}"

    def to_json(self) -> dict[str, Any]:
        failures = {backend: self.failure(backend) for backend in self.results}
        return {"scenario": self.title, "feature": self.feature, "nodeid": self.nodeid,
                "outcomes": self.outcomes,
                "failures": {backend: text for backend, text in failures.items() if text}}


@dataclass(frozen=True, slots=True)
class Comparison:
    runs: list[BackendRun]
    rows: list[ScenarioRow]
    """The differing scenarios first, then the others; each part in the order of the
    features."""

    @property
    def backends(self) -> list[str]:
        return [run.backend for run in self.runs]

    @property
    def differences(self) -> list[ScenarioRow]:
        return [row for row in self.rows if row.differs]

    @property
    def status(self) -> int:
        """Interrupted: 2; a scenario failed on any backend: 1; else the first backend's
        non-zero status (nothing collected, pytest stopped); else 0."""
        if any(run.interrupted for run in self.runs):
            return EXIT_INTERRUPTED
        if any(s.outcome == "failed" for run in self.runs for s in run.scenarios):
            return 1
        return next((run.status for run in self.runs if run.status), 0)

    def to_json(self) -> dict[str, Any]:
        return {"exit_status": self.status,
                "backends": {run.backend: run.to_json() for run in self.runs},
                "differences": [row.to_json() for row in self.differences]}


def compare(runs: list[BackendRun]) -> Comparison:
    first: dict[str, ScenarioResult] = {}
    by_backend: dict[str, dict[str, ScenarioResult]] = {}
    for run in runs:
        by_backend[run.backend] = {s.nodeid: s for s in run.scenarios}
        for scenario in run.scenarios:
            first.setdefault(scenario.nodeid, scenario)
    rows = [
        ScenarioRow(nodeid=nodeid, feature=scenario.feature.name, title=scenario.title,
                    results={run.backend: by_backend[run.backend].get(nodeid) for run in runs})
        for nodeid, scenario in sorted(first.items(), key=lambda item: item[1].sort_key())
    ]
    rows.sort(key=lambda row: not row.differs)  # stable: feature order within each part
    return Comparison(runs=runs, rows=rows)


def failure_headline(scenario: ScenarioResult) -> str:
    """The first non-blank line of what made the scenario fail: the failed step's error, else
    pytest's failure text (a setup error)."""
    step = scenario.failed_step
    text = (step.error if step is not None and step.error else scenario.error) or ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "no message")


def comparison_text(comparison: Comparison, unicode: bool = True) -> str:
    """The table `securecart run` ends with: scenario counts per backend, then a line per
    scenario whose outcome differs."""
    width = max([len("backend"), *(len(b) for b in comparison.backends)])
    header = f"{'backend':<{width}}  scenarios  passed  failed  skipped  exit      time"
    out = [header, ("─" if unicode else "-") * len(header)]
    for run in comparison.runs:
        counts = run.counts()
        seconds = f"{run.timings.total:6.1f} s" if run.timings is not None else "     – s"
        out.append(f"{run.backend:<{width}}  {len(run.scenarios):9d}  {counts['passed']:6d}  "
                   f"{counts['failed']:6d}  {counts['skipped']:7d}  {run.status:4d}  {seconds}"
                   + ("  (interrupted)" if run.interrupted else ""))
    differences = comparison.differences
    out.append("")
    if not differences:
        out.append("No scenario differs between the backends.")
    else:
        count = len(differences)
        out.append(f"{count} scenario{'s differ' if count > 1 else ' differs'} between the "
                   "backends; each difference is a finding about a backend:")
        out += [differs_line(row, unicode) for row in differences]
    return "\n".join(out)


def differs_line(row: ScenarioRow, unicode: bool = True) -> str:
    """`DIFFERS  feature › scenario: moto passed, localstack failed (first line of the
    failure)`."""
    parts = []
    for backend, outcome in row.outcomes.items():
        failure = row.failure(backend)
        parts.append(f"{backend} {outcome}" + (f" ({failure})" if failure else ""))
    return f"DIFFERS  {row.name(unicode)}: {', '.join(parts)}"
