"""What `securecart run` prints: a progress line per finished scenario, then a table (feature,
scenario, outcome, and for each denied call the policy statement that decided it), the failures,
the counts and where the time went."""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import groupby
from typing import Any

from harness.report.decisions import CallDecision
from harness.report.policy_map import PolicyMap
from harness.report.records import ScenarioResult

MARKS = {"passed": "✔", "failed": "✘", "skipped": "–"}
ASCII_MARKS = {"passed": "+", "failed": "x", "skipped": "-"}
MAX_FAILURES = 20
"""Failures explained in the terminal; a run where everything fails (the backend did not
start) needs one or two to see why, not a hundred."""


@dataclass(frozen=True, slots=True)
class Timings:
    """Wall-clock seconds of a run's parts, and what it did.

    `ready`: from starting pytest to the first scenario's first step — interpreter, collection,
    xdist workers, backend start and seed; `backend_setup`: the longest first-scenario setup of a
    worker (session fixtures — the backend start and seed — are set up there); `scenarios`: first
    scenario start to last scenario end; `shutdown`: from there to pytest's exit; `reports`:
    writing the reports."""

    ready: float
    backend_setup: float
    scenarios: float
    shutdown: float
    reports: float | None
    """None until the reports are written (the HTML is one of them)."""
    total: float
    scenario_count: int
    calls: int
    calls_in_scenarios: int
    denied: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        reports = f"reports in {self.reports:.1f} s, " if self.reports is not None else ""
        return (
            f"ready in {self.ready:.1f} s (backend start and seed {self.backend_setup:.1f} s), "
            f"{self.scenario_count} scenarios in {self.scenarios:.1f} s, "
            f"shutdown {self.shutdown:.1f} s, {reports}"
            f"total {self.total:.1f} s; {self.calls} AWS calls ({self.denied} denied)"
        )


def compute_timings(*, launched: float, exited: float, reports: float | None,
                    scenarios: list[ScenarioResult], calls: list[CallDecision]) -> Timings:
    starts = [s.call_started for s in scenarios if s.call_started]
    first = min(starts, default=exited)
    last = max((s.stopped for s in scenarios if s.stopped), default=first)
    first_setup: dict[str, tuple[float, float]] = {}
    for scenario in scenarios:
        known = first_setup.get(scenario.worker)
        if scenario.started and (known is None or scenario.started < known[0]):
            first_setup[scenario.worker] = (scenario.started, scenario.setup_duration)
    return Timings(
        ready=max(0.0, first - launched),
        backend_setup=max((setup for _, setup in first_setup.values()), default=0.0),
        scenarios=max(0.0, last - first),
        shutdown=max(0.0, exited - last),
        reports=reports,
        total=max(0.0, exited - launched) + (reports or 0.0),
        scenario_count=len(scenarios),
        calls=len(calls),
        calls_in_scenarios=sum(1 for call in calls if call.scenario),
        denied=sum(1 for call in calls if not call.allowed),
    )


def outcome_counts(scenarios: list[ScenarioResult]) -> dict[str, int]:
    """Scenarios by outcome, in the order the outcomes first occur (run.json's `outcomes`)."""
    counts: dict[str, int] = {}
    for scenario in scenarios:
        counts[scenario.outcome] = counts.get(scenario.outcome, 0) + 1
    return counts


def progress_line(scenario: ScenarioResult, unicode: bool = True) -> str:
    mark = (MARKS if unicode else ASCII_MARKS).get(scenario.outcome, "?")
    arrow = "›" if unicode else ">"
    seconds = scenario.setup_duration + scenario.call_duration
    return f"{mark} {scenario.feature.name} {arrow} {scenario.title}  ({seconds:.1f} s)"


def denial_lines(calls: list[CallDecision], policy_map: PolicyMap | None) -> list[str]:
    """One line per distinct denial: the call, and what decided it."""
    lines: list[str] = []
    for call in calls:
        if call.allowed:
            continue
        line = f"{call.what}: {deciding_text(call, policy_map)}"
        if line not in lines:
            lines.append(line)
    return lines


def deciding_text(call: CallDecision, policy_map: PolicyMap | None) -> str:
    if call.decision == "refused":
        return f"refused ({call.error_code or 'no decision'})"
    if call.deciding:
        titles = [policy_map.resolve(ref).title if policy_map else f"{ref.policy} › {ref.statement}"
                  for ref in call.deciding]
        return "; ".join(dict.fromkeys(titles))
    if call.allowed:
        return "allowed"
    return f"implicit deny (no {call.denied_by or 'policy'} allows it)"


def summary_text(scenarios: list[ScenarioResult], calls: dict[str | None, list[CallDecision]],
                 policy_map: PolicyMap | None, width: int = 120, unicode: bool = True) -> str:
    """Scenarios grouped under their feature: outcome, name, and below each the denied calls
    with the statement that decided them."""
    width = max(width, 80)
    marks = MARKS if unicode else ASCII_MARKS
    out = ["Feature", "  outcome  scenario", "           denied call: deciding policy › statement",
           ("─" if unicode else "-") * min(width, 100)]
    for _uri, group in groupby(scenarios, key=lambda s: s.feature.uri):
        members = list(group)
        out.append(members[0].feature.name)
        for scenario in members:
            head = f"  {marks.get(scenario.outcome, '?')} {scenario.outcome:<7} "
            out.append(head + _fit(scenario.title, width - len(head)))
            for denial in denial_lines(calls.get(scenario.nodeid, []), policy_map):
                out += textwrap.wrap(denial, width, initial_indent=" " * 13,
                                     subsequent_indent=" " * 15, break_on_hyphens=False,
                                     break_long_words=False)
    failures = [s for s in scenarios if s.outcome == "failed"]
    if failures:
        out += ["", "Failures:"]
        out += [line for scenario in failures[:MAX_FAILURES]
                for line in failure_lines(scenario, unicode)]
        if len(failures) > MAX_FAILURES:
            out.append(f"  … and {len(failures) - MAX_FAILURES} more failed scenarios "
                       "(all of them in the HTML report and pytest.log)")
    counts = Counter(s.outcome for s in scenarios)
    out += ["", f"{len(scenarios)} scenarios: {counts['passed']} passed, {counts['failed']} "
                f"failed, {counts['skipped']} skipped"]
    return "\n".join(line.rstrip() for line in out)


def failure_lines(scenario: ScenarioResult, unicode: bool = True) -> list[str]:
    arrow = "›" if unicode else ">"
    lines = [f"  {scenario.feature.name} {arrow} {scenario.title}  ({scenario.nodeid})"]
    step = scenario.failed_step
    if step is not None:
        lines.append(f"    at {step.keyword.strip()} {step.name} (line {step.line})")
        message = step.error or ""
    else:
        message = scenario.error or ""
    lines += [f"      {text}" for text in message.strip().splitlines()[:6]]
    return lines


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
