"""The suite on one backend; or on several in turn, each into REPORT/<backend>/ (progress lines
start with the backend's name), and then REPORT/report.html and REPORT/run.json compare them
(`harness.report.compare`): every scenario's outcome on each backend, the differing ones —
findings about a backend — first. The printed summary then ends with the counts per backend
and a `DIFFERS` line per differing scenario.

The status returned is pytest's: 0 when every scenario passed; on several backends, 1 when a
scenario failed on any of them, else the first non-zero status.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from harness.runner.backend_run import BackendOutcome, final_status, print_summary, run_backend
from harness.runner.plan import Plan
from harness.runner.report_folder import COMPARISON_HTML, RUN_JSON, SINGLE_RUN_FILES, prepare

if TYPE_CHECKING:
    from harness.landscape.model import Landscape
    from harness.report.compare import BackendRun

SYMBOLS = "✔✘–›─"
"""What progress lines and summaries print when the terminal can (else ASCII)."""


def execute(plan: Plan, landscape: Landscape) -> int:
    """The suite on the plan's backend, its progress and summary on standard output."""
    out = sys.stdout
    unicode = _can_print(out, SYMBOLS)
    outcome = run_backend(plan, landscape, unicode=unicode, out=out)
    if outcome.data is None:
        return outcome.status
    print_summary(outcome, unicode=unicode, out=out)
    return final_status(outcome.status, outcome.data.scenarios)


def execute_on_each(plans: list[Plan], report: Path, landscape: Landscape) -> int:
    """The suite on each plan's backend in turn, then the comparison."""
    from harness.report.compare import compare, comparison_text
    from harness.report.html_compare import write_comparison

    out = sys.stdout
    unicode = _can_print(out, SYMBOLS)
    prepare(report, also=(COMPARISON_HTML, *SINGLE_RUN_FILES))
    width = max(len(plan.backend) for plan in plans)
    runs: list[BackendRun] = []
    for plan in plans:
        outcome = run_backend(plan, landscape, unicode=unicode, out=out,
                              prefix=f"{plan.backend:<{width}} ")
        if outcome.data is not None:
            print(f"\n── {plan.backend} ──" if unicode else f"\n-- {plan.backend} --", file=out)
            print_summary(outcome, unicode=unicode, out=out)
            print("", file=out, flush=True)
        runs.append(_backend_run(outcome, report))
        if outcome.interrupted:
            break
    comparison = compare(runs)
    page = write_comparison(comparison, plans[0].landscape_name, report / COMPARISON_HTML)
    (report / RUN_JSON).write_text(json.dumps(comparison.to_json(), indent=2) + "\n",
                                   encoding="utf-8")
    print(f"comparison: {page}  {RUN_JSON}", file=out)
    print(comparison_text(comparison, unicode), file=out, flush=True)
    return comparison.status


def _backend_run(outcome: BackendOutcome, report: Path) -> BackendRun:
    from harness.report.compare import BackendRun

    plan, data = outcome.plan, outcome.data
    scenarios = data.scenarios if data is not None else []
    return BackendRun(
        backend=plan.backend, status=final_status(outcome.status, scenarios),
        report=plan.report.relative_to(report).as_posix(), scenarios=scenarios,
        timings=data.timings if data is not None else None,
        provenance=data.provenance if data is not None else None,
        interrupted=outcome.interrupted,
    )


def _can_print(stream: TextIO, text: str) -> bool:
    try:
        text.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
