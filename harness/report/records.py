"""What a run of the features leaves behind, as plain data: one `ScenarioResult` per scenario
(its feature, its steps and their outcomes and times) and one `SessionRecord` per pytest session.

The pytest plugin (`harness.report.pytest_collect`) writes them as JSON lines — the results
file — on the xdist controller as scenarios finish; every report writer reads them back from
there. Keeping them plain (no pytest-bdd objects) is what lets them cross from xdist workers to
the controller, and from the pytest process to `securecart run`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

StepStatus = Literal["passed", "failed", "skipped", "undefined"]
"""Cucumber's step statuses: `skipped` for steps never run (after a failure, or a skip),
`undefined` for a step with no step definition."""

Outcome = Literal["passed", "failed", "skipped"]

SCENARIO, SESSION = "scenario", "session"


@dataclass(slots=True)
class FeatureInfo:
    """The feature a scenario belongs to. `uri` is the file relative to pytest's rootdir."""

    uri: str
    name: str
    keyword: str = "Feature"
    description: str = ""
    line: int = 1
    tags: list[str] = field(default_factory=list)
    language: str = "en"


@dataclass(slots=True)
class StepResult:
    """One step as run. `started`/`stopped` are epoch seconds (None when it never ran): the
    decision log's times are placed into steps by them."""

    keyword: str
    name: str
    line: int
    type: str = ""
    status: StepStatus = "skipped"
    duration: float = 0.0
    started: float | None = None
    stopped: float | None = None
    error: str | None = None
    rows: list[list[str]] = field(default_factory=list)
    docstring: str | None = None


@dataclass(slots=True)
class ScenarioResult:
    """One scenario (one example row of an outline) and how it went.

    `example` holds the outline's example values; `example_index` its row (orders rows the way
    the feature lists them); `error` the full failure text of pytest (setup, call or teardown),
    `setup_duration` the setup phase (the first scenario of a worker sets the backend up).
    """

    nodeid: str
    feature: FeatureInfo
    name: str
    line: int
    keyword: str = "Scenario"
    tags: list[str] = field(default_factory=list)
    description: str = ""
    example: dict[str, str] = field(default_factory=dict)
    example_index: int | None = None
    steps: list[StepResult] = field(default_factory=list)
    outcome: Outcome = "passed"
    error: str | None = None
    started: float = 0.0
    call_started: float | None = None
    stopped: float = 0.0
    setup_duration: float = 0.0
    call_duration: float = 0.0
    worker: str = "main"

    @property
    def title(self) -> str:
        """The scenario's name with its example values, as progress lines and tables show it."""
        if not self.example:
            return self.name
        return f"{self.name} [{', '.join(self.example.values())}]"

    @property
    def failed_step(self) -> StepResult | None:
        return next((step for step in self.steps if step.status in ("failed", "undefined")), None)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Feature file, then place in it: the order a reader of the features expects, whatever
        order xdist workers finished in."""
        return (self.feature.uri, self.line, self.example_index or 0, self.nodeid)

    def to_json(self) -> dict[str, Any]:
        return {"kind": SCENARIO, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScenarioResult:
        values = {key: value for key, value in data.items() if key != "kind"}
        values["feature"] = FeatureInfo(**values["feature"])
        values["steps"] = [StepResult(**step) for step in values.get("steps", [])]
        return cls(**values)


@dataclass(slots=True)
class SessionRecord:
    """A pytest session as the controller saw it (epoch seconds; `exitstatus` None while it
    runs)."""

    started: float
    finished: float | None = None
    exitstatus: int | None = None
    workers: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"kind": SESSION, **asdict(self)}


@dataclass(slots=True)
class Results:
    scenarios: list[ScenarioResult]
    session: SessionRecord | None

    @property
    def ordered(self) -> list[ScenarioResult]:
        return sorted(self.scenarios, key=ScenarioResult.sort_key)


def parse_line(line: str) -> ScenarioResult | SessionRecord | None:
    """One line of a results file; None for a blank or foreign line (never raises on a
    half-written last line, which a reader tailing the file may see)."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("kind") == SCENARIO:
        return ScenarioResult.from_json(data)
    if data.get("kind") == SESSION:
        return SessionRecord(**{k: v for k, v in data.items() if k != "kind"})
    return None


def read_results(path: Path) -> Results:
    """The scenarios of a results file, and its last session record."""
    scenarios: list[ScenarioResult] = []
    session: SessionRecord | None = None
    for item in _parsed(path.read_text(encoding="utf-8").splitlines()):
        if isinstance(item, ScenarioResult):
            scenarios.append(item)
        else:
            session = item
    return Results(scenarios, session)


def _parsed(lines: Iterable[str]) -> Iterator[ScenarioResult | SessionRecord]:
    for line in lines:
        item = parse_line(line)
        if item is not None:
            yield item
