"""The suite on one backend: pytest run by its plan, then the summary and the reports —
REPORT/report.html, cucumber.json, junit.xml, run.json (timings, provenance, counts)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from harness.runner.plan import Plan
from harness.runner.pytest_process import run_pytest
from harness.runner.report_folder import DECISIONS, PYTEST_LOG, RESULTS, RUN_JSON, prepare

if TYPE_CHECKING:
    from harness.landscape.model import Landscape
    from harness.report.build import ReportPaths
    from harness.report.model import ReportData
    from harness.report.records import ScenarioResult

EXIT_NO_TESTS = 5
"""pytest's status when it collected nothing."""
UNKNOWN_MARKERS = "Unknown marker(s) in '-m' expression"


@dataclass(frozen=True, slots=True)
class BackendOutcome:
    """One backend's run: pytest's status, and its report when a scenario finished."""

    plan: Plan
    status: int
    interrupted: bool
    data: ReportData | None = None
    paths: ReportPaths | None = None


def run_backend(plan: Plan, landscape: Landscape, *, unicode: bool, out: TextIO,
                prefix: str = "") -> BackendOutcome:
    """Run the suite on the plan's backend and write its reports into `plan.report`."""
    from harness.report.build import build_report, write_reports
    from harness.report.decisions import read_decision_log
    from harness.report.provenance import collect_provenance
    from harness.report.records import read_results
    from harness.report.summary import compute_timings

    prepare(plan.report)
    tags = f", tags {plan.tags}" if plan.tags else ""
    print(f"securecart run: {plan.features} on {plan.backend}, landscape "
          f"{plan.landscape_name}{tags}; starting the backend and seeding…", flush=True)

    launched = time.time()
    status, interrupted = run_pytest(plan, unicode=unicode, out=out, prefix=prefix)
    exited = time.time()

    results = read_results(plan.report / RESULTS) if (plan.report / RESULTS).exists() else None
    if results is None or not results.scenarios:
        return BackendOutcome(plan, _nothing_ran(plan, status, named=bool(prefix)),
                              interrupted)

    log = read_decision_log(plan.report / DECISIONS)
    provenance = collect_provenance(
        landscape=plan.landscape, landscape_name=plan.landscape_name, backend=plan.backend,
        started=launched, finished=exited, features=plan.features, tags=plan.tags,
        workers=plan.workers if plan.workers > 1 else 0, command=plan.command,
    )
    calls = list(log.records)
    timings = compute_timings(launched=launched, exited=exited, reports=None,
                              scenarios=results.scenarios, calls=calls)
    reports_started = time.perf_counter()
    # A `securecart mutate --report` into the same folder: the controls' test coverage.
    from harness.report.mutation_coverage import MUTATION_JSON, read_mutation

    mutation = read_mutation(plan.report / MUTATION_JSON)
    data = build_report(results, log, landscape, provenance, timings, mutation)
    paths = write_reports(data, plan.report)
    data.timings = compute_timings(launched=launched, exited=exited,
                                   reports=time.perf_counter() - reports_started,
                                   scenarios=results.scenarios, calls=calls)
    _write_run_json(plan.report / RUN_JSON, status, data.timings.to_json(),
                    provenance.to_json(), data.scenarios)
    return BackendOutcome(plan, status, interrupted, data, paths)


def final_status(status: int, scenarios: list[ScenarioResult]) -> int:
    """pytest's status — never 0 when a scenario failed (it cannot happen with pytest's own
    accounting; a run must never report green on a failure)."""
    if status == 0 and any(s.outcome == "failed" for s in scenarios):
        return 1
    return status


def print_summary(outcome: BackendOutcome, *, unicode: bool, out: TextIO) -> None:
    """The summary table (with the policy statement behind every denial), the timings, and
    where the reports are."""
    from harness.report.summary import summary_text

    data, paths = outcome.data, outcome.paths
    assert data is not None and paths is not None and data.timings is not None
    width = shutil.get_terminal_size((120, 24)).columns
    print("", file=out)
    print(summary_text(data.scenarios, data.calls, data.policy_map, width, unicode), file=out)
    print(data.timings.line(), file=out)
    print(f"reports: {paths.html}  {paths.cucumber.name}  {paths.junit.name}  "
          f"(pytest output: {outcome.plan.report / PYTEST_LOG})", file=out, flush=True)


def _nothing_ran(plan: Plan, status: int, named: bool = False) -> int:
    """No scenario finished: say why in words (`named`: and on which backend), and show the end
    of pytest's output."""
    on = f" on {plan.backend}" if named else ""
    log = plan.report / PYTEST_LOG
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if UNKNOWN_MARKERS in text:
        # Under --strict-markers pytest refuses a tag no feature has (a usage error, 4);
        # for the user it is what it is: nothing matches the tags.
        status = EXIT_NO_TESTS
    if status == EXIT_NO_TESTS or status == 0:
        what = f" matching tags {plan.tags}" if plan.tags else ""
        print(f"securecart run: no scenario{what} was collected from {plan.features}{on} — "
              "check --features and --tags", file=sys.stderr)
        status = EXIT_NO_TESTS
    else:
        print(f"securecart run: pytest stopped{on} (exit status {status}) before any scenario "
              "finished; the end of its output:", file=sys.stderr)
    for line in text.splitlines()[-25:]:
        print(f"  | {line}", file=sys.stderr)
    print(f"(full output: {log})", file=sys.stderr)
    if f'Error importing plugin "{plan.plugin}"' in text:
        print(f"securecart run: the step library's pytest plugin {plan.plugin} cannot be "
              "imported (give another with --plugin MODULE)", file=sys.stderr)
    return status


def _write_run_json(path: Path, status: int, timings: dict[str, object],
                    provenance: dict[str, object], scenarios: list[ScenarioResult]) -> None:
    """What a program (bench/suite.py, a CI step) needs without parsing the summary."""
    from harness.report.summary import outcome_counts

    outcomes = outcome_counts(scenarios)
    path.write_text(json.dumps({"exit_status": status, "outcomes": outcomes,
                                "timings": timings, "provenance": provenance}, indent=2) + "\n",
                    encoding="utf-8")
