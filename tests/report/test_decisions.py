"""The decision log read back, and each call placed into the step that made it."""

from __future__ import annotations

from pathlib import Path

from harness.report.decisions import CallDecision, calls_by_step, read_decision_log, step_at
from harness.report.records import FeatureInfo, ScenarioResult

from . import samples


def scenario_with_steps(*windows: tuple[float, float] | None) -> ScenarioResult:
    steps = [samples.step("When", f"step {i}", i, None if w is None else w[0],
                          seconds=0 if w is None else w[1] - w[0])
             for i, w in enumerate(windows)]
    return ScenarioResult(nodeid="n", feature=FeatureInfo(uri="f", name="F"), name="S", line=1,
                          steps=steps)


def test_records_are_read_in_order_and_bad_lines_counted(decision_log_file: Path) -> None:
    with decision_log_file.open("a", encoding="utf-8") as stream:
        stream.write("\n{not json\n[]\n")
    log = read_decision_log(decision_log_file)
    assert len(log.records) == len(samples.log_records())
    assert log.unreadable == 2
    first = log.records[1]
    assert first.action == "s3:DeleteBucket" and first.decision == "explicitDeny"
    assert first.deciding[0].statement == "DenyDestructiveActionsInProd"
    assert first.time is not None and abs(first.time - (samples.T0 + 1.02)) < 0.001
    by_scenario = log.by_scenario()
    assert len(by_scenario[None]) == 1
    assert len(by_scenario["features/developer_access/test_dev.py::test_list"]) == 3


def test_an_absent_log_is_empty(tmp_path: Path) -> None:
    assert read_decision_log(tmp_path / "none.jsonl").records == ()


def test_a_refused_request_is_named_by_its_operation() -> None:
    refused = CallDecision.from_json({"decision": "refused", "service": "s3",
                                      "operation": "GetObject", "action": None,
                                      "error_code": "SignatureDoesNotMatch"})
    assert refused.what == "s3:GetObject" and not refused.allowed


def test_a_call_goes_to_the_step_that_ran_through_its_millisecond() -> None:
    scenario = scenario_with_steps((10.0, 10.5), (10.5004, 11.0), (11.0002, 12.0))
    assert step_at(scenario, 10.2) == 0
    # Logged as 10.500 (cut from 10.5000..10.5009): step 1 ran through most of that ms.
    assert step_at(scenario, 10.500) == 1
    # Logged as 11.000: step 2 began 0.2 ms into that ms and covers the rest of it.
    assert step_at(scenario, 11.000) == 2
    assert step_at(scenario, 9.0) is None  # before the first step (fixtures)


def test_calls_by_step_keeps_calls_outside_steps_apart() -> None:
    scenario = samples.scenarios()[3]  # "Developers list artifacts": When at T0+41
    calls = [c for c in samples.calls() if c.scenario == scenario.nodeid]
    early = CallDecision.from_json({**samples.log_records()[4], "time":
                                    "2027-01-15T08:00:00.000+00:00"})
    untimed = CallDecision.from_json({**samples.log_records()[4], "time": None})
    per_step, outside = calls_by_step(scenario, [early, *calls, untimed])
    assert outside == [early]
    assert [c.action for c in per_step[1]] == ["s3:ListBucket", "s3:PutObject",
                                               "s3:ListBucket", "s3:ListBucket"]
