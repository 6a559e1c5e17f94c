"""Wall time of the whole scenario suite, as a user runs it: `securecart run` on moto (or on
each backend given: `--backend moto --backend localstack`).

    python -m bench.suite [--workers N] [--landscape DIR] [--features DIR] [--tags EXPR]
                          [--backend NAME …] [--plugin MODULE] [--report DIR]

Runs the command in a subprocess (a cold start, like CI's) and prints where the time went, as
the run measured it (its REPORT/run.json):
- start + seed: pytest start, collection, backend start and seeding — up to the first step;
- run: the scenarios, first start to last end;
- report: writing cucumber JSON, JUnit XML and the HTML report;
and the number of AWS calls the scenarios made (the decision log's records).
Target: the whole suite under 30 s. Each backend is a separate command — its own cold start and
wall clock — into REPORT/<backend>/ when there are several. Figures are reported, not asserted;
the exit status is the runs' (non-zero when a scenario failed on any backend, or nothing ran).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 30.0
DEFAULT_BACKEND = "moto"


def command(args: argparse.Namespace, backend: str, report: Path) -> list[str]:
    line = [sys.executable, "-m", "harness.commands", "run", "--backend", backend,
            "--report", str(report), "--workers", str(args.workers)]
    for option in ("landscape", "features", "tags", "plugin"):
        value = getattr(args, option)
        if value is not None:
            line += [f"--{option}", str(value)]
    return line


def figures(run: dict[str, Any], wall: float) -> list[str]:
    """The lines to print from a run's run.json and the command's wall time."""
    timings = run["timings"]
    outcomes = ", ".join(f"{count} {outcome}" for outcome, count in sorted(run["outcomes"].items()))
    verdict = "within" if wall < TARGET_SECONDS else "over"
    return [
        f"securecart run on {run['provenance']['backend']}: exit {run['exit_status']}, "
        f"{timings['scenario_count']} scenarios ({outcomes})",
        f"start+seed {timings['ready']:7.2f} s   pytest start, collection, backend start and "
        f"seed (backend setup {timings['backend_setup']:.2f} s)",
        f"run        {timings['scenarios']:7.2f} s   {timings['scenario_count']} scenarios",
        f"shutdown   {timings['shutdown']:7.2f} s   pytest's end and exit",
        f"report     {timings['reports'] or 0.0:7.2f} s   cucumber JSON, JUnit XML, HTML",
        f"total      {wall:7.2f} s   wall clock of the command; target < {TARGET_SECONDS:.0f} s "
        f"({verdict})",
        f"AWS calls  {timings['calls']:7d}     {timings['calls_in_scenarios']} in scenarios, "
        f"{timings['denied']} denied",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.suite", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", action="append", default=None, metavar="NAME",
                        help=f"default: {DEFAULT_BACKEND}; give it more than once to measure "
                        "each backend in turn")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--landscape", type=Path, default=None)
    parser.add_argument("--features", type=Path, default=None)
    parser.add_argument("--tags", default=None)
    parser.add_argument("--plugin", default=None, help="the step library's pytest plugin")
    parser.add_argument("--report", type=Path, default=None,
                        help="keep the reports here (default: a temporary directory)")
    args = parser.parse_args(argv)
    backends: list[str] = args.backend or [DEFAULT_BACKEND]
    if len(set(backends)) < len(backends):
        parser.error("a backend is given more than once")

    status = 0
    with tempfile.TemporaryDirectory(prefix="securecart-bench-") as scratch:
        for number, backend in enumerate(backends):
            report = args.report or Path(scratch)
            if len(backends) > 1:
                report = report / backend
            if number:
                print()
            code = measure(args, backend, report)
            status = status or code
    return status


def measure(args: argparse.Namespace, backend: str, report: Path) -> int:
    """Run the suite on `backend`, print its figures; the run's exit status."""
    started = time.perf_counter()
    completed = subprocess.run(command(args, backend, report), capture_output=True, text=True,
                               check=False)
    wall = time.perf_counter() - started
    run_json = report / "run.json"
    if not run_json.is_file():
        print(f"bench.suite: securecart run wrote no figures (on {backend}, exit "
              f"{completed.returncode}); its output:", file=sys.stderr)
        for line in (completed.stdout + completed.stderr).splitlines()[-40:]:
            print(f"  | {line}", file=sys.stderr)
        return completed.returncode or 1
    run = json.loads(run_json.read_text(encoding="utf-8"))
    print("\n".join(figures(run, wall)), flush=True)
    return int(completed.returncode)


if __name__ == "__main__":
    raise SystemExit(main())
