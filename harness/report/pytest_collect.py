"""pytest plugin: record every pytest-bdd scenario — feature, steps, outcome, times — in whichever
process runs it, and gather the records in the one process that reports.

    python -m pytest features/ -p harness.report.pytest_collect \
        --securecart-results reports/results.jsonl --securecart-cucumber reports/cucumber.json

Why not pytest-bdd's own `--cucumberjson`: it keeps each scenario in a registry keyed by the
report *object*, which stays in the xdist worker; the controller receives a copy of the report
and finds nothing, so the file comes out empty under `-n`. Here the worker attaches the record
to the report itself (`report.securecart_scenario`, plain JSON data): pytest serialises every
attribute of a report for xdist (`_report_to_json` copies `report.__dict__`), so the record
travels with the report to the controller, where `pytest_runtest_logreport` sees it — in the
same way with or without xdist, and as each scenario finishes (the progress of `securecart run`
is read from the results file as it grows).

Options: `--securecart-results PATH` (JSON lines, see `harness.report.records`),
`--securecart-cucumber PATH`, `--securecart-junit PATH` (written at the end of the session;
missing folders are created).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pytest
from pytest_bdd.parser import Feature, Scenario, Step
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness.report.records import (
    FeatureInfo,
    Outcome,
    ScenarioResult,
    SessionRecord,
    StepResult,
    StepStatus,
)

REPORT_ATTRIBUTE = "securecart_scenario"
EXAMPLE_PARAM = "_pytest_bdd_example"  # pytest-bdd's parameter for an outline's example row
PLUGIN_NAME = "securecart-scenario-collector"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("securecart", "SecureCart scenario reports (xdist-safe)")
    group.addoption("--securecart-results", metavar="PATH", default=None,
                    help="write each finished scenario as a JSON line to PATH")
    group.addoption("--securecart-cucumber", metavar="PATH", default=None,
                    help="write cucumber JSON to PATH at the end (correct under xdist)")
    group.addoption("--securecart-junit", metavar="PATH", default=None,
                    help="write JUnit XML (a test case per scenario) to PATH at the end")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ScenarioCollector(config), PLUGIN_NAME)


# --------------------------------------------------------------------------- worker side


@dataclass
class _Recording:
    """A scenario being run in this process; `cursor` is the step pytest-bdd is at."""

    scenario: ScenarioResult
    cursor: int = 0

    def step(self) -> StepResult | None:
        steps = self.scenario.steps
        return steps[self.cursor] if self.cursor < len(steps) else None


def _feature_info(feature: Feature, rootpath: Path) -> FeatureInfo:
    try:
        uri = os.path.relpath(feature.filename, rootpath)
    except ValueError:  # another drive (Windows): keep pytest-bdd's own relative name
        uri = feature.rel_filename
    return FeatureInfo(
        uri=Path(uri).as_posix(),
        name=feature.name,
        keyword=feature.keyword,
        description=feature.description,
        line=feature.line_number,
        tags=sorted(feature.tags),
        language=feature.language,
    )


def _step_result(step: Step) -> StepResult:
    rows = step.datatable.raw() if step.datatable else []
    return StepResult(
        keyword=step.keyword,
        name=step.name,
        line=step.line_number,
        type=step.type,
        rows=[[str(cell) for cell in row] for row in rows],
        docstring=step.docstring,
    )


def _scenario_result(item: pytest.Item, scenario: Scenario) -> ScenarioResult:
    callspec = getattr(item, "callspec", None)
    example: dict[str, str] = dict(callspec.params.get(EXAMPLE_PARAM, {})) if callspec else {}
    index = callspec.indices.get(EXAMPLE_PARAM) if callspec else None
    return ScenarioResult(
        nodeid=item.nodeid,
        feature=_feature_info(scenario.feature, item.config.rootpath),
        name=scenario.name,
        line=scenario.line_number,
        keyword=scenario.keyword,
        tags=sorted(scenario.tags),
        description=scenario.description,
        example={str(k): str(v) for k, v in example.items()},
        example_index=index,
        steps=[_step_result(step) for step in scenario.steps],
        worker=os.environ.get("PYTEST_XDIST_WORKER", "main"),
    )


def _template_scenario(item: pytest.Item) -> Scenario | None:
    """The scenario of a pytest-bdd item as pytest-bdd will render it — known before it runs,
    so that a scenario whose setup fails (the backend did not start) is still reported."""
    function = getattr(item, "obj", None)
    if function is None:
        return None
    try:
        template = scenario_wrapper_template_registry.get(function)
    except TypeError:  # an unhashable test object: not a pytest-bdd scenario
        return None
    if template is None:
        return None
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get(EXAMPLE_PARAM, {}) if callspec else {}
    return template.render(example)


class ScenarioCollector:
    """Registered in every process. Workers (and a run without xdist) record scenarios
    through pytest-bdd's hooks; the controller (and a run without xdist) gathers them from the
    reports and writes the files."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        self._recordings: dict[str, _Recording] = {}
        self._pending: dict[str, _Pending] = {}
        self.results: list[ScenarioResult] = []
        self._stream: TextIO | None = None
        self._session: SessionRecord | None = None

    # ---- pytest-bdd hooks (the process running the scenario)

    def _recording(self, item: pytest.Item, scenario: Scenario | None = None) -> _Recording | None:
        recording = self._recordings.get(item.nodeid)
        if recording is None:
            scenario = scenario or _template_scenario(item)
            if scenario is None:
                return None
            recording = _Recording(_scenario_result(item, scenario))
            self._recordings[item.nodeid] = recording
        return recording

    @pytest.hookimpl
    def pytest_bdd_before_scenario(self, request: pytest.FixtureRequest,
                                   scenario: Scenario) -> None:
        # The rendered scenario pytest-bdd runs is the authority on the steps.
        item = request.node
        assert isinstance(item, pytest.Item)
        self._recordings.pop(item.nodeid, None)
        self._recording(item, scenario)

    @pytest.hookimpl
    def pytest_bdd_before_step(self, request: pytest.FixtureRequest) -> None:
        step = self._current(request)
        if step is not None:
            step.started = time.time()

    @pytest.hookimpl
    def pytest_bdd_after_step(self, request: pytest.FixtureRequest) -> None:
        self._finish_step(request, "passed", None)

    @pytest.hookimpl
    def pytest_bdd_step_error(self, request: pytest.FixtureRequest,
                              exception: BaseException) -> None:
        self._finish_step(request, "failed", _short_error(exception))

    @pytest.hookimpl
    def pytest_bdd_step_func_lookup_error(self, request: pytest.FixtureRequest,
                                          exception: BaseException) -> None:
        self._finish_step(request, "undefined", _short_error(exception))

    def _current(self, request: pytest.FixtureRequest) -> StepResult | None:
        item = request.node
        recording = self._recordings.get(item.nodeid)
        return recording.step() if recording else None

    def _finish_step(self, request: pytest.FixtureRequest, status: StepStatus,
                     error: str | None) -> None:
        recording = self._recordings.get(request.node.nodeid)
        step = recording.step() if recording else None
        if recording is None or step is None:
            return
        now = time.time()
        step.started = step.started if step.started is not None else now
        step.stopped = now
        step.duration = now - step.started
        step.status = status
        step.error = error
        recording.cursor += 1

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        recording = self._recording(item)
        if recording is not None:
            setattr(report, REPORT_ATTRIBUTE, asdict(recording.scenario))
            if report.when == "teardown":
                del self._recordings[item.nodeid]
        return report

    # ---- the controller (or the only process)

    @pytest.hookimpl
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.is_worker:
            return
        self._session = SessionRecord(started=time.time(), workers=_workers(self.config))
        path = self.config.getoption("securecart_results")
        if path:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            self._stream = target.open("w", encoding="utf-8")
            self._write(self._session.to_json())

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, REPORT_ATTRIBUTE, None)
        if self.is_worker or not isinstance(data, dict):
            return
        pending = self._pending.setdefault(report.nodeid, _Pending(data))
        pending.scenario = data
        pending.phases[report.when or "call"] = _Phase(
            report.outcome, report.duration, report.start, report.stop,
            _phase_text(report),
        )
        if report.when == "teardown":
            self._finish(report.nodeid)

    def _finish(self, nodeid: str) -> None:
        result = self._pending.pop(nodeid).result()
        self.results.append(result)
        self._write(result.to_json())

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            return
        for nodeid in list(self._pending):  # a crashed worker sends no teardown report
            self._finish(nodeid)
        if self._session is not None:
            self._session.finished = time.time()
            self._session.exitstatus = int(exitstatus)
            self._write(self._session.to_json())
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        self._write_reports()

    def _write_reports(self) -> None:
        from harness.report.cucumber import write_cucumber
        from harness.report.junit import write_junit

        ordered = sorted(self.results, key=ScenarioResult.sort_key)
        cucumber = self.config.getoption("securecart_cucumber")
        if cucumber:
            write_cucumber(ordered, Path(cucumber))
        junit = self.config.getoption("securecart_junit")
        if junit:
            write_junit(ordered, Path(junit))

    def _write(self, record: dict[str, Any]) -> None:
        if self._stream is not None:
            # Flushed line by line: `securecart run` reads the file as it grows.
            self._stream.write(json.dumps(record) + "\n")
            self._stream.flush()


@dataclass(frozen=True, slots=True)
class _Phase:
    outcome: str
    duration: float
    start: float
    stop: float
    error: str


@dataclass
class _Pending:
    """A scenario on the controller, between its setup report and its teardown report."""

    scenario: dict[str, Any]
    phases: dict[str, _Phase] = field(default_factory=dict)

    def result(self) -> ScenarioResult:
        result = ScenarioResult.from_json(self.scenario)
        phases = self.phases
        setup, call = phases.get("setup"), phases.get("call")
        result.outcome = _outcome(list(phases.values()))
        result.error = "\n\n".join(
            f"[{when}] {phase.error}" if when != "call" else phase.error
            for when, phase in phases.items() if phase.error
        ) or None
        result.started = min((p.start for p in phases.values()), default=0.0)
        result.stopped = max((p.stop for p in phases.values()), default=0.0)
        result.setup_duration = setup.duration if setup else 0.0
        result.call_started = call.start if call else None
        result.call_duration = call.duration if call else 0.0
        for step in result.steps:
            if step.started is not None and step.stopped is None:
                # Interrupted inside the step (pytest.skip, or an error pytest-bdd does not
                # report through its hooks): it took the scenario's outcome.
                step.status = "skipped" if result.outcome == "skipped" else "failed"
                step.stopped = result.stopped
                step.duration = max(0.0, result.stopped - step.started)
        return result


def _outcome(phases: list[_Phase]) -> Outcome:
    if any(phase.outcome == "failed" for phase in phases):
        return "failed"
    if any(phase.outcome == "skipped" for phase in phases):
        return "skipped"
    return "passed"


def _phase_text(report: pytest.TestReport) -> str:
    """pytest's failure text, or the reason of a skip (its longrepr is (file, line, reason))."""
    if report.failed:
        return report.longreprtext
    if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2])
    return ""


def _short_error(exception: BaseException) -> str:
    text = str(exception).strip()
    return f"{type(exception).__name__}: {text}" if text else type(exception).__name__


def _workers(config: pytest.Config) -> int:
    """xdist's worker count (0 without xdist, or before `-n auto` is resolved)."""
    value = config.getoption("numprocesses", None)
    return value if isinstance(value, int) else 0
