"""The gateway's decision log (`harness.gateway.decision_log`), read back for the reports, and
each call placed into the scenario step that made it.

The step library writes one record per request the gateway decided (or refused), with the
pytest node id of the scenario running at the time (`scenario`). Which *step* made the call is
not logged; it is found by time: a step's `started`/`stopped` (recorded by the pytest plugin)
bracket the calls it made, and the log's `time` is the moment of the decision, in the same
process and clock.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.report.records import ScenarioResult

TIME_RESOLUTION = 0.001
"""The log's times are cut to milliseconds (`isoformat(timespec="milliseconds")`)."""


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement as the log names it: its policy (ARN or name), type, Sid or
    `Statement[i]`, effect."""

    policy: str
    type: str
    statement: str
    effect: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatementRef:
        return cls(str(data.get("policy", "")), str(data.get("type", "")),
                   str(data.get("statement", "")), str(data.get("effect", "")))


@dataclass(frozen=True, slots=True)
class CallDecision:
    """One logged request. `decision` is allowed / explicitDeny / implicitDeny / refused."""

    scenario: str | None
    time: float | None
    request_id: str
    principal: str | None
    service: str | None
    operation: str | None
    action: str | None
    resource: str | None
    decision: str
    denied_by: str | None
    deciding: tuple[StatementRef, ...]
    matched: tuple[StatementRef, ...]
    unmet: tuple[StatementRef, ...]
    """Statements that covered the action, resource and caller but whose Condition did not hold."""
    missing_keys: tuple[str, ...]
    message: str | None
    error_code: str | None
    simulated_matched: tuple[StatementRef, ...] = ()
    simulated_unmet: tuple[StatementRef, ...] = ()
    """For a policy-simulator call, `matched` and `unmet` of every decision it simulated."""

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @property
    def what(self) -> str:
        """The action, else the operation (a refused request may have no action)."""
        if self.action:
            return self.action
        if self.service and self.operation:
            return f"{self.service}:{self.operation}"
        return self.operation or "(unknown request)"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallDecision:
        return cls(
            scenario=data.get("scenario"),
            time=_epoch(data.get("time")),
            request_id=str(data.get("request_id", "")),
            principal=data.get("principal"),
            service=data.get("service"),
            operation=data.get("operation"),
            action=data.get("action"),
            resource=data.get("resource"),
            decision=str(data.get("decision", "")),
            denied_by=data.get("denied_by"),
            deciding=tuple(StatementRef.from_json(s) for s in data.get("deciding") or ()),
            matched=tuple(StatementRef.from_json(s) for s in data.get("matched") or ()),
            unmet=tuple(StatementRef.from_json(s) for s in data.get("unmet") or ()),
            simulated_matched=tuple(StatementRef.from_json(s) for d in data.get("simulated") or ()
                                    for s in d.get("matched") or ()),
            simulated_unmet=tuple(StatementRef.from_json(s) for d in data.get("simulated") or ()
                                  for s in d.get("unmet") or ()),
            missing_keys=tuple(data.get("missing_keys") or ()),
            message=data.get("message"),
            error_code=data.get("error_code"),
        )


@dataclass(frozen=True, slots=True)
class DecisionLog:
    records: tuple[CallDecision, ...]
    unreadable: int = 0
    """Lines that were not JSON objects (e.g. a line cut short by a killed run)."""

    def by_scenario(self) -> dict[str | None, list[CallDecision]]:
        grouped: dict[str | None, list[CallDecision]] = defaultdict(list)
        for record in self.records:
            grouped[record.scenario].append(record)
        return dict(grouped)


def read_decision_log(path: Path) -> DecisionLog:
    """The records of a decision log in file order; an absent file is an empty log (a run
    that made no call, or a step library that wrote none)."""
    if not path.is_file():
        return DecisionLog(())
    records: list[CallDecision] = []
    unreadable = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            unreadable += 1
            continue
        if isinstance(data, dict):
            records.append(CallDecision.from_json(data))
        else:
            unreadable += 1
    return DecisionLog(tuple(records), unreadable)


def calls_by_step(scenario: ScenarioResult, calls: list[CallDecision]
                  ) -> tuple[dict[int, list[CallDecision]], list[CallDecision]]:
    """The scenario's calls per step index, and those made outside any step (e.g. while
    fixtures set the scenario up). Calls without a time follow the one before them."""
    per_step: dict[int, list[CallDecision]] = defaultdict(list)
    outside: list[CallDecision] = []
    previous: int | None = None
    for call in calls:
        index = previous if call.time is None else step_at(scenario, call.time)
        if index is None:
            outside.append(call)
        else:
            per_step[index].append(call)
        previous = index
    return dict(per_step), outside


def step_at(scenario: ScenarioResult, logged: float) -> int | None:
    """The step running when a call logged at `logged` was decided. The log cuts times to
    the millisecond, so the call happened in [logged, logged + 1 ms): the step whose run
    overlaps that interval most (a step that ended, or began, inside it overlaps it less than
    the one that ran through it)."""
    low, high = logged, logged + TIME_RESOLUTION
    best, best_overlap = None, -1.0
    for index, step in enumerate(scenario.steps):
        if step.started is None:
            continue
        stopped = step.stopped if step.stopped is not None else float("inf")
        overlap = min(stopped, high) - max(step.started, low)
        if overlap >= 0 and overlap > best_overlap:
            best, best_overlap = index, overlap
    return best


def _epoch(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None
