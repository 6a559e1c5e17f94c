"""Running a selection of the SecureCart scenarios against a landscape, in a subprocess, and
reading what happened to each scenario: `harness.runner`, which `securecart mutate` uses too,
under the names the control tests import.

    selection = Selection(("guardrails/organisation_guardrails.feature",), "use-case-no-root-user")
    result = run_scenarios(selection, landscape_dir, work_dir)
    result.failed       # the scenarios whose steps failed, as "<feature stem>::<test name>"
"""

from __future__ import annotations

from harness.runner.repository import CANONICAL, FEATURES, REPOSITORY
from harness.runner.scenario_runs import TIMEOUT, Outcome, read_report, run_scenarios
from harness.runner.selection import Selection, union

__all__ = [
    "CANONICAL",
    "FEATURES",
    "REPOSITORY",
    "TIMEOUT",
    "Outcome",
    "Selection",
    "read_report",
    "run_scenarios",
    "union",
]
