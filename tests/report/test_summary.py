"""What `securecart run` prints: progress lines, the summary table, the timings."""

from __future__ import annotations

import pytest

from harness.landscape.model import Landscape
from harness.report.decisions import CallDecision
from harness.report.policy_map import PolicyMap
from harness.report.records import Results, ScenarioResult
from harness.report.summary import compute_timings, progress_line, summary_text

from . import samples


def by_scenario() -> dict[str | None, list[CallDecision]]:
    grouped: dict[str | None, list[CallDecision]] = {}
    for call in samples.calls():
        grouped.setdefault(call.scenario, []).append(call)
    return grouped


def test_progress_lines() -> None:
    failing, outline = samples.scenarios()[:2]
    assert progress_line(failing) == (
        "✘ Developers sign in through the identity provider and read non-production › "
        "Read-only developers cannot read secrets even in dev  (3.5 s)")
    assert progress_line(outline, unicode=False).startswith(
        "+ Destructive actions are blocked in production, even for administrators > "
        "An administrator cannot destroy production resources [dynamodb, DeleteTable]")


def test_the_summary_names_the_statement_behind_each_denial(landscape: Landscape) -> None:
    scenarios = Results(samples.scenarios(), None).ordered
    text = summary_text(scenarios, by_scenario(), PolicyMap(landscape), width=200)
    lines = text.splitlines()
    assert "Destructive actions are blocked in production, even for administrators" in lines
    assert ("             s3:DeleteBucket: SCP deny-destructive-actions-in-prod › "
            "DenyDestructiveActionsInProd") in lines
    assert ("             secretsmanager:GetSecretValue: permission set DeveloperReadOnly "
            "(inline policy) › NoReadingSecretValues") in lines
    assert ("             s3:PutObject: implicit deny (no identity-based policy allows it)"
            in lines)
    # The same denial twice in a scenario is listed once; allowed calls not at all.
    assert sum("s3:ListBucket: implicit deny" in line for line in lines) == 1
    assert not any("ReadOnlyAccess" in line for line in lines)
    assert "  ✘ failed  Read-only developers cannot read secrets even in dev" in lines
    assert "    at Then the request is allowed (line 28)" in lines
    assert lines[-1] == "6 scenarios: 3 passed, 2 failed, 1 skipped"


def test_narrow_terminals_wrap_denials_and_cut_titles(landscape: Landscape) -> None:
    scenarios = Results(samples.scenarios(), None).ordered
    lines = summary_text(scenarios, by_scenario(), PolicyMap(landscape), width=80).splitlines()
    table = lines[: lines.index("Failures:")]
    assert max(len(line) for line in table) <= 100
    assert any(line.endswith("…") for line in table)


def test_timings() -> None:
    scenarios = samples.scenarios()
    timings = compute_timings(launched=samples.T0 - 8, exited=samples.T0 + 62, reports=0.5,
                              scenarios=scenarios, calls=samples.calls())
    assert timings.ready == 8.0  # to the first scenario's first step
    assert timings.scenarios == pytest.approx(60.01)  # first step → last scenario's end
    assert timings.shutdown == pytest.approx(1.99)
    assert timings.backend_setup == 0.5  # the longest first setup of a worker
    assert (timings.calls, timings.calls_in_scenarios, timings.denied) == (7, 6, 5)
    assert timings.total == 70.5
    assert "7 AWS calls (5 denied)" in timings.line()
    assert "reports in 0.5 s" in timings.line()


def test_a_run_where_everything_fails_explains_a_few(landscape: Landscape) -> None:
    failing = samples.scenarios()[0]
    many = []
    for index in range(25):
        copy = ScenarioResult.from_json(failing.to_json())
        copy.nodeid, copy.line = f"{failing.nodeid}{index}", index
        many.append(copy)
    lines = summary_text(many, {}, PolicyMap(landscape)).splitlines()
    assert sum(line.startswith("    at Then") for line in lines) == 20
    assert ("  … and 5 more failed scenarios (all of them in the HTML report and pytest.log)"
            in lines)
