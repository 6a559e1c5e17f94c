"""`securecart run` — run the features against the emulated, enforcing AWS, and report.

    securecart run [--backend NAME …] [--landscape DIR] [--features DIR] [--tags EXPR]
                   [--report DIR] [--workers N] [--plugin MODULE] [-v] [-- PYTEST-ARGS…]

pytest runs in a subprocess, with the step library's plugin (which starts the backend and the
gateway, seeds the landscape and writes the decision log) and this package's collector
(`harness.report.pytest_collect`, which writes each finished scenario to the results file):

    python -m pytest FEATURES -p steps.plugin -p harness.report.pytest_collect
        --landscape DIR --backend NAME --decision-log REPORT/decisions.jsonl
        --securecart-results REPORT/results.jsonl [-m MARKERS] [-n N]

A subprocess, not pytest.main() in this process: moto's state is global to a process, and a
clean interpreter per run is what CI gets too. While it runs, a line per finished scenario is
printed (read from the results file as it grows); pytest's own output goes to REPORT/pytest.log
(`-v` shows it as well). Then the summary table, the timings, and the reports:
REPORT/report.html, cucumber.json, junit.xml, run.json (timings, provenance, counts).

Several backends (`--backend moto --backend localstack`): the suite runs on each in turn, each
into REPORT/<backend>/ (all of the files above; progress lines start with the backend's name),
and then REPORT/report.html and REPORT/run.json compare them (`harness.report.compare`): every
scenario's outcome on each backend, the differing ones — findings about a backend — first. The
printed summary ends with the counts per backend and a `DIFFERS` line per differing scenario.

Exit status: pytest's — 0 when every scenario passed, non-zero otherwise; no scenario collected
is a failure (pytest's 5), with a message saying what was looked for; 2 before pytest starts
(an invalid landscape, no features directory, a malformed tag expression, a backend named
twice). On several backends: 1 when a scenario failed on any of them, else the first non-zero
status.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from harness.backends import BACKENDS
from harness.backends.localstack import add_localstack_options
from harness.command_main import run_registered

if TYPE_CHECKING:
    from harness.landscape.model import Landscape
    from harness.report.build import ReportPaths
    from harness.report.compare import BackendRun
    from harness.report.model import ReportData
    from harness.report.records import ScenarioResult

STEPS_PLUGIN = "steps.plugin"
"""The step library's pytest plugin: options --landscape, --backend, --decision-log."""
ENTRY_POINT = "securecart"
"""The plugin's name as a pytest11 entry point (pyproject.toml): pytest loads it by itself."""
COLLECT_PLUGIN = "harness.report.pytest_collect"
RESULTS, DECISIONS = "results.jsonl", "decisions.jsonl"
PYTEST_LOG, RUN_JSON = "pytest.log", "run.json"
COMPARISON_HTML = "report.html"
SINGLE_RUN_FILES = ("cucumber.json", "junit.xml")
"""With RESULTS … RUN_JSON: what a run on one backend writes at the top of REPORT, and a run on
several must not leave there (it writes them per backend)."""
DEFAULT_BACKEND = "moto"
EXIT_NO_TESTS, EXIT_USAGE, EXIT_INTERRUPTED = 5, 2, 2
POLL_SECONDS = 0.1
UNKNOWN_MARKERS = "Unknown marker(s) in '-m' expression"
REPOSITORY = Path(__file__).resolve().parents[1]


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


# --------------------------------------------------------------------------- the command


@dataclass(frozen=True, slots=True)
class Plan:
    landscape: Path
    landscape_name: str
    features: Path
    report: Path
    markers: str | None
    plugin: str
    command: list[str]
    cwd: Path
    backend: str = DEFAULT_BACKEND


@dataclass(frozen=True, slots=True)
class BackendOutcome:
    """One backend's run: pytest's status, and its report when a scenario finished."""

    plan: Plan
    status: int
    interrupted: bool
    data: ReportData | None = None
    paths: ReportPaths | None = None


def run_command(args: argparse.Namespace) -> int:
    from harness.landscape.errors import InvalidLandscape
    from harness.landscape.layout import DEFAULT_DIRECTORY
    from harness.landscape.loader import load_landscape

    backends: list[str] = args.backend or [DEFAULT_BACKEND]
    twice = [name for name, count in Counter(backends).items() if count > 1]
    if twice:
        return _usage(f"--backend {twice[0]} is given more than once")
    landscape_dir: Path = (args.landscape or DEFAULT_DIRECTORY).resolve()
    try:
        landscape = load_landscape(landscape_dir)
    except (InvalidLandscape, OSError) as error:
        return _usage(f"the landscape {landscape_dir} is invalid:\n{error}")
    features = (args.features or find_features(landscape_dir)).resolve()
    if not features.exists():
        return _usage(f"no features at {features} (give --features DIR)")
    try:
        markers = tags_to_markers(args.tags) if args.tags else None
    except ValueError as error:
        return _usage(str(error))
    if args.workers > 1 and importlib.util.find_spec("xdist") is None:
        return _usage("--workers needs pytest-xdist (pip install pytest-xdist)")
    report = args.report.resolve()

    def plan(backend: str, directory: Path) -> Plan:
        return Plan(
            landscape=landscape_dir, landscape_name=landscape.name, features=features,
            report=directory, markers=markers, plugin=args.plugin, backend=backend,
            command=pytest_command(features=features, landscape=landscape_dir,
                                   backend=backend, report=directory, markers=markers,
                                   workers=args.workers, plugin=args.plugin,
                                   extra=[*localstack_arguments(backend, args, directory),
                                          *args.pytest_args]),
            cwd=features.parent if features.is_dir() else features.parent.parent,
        )

    if len(backends) == 1:
        return execute(plan(backends[0], report), args, landscape)
    return execute_on_each([plan(name, report / name) for name in backends], report, args,
                           landscape)


def execute(plan: Plan, args: argparse.Namespace, landscape: Landscape) -> int:
    out = sys.stdout
    unicode = _can_print(out, "✔✘–›─")
    outcome = run_backend(plan, args, landscape, unicode=unicode, out=out)
    if outcome.data is None:
        return outcome.status
    _print_summary(outcome, unicode=unicode, out=out)
    return final_status(outcome.status, outcome.data.scenarios)


def execute_on_each(plans: list[Plan], report: Path, args: argparse.Namespace,
                    landscape: Landscape) -> int:
    """The suite on each plan's backend in turn, then the comparison."""
    from harness.report.compare import compare, comparison_text
    from harness.report.html_compare import write_comparison

    out = sys.stdout
    unicode = _can_print(out, "✔✘–›─")
    _prepare(report, also=(COMPARISON_HTML, *SINGLE_RUN_FILES))
    width = max(len(plan.backend) for plan in plans)
    runs: list[BackendRun] = []
    for plan in plans:
        outcome = run_backend(plan, args, landscape, unicode=unicode, out=out,
                              prefix=f"{plan.backend:<{width}} ")
        if outcome.data is not None:
            print(f"\n── {plan.backend} ──" if unicode else f"\n-- {plan.backend} --", file=out)
            _print_summary(outcome, unicode=unicode, out=out)
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


def run_backend(plan: Plan, args: argparse.Namespace, landscape: Landscape, *, unicode: bool,
                out: TextIO, prefix: str = "") -> BackendOutcome:
    """Run the suite on the plan's backend and write its reports into `plan.report`."""
    from harness.report.build import build_report, write_reports
    from harness.report.decisions import read_decision_log
    from harness.report.provenance import collect_provenance
    from harness.report.records import read_results
    from harness.report.summary import compute_timings

    _prepare(plan.report)
    tags = f", tags {args.tags}" if args.tags else ""
    print(f"securecart run: {plan.features} on {plan.backend}, landscape "
          f"{plan.landscape_name}{tags}; starting the backend and seeding…", flush=True)

    launched = time.time()
    status, interrupted = _run_pytest(plan, verbose=args.verbose, unicode=unicode, out=out,
                                      prefix=prefix)
    exited = time.time()

    results = read_results(plan.report / RESULTS) if (plan.report / RESULTS).exists() else None
    if results is None or not results.scenarios:
        return BackendOutcome(plan, _nothing_ran(plan, status, args.tags, named=bool(prefix)),
                              interrupted)

    log = read_decision_log(plan.report / DECISIONS)
    provenance = collect_provenance(
        landscape=plan.landscape, landscape_name=plan.landscape_name, backend=plan.backend,
        started=launched, finished=exited, features=plan.features, tags=args.tags,
        workers=args.workers if args.workers > 1 else 0, command=plan.command,
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


def _print_summary(outcome: BackendOutcome, *, unicode: bool, out: TextIO) -> None:
    from harness.report.summary import summary_text

    data, paths = outcome.data, outcome.paths
    assert data is not None and paths is not None and data.timings is not None
    width = shutil.get_terminal_size((120, 24)).columns
    print("", file=out)
    print(summary_text(data.scenarios, data.calls, data.policy_map, width, unicode), file=out)
    print(data.timings.line(), file=out)
    print(f"reports: {paths.html}  {paths.cucumber.name}  {paths.junit.name}  "
          f"(pytest output: {outcome.plan.report / PYTEST_LOG})", file=out, flush=True)


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


# --------------------------------------------------------------------------- pieces


def find_features(landscape: Path) -> Path:
    """The features/ directory of the landscape's project: the nearest one above the
    landscape directory; else the repository's."""
    for parent in landscape.resolve().parents:
        if (parent / "features").is_dir():
            return parent / "features"
    return REPOSITORY / "features"


_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_TAG = re.compile(r"@?[\w.:-]+")


def tags_to_markers(expression: str) -> str:
    """A cucumber tag expression (`@a and not (@b or @c)`) as pytest's -m expression over the
    markers pytest-bdd makes from tags (the tag without its @)."""
    tokens = _TOKEN.findall(expression)
    if not tokens:
        raise ValueError("--tags: an empty tag expression")
    words = []
    for token in tokens:
        if token in ("(", ")"):
            words.append(token)
        elif token.lower() in ("and", "or", "not"):
            words.append(token.lower())
        elif _TAG.fullmatch(token):
            words.append(token.removeprefix("@"))
        else:
            raise ValueError(f"--tags: {token!r} is not a tag (write @name, and, or, not, ( ))")
    return " ".join(words)


def pytest_command(*, features: Path, landscape: Path, backend: str, report: Path,
                   markers: str | None, workers: int, plugin: str, extra: list[str]) -> list[str]:
    command = [
        sys.executable, "-m", "pytest", str(features),
        *plugin_options(plugin), "-p", COLLECT_PLUGIN,
        "--landscape", str(landscape), "--backend", backend,
        "--decision-log", str(report / DECISIONS),
        "--securecart-results", str(report / RESULTS),
        # The terminal is ours; pytest's output goes to a log (its caches to nowhere).
        "-p", "no:cacheprovider", "-q", "-rfE", "--tb=short",
        # Hypothesis' pytest plugin (installed with the test extra) adds ~2 s at exit, and no
        # scenario uses it.
        "-p", "no:hypothesispytest",
    ]
    if markers:
        command += ["-m", markers]
    if workers > 1:
        command += ["-n", str(workers)]
    return command + extra


def localstack_arguments(backend: str, args: argparse.Namespace, report: Path) -> list[str]:
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


def plugin_options(plugin: str) -> list[str]:
    """pytest's options that load the step plugin `plugin` and no other: the installed package
    declares steps.plugin as a pytest11 entry point, which pytest loads by itself (loading it
    twice is an error); another plugin must replace it, not run beside it."""
    if not _entry_point_loads(STEPS_PLUGIN):
        return ["-p", plugin]
    if plugin == STEPS_PLUGIN:
        return []
    return ["-p", f"no:{ENTRY_POINT}", "-p", plugin]


def _entry_point_loads(module: str) -> bool:
    from importlib.metadata import entry_points

    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    found = entry_points(group="pytest11", name=ENTRY_POINT)
    return any(entry.value == module for entry in found)


def _prepare(report: Path, also: tuple[str, ...] = ()) -> None:
    """A report directory holds one run: the decision log is appended to by its writer, so a
    previous run's must go first (and, for a comparison, a previous single run's files)."""
    report.mkdir(parents=True, exist_ok=True)
    for name in (RESULTS, DECISIONS, PYTEST_LOG, RUN_JSON, *also):
        (report / name).unlink(missing_ok=True)


def _environment(plan: Plan) -> dict[str, str]:
    """The step library sits beside the features (steps/), in the project or in this
    repository: both go on the path."""
    paths = [str(plan.cwd), str(REPOSITORY), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(p for p in paths if p)),
            "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}


def _run_pytest(plan: Plan, *, verbose: bool, unicode: bool, out: TextIO,
                prefix: str = "") -> tuple[int, bool]:
    """pytest's exit status, and whether the user interrupted it (Ctrl-C)."""
    from harness.report.records import ScenarioResult, parse_line
    from harness.report.summary import progress_line

    results, output = _Tail(plan.report / RESULTS), _Tail(plan.report / PYTEST_LOG)
    with (plan.report / PYTEST_LOG).open("wb") as log:
        process = subprocess.Popen(plan.command, cwd=plan.cwd, env=_environment(plan),
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        try:
            while True:
                finished = process.poll() is not None
                if verbose:
                    for line in output.lines():
                        print(f"{prefix}  | {line}", file=out)
                for line in results.lines():
                    item = parse_line(line)
                    if isinstance(item, ScenarioResult):
                        print(prefix + progress_line(item, unicode), file=out, flush=True)
                if finished:
                    break
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            print("securecart run: interrupted; stopping pytest", file=sys.stderr)
            return _stop(process), True
    return int(process.returncode), False


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return EXIT_INTERRUPTED


class _Tail:
    """The complete lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""

    def lines(self) -> list[str]:
        try:
            with self.path.open("rb") as stream:
                stream.seek(self.offset)
                data = stream.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        *complete, self.partial = (self.partial + data).split(b"\n")
        return [line.decode("utf-8", "replace").rstrip("\r") for line in complete]


def _nothing_ran(plan: Plan, status: int, tags: str | None, named: bool = False) -> int:
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
        what = f" matching tags {tags}" if tags else ""
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


def _can_print(stream: TextIO, text: str) -> bool:
    try:
        text.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _usage(message: str) -> int:
    print(f"securecart run: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    return run_registered(register, argv)


if __name__ == "__main__":
    sys.exit(main())
