"""Mutation testing of a landscape's policies: would the scenarios notice if a statement were
gone, or its condition dropped?

    controls = policy_controls(landscape, patterns)      # the policy files, each a "control"
    mutants = generate_mutants(controls)                 # two kinds, below
    baseline = run_baseline(config)                      # the features once, with the log
    results = run_mutants(mutants, baseline, config)     # each on a copy of the landscape

A *control* is one policy file of the landscape (a file used in several places — the same
boundary in three accounts — is one control: editing it changes every use). Its mutants:

- `remove-statement`: the statement is deleted from the file. A policy's sole statement
  cannot be deleted (AWS refuses a policy without a statement): it is *neutralised* instead —
  it gets a condition no request satisfies (`aws:PrincipalAccount` equals `000000000000`, an
  account that does not exist; a request without the key does not satisfy it either), which is
  what deleting it would do to every decision.
- `drop-condition`: a statement with a `Condition` loses it.

AWS's own FullAWSAccess SCP has no mutants: the seeder finds it in the backend, it does not
create it from the landscape's file.

The baseline runs the features once on the unmodified landscape with the gateway's decision
log, which names for every call the statements that applied (`matched`) and those that covered
its action, resource and caller but whose Condition did not hold (`unmet`) — for a call to the
policy simulator, those of every decision it simulated too. A mutant can change
a call's decision only through its statement: removing a statement changes the calls it applied
to, dropping a condition the calls that condition kept out; every other call is decided as in
the baseline, and so is every later call of a scenario none of whose calls changed. A mutant
therefore runs only the scenarios *reached* by its statement — the passing ones with such a call
(a scenario failing anyway would prove nothing). It is *killed* when one of them fails,
*survives* when none does or none is reached (then without a run: no decision can change), and
is an *error* when its run could not tell (the landscape did not load, no report, a scenario
errored in setup and none failed, the run timed out).

A survivor is either covered by a new scenario or accepted with a reason in the landscape's
`analysis/survivors.yaml` (`harness.analysis.survivors`).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.analysis.findings import Acceptance, Finding
from harness.analysis.replay import Replay
from harness.gateway.decision_log import asserted_path, policies_path
from harness.landscape.errors import InvalidLandscape
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape, PolicyDocument
from harness.report.decisions import DecisionLog, StatementRef, read_decision_log
from harness.report.mutation_coverage import MUTATION_JSON
from harness.report.policy_map import PolicyMap
from harness.runner.pytest_command import STEPS_PLUGIN, pytest_command
from harness.runner.report_folder import DECISIONS, RESULTS
from harness.runner.scenario_runs import (
    TIMEOUT,
    Outcome,
    RunError,
    environment,
    outcome_name,
    run_scenarios,
)
from harness.runner.selection import Nodes

Kind = Literal["remove-statement", "drop-condition"]
Status = Literal["killed", "survived", "error"]
KINDS: tuple[Kind, ...] = ("remove-statement", "drop-condition")
NEVER_ACCOUNT = "000000000000"
NEVER_CONDITION = ("StringEquals", "aws:PrincipalAccount")
"""The condition that neutralises a sole statement: no request's principal is in this account."""
NO_SCENARIO: dict[Kind, str] = {
    "remove-statement": "the statement applied to no scenario's call",
    "drop-condition": "the condition kept out no scenario's call",
}
"""Why a mutant survives without a run: no decision of any scenario can change."""


# --------------------------------------------------------------------------- controls, mutants


@dataclass(frozen=True, slots=True)
class Control:
    """One policy file of the landscape and what it is used as."""

    file: str
    """Relative to the landscape directory, with forward slashes."""
    labels: tuple[str, ...]
    """How the reports name each use (`topic policy of order-events`, …)."""
    names: tuple[str, ...]
    """The landscape's names of each use (ARNs, …)."""
    statements: tuple[tuple[int, str | None, bool], ...]
    """(index, Sid, has a Condition) of each statement, in the file's order."""

    @property
    def label(self) -> str:
        more = f" (+{len(self.labels) - 1} more uses)" if len(self.labels) > 1 else ""
        return self.labels[0] + more

    def matches(self, pattern: str) -> bool:
        """A --policy pattern: a glob (or plain name) against the file's path, its name without
        the .json, and each use's name and label."""
        path = Path(self.file)
        candidates = (self.file, path.name, path.stem, *self.names, *self.labels)
        return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)


@dataclass(frozen=True, slots=True)
class Mutant:
    control: str
    """The policy file, relative to the landscape directory."""
    label: str
    kind: Kind
    index: int
    sid: str | None
    sole: bool = False
    """The policy's only statement: neutralised rather than deleted."""

    @property
    def statement(self) -> str:
        return self.sid if self.sid else f"Statement[{self.index}]"

    @property
    def id(self) -> str:
        return f"{self.control}#{self.statement}:{self.kind}"

    def describe(self) -> str:
        if self.kind == "drop-condition":
            return f"{self.statement}: its Condition dropped"
        if self.sole:
            return f"{self.statement}: neutralised (the policy's sole statement)"
        return f"{self.statement}: removed"

    def apply(self, landscape: Path) -> None:
        """Edit the control's file in the landscape directory `landscape` (a copy)."""
        path = landscape / self.control
        document = self.mutate_document(json.loads(path.read_text(encoding="utf-8")))
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    def mutate_document(self, original: dict[str, Any]) -> dict[str, Any]:
        """The policy document with the mutant's change (a copy): the file's, or one use's
        with its placeholders resolved (`harness.analysis.replay`)."""
        document = copy.deepcopy(original)
        statements = _statement_list(document)
        statement = statements[self.index]
        if self.kind == "drop-condition":
            if "Condition" not in statement:
                raise ValueError(f"{self.id}: the statement has no Condition")
            del statement["Condition"]
        elif self.sole:
            statements[self.index] = neutralised(statement)
        else:
            del statements[self.index]
        document["Statement"] = statements
        return document


def neutralised(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement with a condition no request satisfies added to its own."""
    changed = copy.deepcopy(statement)
    condition: dict[str, Any] = changed.setdefault("Condition", {})
    operator, key = NEVER_CONDITION
    # Conditions are ANDed: whatever else the statement asks, this never holds (a constraint on
    # the same key under the same operator is replaced, which makes it never hold too).
    condition.setdefault(operator, {})[key] = NEVER_ACCOUNT
    return changed


def _statement_list(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        return [statements]
    return [s for s in statements if isinstance(s, dict)]


def policy_controls(landscape: Landscape, patterns: Sequence[str] = ()) -> list[Control]:
    """The landscape's policy files in the landscape's order (AWS's own FullAWSAccess left out),
    only those matching one of `patterns` when any are given."""
    policy_map = PolicyMap(landscape)
    managed = {scp.document.file for scp in landscape.scps if scp.aws_managed}
    uses: dict[Path, list[PolicyDocument]] = defaultdict(list)
    for document in policy_map.documents():
        if document.file not in managed:
            uses[document.file].append(document)
    controls = []
    for file, documents in uses.items():
        raw = json.loads(file.read_text(encoding="utf-8"))
        statements = tuple((index, _sid(statement), "Condition" in statement)
                           for index, statement in enumerate(_statement_list(raw)))
        controls.append(Control(
            file=_relative(file, landscape.directory),
            labels=tuple(dict.fromkeys(policy_map.label(d) for d in documents)),
            names=tuple(dict.fromkeys(d.name for d in documents)),
            statements=statements,
        ))
    if patterns:
        controls = [c for c in controls if any(c.matches(p) for p in patterns)]
    return controls


def generate_mutants(controls: Iterable[Control]) -> list[Mutant]:
    """Every mutant of every control: a statement removed, a statement's condition dropped."""
    mutants: list[Mutant] = []
    for control in controls:
        sole = len(control.statements) == 1
        for index, sid, conditional in control.statements:
            mutants.append(Mutant(control.file, control.label, "remove-statement", index, sid,
                                  sole=sole))
            if conditional:
                mutants.append(Mutant(control.file, control.label, "drop-condition", index, sid))
    return mutants


def mutated_landscape(mutant: Mutant, source: Path, directory: Path) -> Path:
    """A copy of the landscape `source` in `directory`/landscape with `mutant` applied."""
    landscape = directory / "landscape"
    shutil.copytree(source, landscape)
    mutant.apply(landscape)
    return landscape


# --------------------------------------------------------------------------- the baseline


Reach = tuple[str, str, Kind]
"""(policy file, statement label, mutant kind): what a mutant changes."""


@dataclass(frozen=True, slots=True)
class Baseline:
    passed: tuple[str, ...]
    """Node ids of the scenarios that passed."""
    not_passed: tuple[str, ...]
    """Node ids of those that failed, errored or were skipped: never run for a mutant."""
    reached: dict[Reach, tuple[str, ...]]
    """What each mutant kind of each statement could change → node ids of the passing
    scenarios with a call it could decide differently."""
    seconds: float
    status: int = 0
    replay: Replay | None = None
    """The baseline's decisions, to replay a mutant's (None: every reached mutant is rerun)."""

    def scenarios_for(self, mutant: Mutant) -> tuple[str, ...]:
        return self.reached.get((mutant.control, mutant.statement, mutant.kind), ())

    def exercising(self, control: str) -> tuple[str, ...]:
        """The scenarios reached by some statement of the policy file `control`."""
        found = (node for (file, _, _), nodes in self.reached.items() if file == control
                 for node in nodes)
        return tuple(dict.fromkeys(found))


def reached_by(landscape: Landscape, log: DecisionLog, passed: Iterable[str]
               ) -> dict[Reach, tuple[str, ...]]:
    """For each statement of the landscape's policy files, the scenarios among `passed` whose
    calls it applied to (what removing it changes) and whose calls its Condition kept out
    (what dropping the condition changes)."""
    policy_map = PolicyMap(landscape)
    keep = set(passed)
    found: dict[Reach, dict[str, None]] = defaultdict(dict)

    def add(ref: StatementRef, kind: Kind, scenario: str) -> None:
        document = policy_map.find(ref)
        if document is not None:
            file = _relative(document.file, landscape.directory)
            found[(file, ref.statement, kind)][scenario] = None

    for call in log.records:
        if call.scenario is None or call.scenario not in keep:
            continue
        for ref in (*call.deciding, *call.matched, *call.simulated_matched):
            add(ref, "remove-statement", call.scenario)
        for ref in (*call.unmet, *call.simulated_unmet):
            add(ref, "drop-condition", call.scenario)
    return {reach: tuple(scenarios) for reach, scenarios in found.items()}


@dataclass(frozen=True, slots=True)
class Config:
    landscape: Path
    features: Path
    work: Path
    """Where runs write (baseline/, mutants/<n>/)."""
    workers: int = 1
    timeout: float = TIMEOUT
    keep: bool = False
    """Keep each mutant's landscape copy (else it is deleted after its run)."""
    replay: bool = True
    """Decide a mutant by replaying the baseline's decisions where that is sound
    (`harness.analysis.replay`); False: rerun every reached mutant's scenarios."""

    @property
    def cwd(self) -> Path:
        """Where pytest starts: the features' project (node ids are relative to it)."""
        return self.features.parent if self.features.is_dir() else self.features.parent.parent


def run_baseline(config: Config, landscape: Landscape) -> Baseline:
    """The features on the unmodified landscape, with the decision log (pytest-xdist with
    `config.workers` workers when more than one)."""
    from harness.report.records import read_results

    report = config.work / "baseline"
    report.mkdir(parents=True, exist_ok=True)
    # Nothing of an earlier run is read as this one's: the log, the results, and the policy
    # and assertion tables the replay reads beside the log.
    decisions = report / DECISIONS
    for stale in (decisions, report / RESULTS, policies_path(decisions),
                  asserted_path(decisions)):
        stale.unlink(missing_ok=True)
    command = pytest_command(features=config.features, landscape=config.landscape,
                             backend="moto", report=report, markers=None,
                             workers=config.workers, plugin=STEPS_PLUGIN, extra=[])
    started = time.perf_counter()
    with (report / "pytest.log").open("wb") as log:
        completed = subprocess.run(command, cwd=config.cwd, env=environment(config.cwd),
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, timeout=config.timeout * 4,
                                   check=False)
    seconds = time.perf_counter() - started
    results = read_results(report / RESULTS).scenarios if (report / RESULTS).exists() else []
    passed = tuple(s.nodeid for s in results if s.outcome == "passed")
    not_passed = tuple(s.nodeid for s in results if s.outcome != "passed")
    reached = reached_by(landscape, read_decision_log(report / DECISIONS), passed)
    replay = Replay.load(landscape, report / DECISIONS) if config.replay else None
    return Baseline(passed, not_passed, reached, seconds, completed.returncode, replay)


# --------------------------------------------------------------------------- the mutants


@dataclass(frozen=True, slots=True)
class MutantResult:
    mutant: Mutant
    status: Status
    reason: str
    scenarios: tuple[str, ...] = ()
    """The node ids run against the mutant."""
    failed: tuple[str, ...] = ()
    """Those that failed (as "<feature stem>::<test name>"), with their first message line."""
    messages: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    accepted: Acceptance | None = None
    """Why the landscape accepts this survivor (`harness.analysis.survivors`)."""
    by: Literal["replay", "rerun"] = "rerun"
    """How the verdict was reached: the baseline's decisions replayed with the mutated policy
    (no run), or the reached scenarios rerun on a mutated copy of the landscape."""

    def to_json(self) -> dict[str, Any]:
        m = self.mutant
        accepted = self.accepted
        return {
            "id": m.id, "control": m.control, "label": m.label, "kind": m.kind,
            "index": m.index, "sid": m.sid, "statement": m.statement, "sole": m.sole,
            "change": m.describe(), "status": self.status, "reason": self.reason,
            "scenarios": list(self.scenarios), "failed": list(self.failed),
            "messages": dict(self.messages), "seconds": round(self.seconds, 2),
            "by": self.by,
            "accepted": None if accepted is None else {"reason": accepted.reason,
                                                       "owner": accepted.owner},
        }


Runner = Callable[[Nodes, Path, Path], Outcome]


def judge(mutant: Mutant, scenarios: Sequence[str], outcome: Outcome,
          seconds: float) -> MutantResult:
    """Killed, survived or error, from the run of `scenarios` against the mutant."""
    failed = tuple(outcome.failed)
    messages = {name: outcome.messages.get(name, "") for name in (*failed, *outcome.errors)}
    if failed:
        return MutantResult(mutant, "killed", f"{len(failed)} of {len(scenarios)} scenarios "
                            "failed", tuple(scenarios), failed, messages, seconds)
    if outcome.errors:
        return MutantResult(mutant, "error", f"{len(outcome.errors)} scenarios errored and none "
                            f"failed: {outcome.summary}", tuple(scenarios), (), messages,
                            seconds)
    if outcome.selected == 0:
        return MutantResult(mutant, "error", f"no scenario ran: {outcome.summary}",
                            tuple(scenarios), (), messages, seconds)
    return MutantResult(mutant, "survived", f"{len(outcome.passed)} scenarios ran and passed",
                        tuple(scenarios), (), messages, seconds)


def run_mutant(mutant: Mutant, baseline: Baseline, config: Config, directory: Path,
               runner: Runner | None = None) -> MutantResult:
    """Apply `mutant` to a copy of the landscape in `directory` and run the scenarios that
    exercise its control; `runner` runs them (default:
    harness.runner.scenario_runs.run_scenarios)."""
    scenarios = baseline.scenarios_for(mutant)
    if not scenarios:
        return MutantResult(mutant, "survived", NO_SCENARIO[mutant.kind], by="replay")
    started = time.perf_counter()
    if baseline.replay is not None and config.replay:
        replayed = baseline.replay.judge(mutant.control, mutant.mutate_document, scenarios)
        if replayed.status is not None:
            failed = tuple(outcome_name(node) for node in replayed.killed_by)
            return MutantResult(mutant, replayed.status, replayed.reason, tuple(scenarios),
                                failed, seconds=time.perf_counter() - started, by="replay")
    try:
        landscape = mutated_landscape(mutant, config.landscape, directory)
        load_landscape(landscape)
    except (InvalidLandscape, OSError, ValueError) as error:
        return MutantResult(mutant, "error", f"the mutated landscape is invalid: {error}",
                            tuple(scenarios), seconds=time.perf_counter() - started)

    def default(nodes: Nodes, landscape: Path, work: Path) -> Outcome:
        return run_scenarios(nodes, landscape, work, cwd=config.cwd, timeout=config.timeout)

    try:
        outcome = (runner or default)(Nodes(tuple(scenarios)), landscape, directory / "run")
    except RunError as error:
        return MutantResult(mutant, "error", str(error).splitlines()[0], tuple(scenarios),
                            seconds=time.perf_counter() - started)
    except subprocess.TimeoutExpired:
        return MutantResult(mutant, "error", f"the run took more than {config.timeout:.0f} s",
                            tuple(scenarios), seconds=time.perf_counter() - started)
    finally:
        if not config.keep:
            shutil.rmtree(directory / "landscape", ignore_errors=True)
    return judge(mutant, scenarios, outcome, time.perf_counter() - started)


def run_mutants(mutants: Sequence[Mutant], baseline: Baseline, config: Config,
                progress: Callable[[MutantResult], None] | None = None,
                runner: Runner | None = None) -> list[MutantResult]:
    """Every mutant, `config.workers` at once; results in the mutants' order."""
    base = config.work / "mutants"

    def one(numbered: tuple[int, Mutant]) -> MutantResult:
        number, mutant = numbered
        result = run_mutant(mutant, baseline, config, base / f"{number:03d}", runner)
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        return list(pool.map(one, enumerate(mutants)))


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Tally:
    killed: int = 0
    survived: int = 0
    error: int = 0
    accepted: int = 0
    """Survivors with a reviewed reason (counted in `survived` too)."""

    @property
    def total(self) -> int:
        return self.killed + self.survived + self.error

    @property
    def survival_rate(self) -> float | None:
        """Survivors among the mutants that were decided (errors left out)."""
        decided = self.killed + self.survived
        return self.survived / decided if decided else None

    @property
    def unexplained(self) -> int:
        return self.survived - self.accepted

    def to_json(self) -> dict[str, Any]:
        rate = self.survival_rate
        return {"killed": self.killed, "survived": self.survived, "error": self.error,
                "accepted": self.accepted, "unexplained": self.unexplained,
                "total": self.total,
                "survival_rate": None if rate is None else round(rate, 4)}


def tally(results: Iterable[MutantResult]) -> Tally:
    counts = {"killed": 0, "survived": 0, "error": 0, "accepted": 0}
    for result in results:
        counts[result.status] += 1
        counts["accepted"] += result.accepted is not None
    return Tally(**counts)


def report_json(controls: Sequence[Control], results: Sequence[MutantResult],
                baseline: Baseline | None, *, landscape: Path, features: Path,
                seconds: float, stale: Sequence[Finding] = (),
                survivors_file: Path | None = None) -> dict[str, Any]:
    """The analysis as JSON; `stale` are the survivors file's entries that match no survivor."""
    by_control: dict[str, list[MutantResult]] = defaultdict(list)
    for result in results:
        by_control[result.mutant.control].append(result)
    return {
        "landscape": str(landscape),
        "features": str(features),
        "seconds": round(seconds, 1),
        "baseline": None if baseline is None else {
            "passed": len(baseline.passed), "not_passed": list(baseline.not_passed),
            "status": baseline.status, "seconds": round(baseline.seconds, 1),
        },
        "totals": tally(results).to_json(),
        "survivors_file": None if survivors_file is None else str(survivors_file),
        "stale": [{"line": f.line, "message": f.message, "fix": f.fix} for f in stale],
        "controls": [
            {"file": c.file, "label": c.label, "uses": list(c.labels),
             "scenarios": len(baseline.exercising(c.file)) if baseline else 0,
             **tally(by_control[c.file]).to_json(),
             "mutants": [r.to_json() for r in by_control[c.file]]}
            for c in controls
        ],
    }


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def report_text(data: dict[str, Any]) -> str:
    """The JSON report (`report_json`) for a terminal."""
    lines: list[str] = []
    baseline = data.get("baseline")
    if baseline is not None:
        lines.append(f"baseline: {baseline['passed']} scenarios passed in "
                     f"{baseline['seconds']} s" + (f"; {len(baseline['not_passed'])} did not "
                     "pass and are never run for a mutant" if baseline["not_passed"] else ""))
    lines.append("")
    width = max((len(c["label"]) for c in data["controls"]), default=10)
    lines.append(f"{'control':<{width}}  killed  survived  error  survival")
    for control in data["controls"]:
        lines.append(f"{control['label']:<{width}}  {control['killed']:>6}  "
                     f"{control['survived']:>8}  {control['error']:>5}  "
                     f"{percent(control['survival_rate']):>8}")
    totals = data["totals"]
    lines.append(f"{'all':<{width}}  {totals['killed']:>6}  {totals['survived']:>8}  "
                 f"{totals['error']:>5}  {percent(totals['survival_rate']):>8}")
    survivors = [m for c in data["controls"] for m in c["mutants"] if m["status"] != "killed"]
    if survivors:
        lines.append("")
        lines.append("survivors and errors:")
    for mutant in survivors:
        status = "ACCEPTED" if mutant.get("accepted") else mutant["status"].upper()
        lines.append(f"  {status:<8} {mutant['control']} "
                     f"{mutant['change']} — {mutant['reason']}")
        if mutant.get("accepted"):
            lines.append(f"             accepted: {mutant['accepted']['reason']} "
                         f"(owner: {mutant['accepted']['owner']})")
        elif mutant["status"] == "survived" and mutant["scenarios"]:
            for node in mutant["scenarios"]:
                lines.append(f"             passed: {outcome_name(node)}")
        for name, message in mutant["messages"].items():
            lines.append(f"             {name}: {message}")
    for entry in data.get("stale", []):
        lines.append(f"  STALE    {data.get('survivors_file')}:{entry['line']}: "
                     f"{entry['message']} — {entry['fix']}")
    lines.append("")
    lines.append(f"{totals['total']} mutants: {totals['killed']} killed, {totals['survived']} "
                 f"survived ({totals.get('accepted', 0)} accepted with a reason, "
                 f"{totals.get('unexplained', totals['survived'])} unexplained), "
                 f"{totals['error']} errors; survival rate "
                 f"{percent(totals['survival_rate'])}; {data['seconds']} s")
    return "\n".join(lines)


# --------------------------------------------------------------------------- all of it


@dataclass(frozen=True, slots=True)
class Analysis:
    controls: list[Control]
    mutants: list[Mutant]
    baseline: Baseline
    results: list[MutantResult]
    seconds: float


def analyse(config: Config, patterns: Sequence[str] = (),
            progress: Callable[[MutantResult], None] | None = None) -> Analysis:
    """The baseline, then every mutant of the controls matching `patterns` (all when none)."""
    started = time.perf_counter()
    landscape = load_landscape(config.landscape)
    controls = policy_controls(landscape, patterns)
    mutants = generate_mutants(controls)
    baseline = run_baseline(config, landscape)
    # Without a passing scenario every mutant would "survive": nothing is run instead.
    results = run_mutants(mutants, baseline, config, progress) if baseline.passed else []
    return Analysis(controls, mutants, baseline, results, time.perf_counter() - started)


def scratch_directory() -> Path:
    return Path(tempfile.mkdtemp(prefix="securecart-mutate-"))


def _sid(statement: dict[str, Any]) -> str | None:
    sid = statement.get("Sid")
    return sid if isinstance(sid, str) and sid else None


def _relative(file: Path, directory: Path) -> str:
    try:
        return file.resolve().relative_to(directory.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


__all__ = [
    "KINDS",
    "MUTATION_JSON",
    "NO_SCENARIO",
    "Analysis",
    "Baseline",
    "Config",
    "Control",
    "Mutant",
    "MutantResult",
    "Tally",
    "analyse",
    "generate_mutants",
    "judge",
    "mutated_landscape",
    "policy_controls",
    "reached_by",
    "report_json",
    "report_text",
    "run_baseline",
    "run_mutant",
    "run_mutants",
    "tally",
]
