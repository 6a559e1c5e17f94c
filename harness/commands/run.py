"""`securecart run` — run the features against the emulated, enforcing AWS, and report.

    securecart run [--backend NAME …] [--landscape DIR] [--features DIR] [--tags EXPR]
                   [--report DIR] [--workers N] [--plugin MODULE] [-v] [-- PYTEST-ARGS…]

pytest runs in a subprocess (harness.runner: the command line, the process, the reports). While
it runs, a line per finished scenario is printed; pytest's own output goes to REPORT/pytest.log
(`-v` shows it as well). Then the summary table, the timings, and the reports:
REPORT/report.html, cucumber.json, junit.xml, run.json (timings, provenance, counts).
Several backends (`--backend moto --backend localstack`): the suite runs on each in turn, each
into REPORT/<backend>/, and REPORT/report.html and REPORT/run.json compare them
(harness.runner.suite).

Exit status: pytest's — 0 when every scenario passed, non-zero otherwise; no scenario collected
is a failure (pytest's 5), with a message saying what was looked for; 2 before pytest starts
(an invalid landscape, no features directory, a malformed tag expression, a backend named
twice). On several backends: 1 when a scenario failed on any of them, else the first non-zero
status.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from harness.backends import BACKENDS
from harness.backends.localstack import add_localstack_options
from harness.commands.suite_inputs import UsageError, suite_inputs
from harness.runner.plan import Plan
from harness.runner.pytest_command import STEPS_PLUGIN, pytest_command
from harness.runner.suite import execute, execute_on_each
from harness.runner.tags import tags_to_markers

DEFAULT_BACKEND = "moto"
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the features against the emulated AWS and write the reports",
        description=(
            "Start the backend and the enforcing endpoint, seed the landscape, run the "
            "Gherkin features with pytest-bdd, show progress, print a summary (with the policy "
            "statement behind every denial) and write the reports: HTML for auditors, cucumber "
            "JSON and JUnit XML for CI. Exits non-zero when any scenario fails."
        ),
    )
    parser.add_argument("--backend", choices=BACKENDS, action="append", default=None,
                        metavar="NAME",
                        help=f"the emulator behind the gateway: {', '.join(BACKENDS)} (default: "
                        f"{DEFAULT_BACKEND}); give it more than once to run the suite on each "
                        "and compare them")
    add_localstack_options(parser)
    parser.add_argument("--landscape", type=Path, default=None, metavar="DIR",
                        help="landscape directory (default: fixtures/securecart)")
    parser.add_argument("--features", type=Path, default=None, metavar="DIR",
                        help="features directory (default: the features/ directory of the "
                        "landscape's project, else the repository's)")
    parser.add_argument("--tags", default=None, metavar="EXPR",
                        help='cucumber tag expression, e.g. "@guardrails and not @scp"')
    parser.add_argument("--report", type=Path, default=Path("reports"), metavar="DIR",
                        help="where reports go (default: reports)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="pytest-xdist worker processes, each with its own backend "
                        "(default: 1, no xdist)")
    parser.add_argument("--plugin", default=STEPS_PLUGIN, metavar="MODULE",
                        help=f"the step library's pytest plugin (default: {STEPS_PLUGIN})")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show pytest's own output as well")
    parser.add_argument("pytest_args", nargs="*", metavar="-- PYTEST-ARGS",
                        help="more pytest arguments, after --")
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    backends: list[str] = args.backend or [DEFAULT_BACKEND]
    twice = [name for name, count in Counter(backends).items() if count > 1]
    if twice:
        return _usage(f"--backend {twice[0]} is given more than once")
    try:
        inputs = suite_inputs(args.landscape, args.features, args.workers)
        markers = tags_to_markers(args.tags) if args.tags else None
    except (UsageError, ValueError) as error:
        return _usage(str(error))
    landscape_dir, landscape, features = inputs.landscape_dir, inputs.landscape, inputs.features
    report = args.report.resolve()

    def plan(backend: str, directory: Path) -> Plan:
        return Plan(
            landscape=landscape_dir, landscape_name=landscape.name, features=features,
            report=directory, markers=markers, plugin=args.plugin, backend=backend,
            command=pytest_command(features=features, landscape=landscape_dir,
                                   backend=backend, report=directory, markers=markers,
                                   workers=args.workers, plugin=args.plugin,
                                   extra=[*_localstack_arguments(backend, args, directory),
                                          *args.pytest_args]),
            cwd=features.parent if features.is_dir() else features.parent.parent,
            tags=args.tags, workers=args.workers, verbose=args.verbose,
        )

    if len(backends) == 1:
        return execute(plan(backends[0], report), landscape)
    return execute_on_each([plan(name, report / name) for name in backends], report, landscape)


def _localstack_arguments(backend: str, args: argparse.Namespace, report: Path) -> list[str]:
    """The step plugin's LocalStack options: where LocalStack comes from, and its log kept in
    the report folder."""
    if backend != "localstack":
        return []
    found = ["--localstack-log-dir", str(report)]
    if args.localstack_url:
        found += ["--localstack-url", args.localstack_url]
    if args.localstack_via:
        found += ["--localstack-via", args.localstack_via]
    return found


def _usage(message: str) -> int:
    print(f"securecart run: {message}", file=sys.stderr)
    return EXIT_USAGE
