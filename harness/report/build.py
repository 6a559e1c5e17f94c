"""Put a run's reports together: the results file (scenarios) and the decision log (calls), with
the landscape → cucumber.json, junit.xml, report.html in one directory.

    data = build_report(results, log, landscape, provenance, timings)
    paths = write_reports(data, Path("reports"))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.landscape.model import Landscape
from harness.report.coverage import statement_coverage
from harness.report.cucumber import write_cucumber
from harness.report.decisions import DecisionLog
from harness.report.html import write_html
from harness.report.junit import write_junit
from harness.report.matrix import build_matrix
from harness.report.model import ReportData
from harness.report.policy_map import PolicyMap
from harness.report.provenance import Provenance
from harness.report.records import Results
from harness.report.summary import Timings

CUCUMBER, JUNIT, HTML = "cucumber.json", "junit.xml", "report.html"


@dataclass(frozen=True, slots=True)
class ReportPaths:
    cucumber: Path
    junit: Path
    html: Path


def build_report(results: Results, log: DecisionLog, landscape: Landscape | None,
                 provenance: Provenance, timings: Timings | None = None,
                 mutation: dict[str, Any] | None = None) -> ReportData:
    policy_map = PolicyMap(landscape) if landscape is not None else None
    calls = list(log.records)
    return ReportData(
        title=f"Access-control scenarios — {provenance.landscape_name}",
        scenarios=results.ordered,
        log=log,
        matrix=build_matrix(calls, landscape),
        provenance=provenance,
        policy_map=policy_map,
        coverage=statement_coverage(policy_map, calls) if policy_map is not None else None,
        timings=timings,
        calls=log.by_scenario(),
        mutation=mutation,
    )


def write_reports(data: ReportData, directory: Path) -> ReportPaths:
    return ReportPaths(
        cucumber=write_cucumber(data.scenarios, directory / CUCUMBER),
        junit=write_junit(data.scenarios, directory / JUNIT),
        html=write_html(data, directory / HTML),
    )
