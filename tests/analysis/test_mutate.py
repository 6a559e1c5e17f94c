"""`securecart mutate` (harness.analysis.mutate): the mutants of the canonical landscape, the
verdicts, the reports — and one real run on the order-events topic policy (slow)."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.mutate import (
    NEVER_ACCOUNT,
    NEVER_CONDITION,
    NO_SCENARIO,
    Baseline,
    Config,
    Kind,
    Mutant,
    generate_mutants,
    judge,
    mutated_landscape,
    policy_controls,
    reached_by,
    report_json,
    report_text,
    run_mutant,
    run_mutants,
)
from harness.commands import mutate as mutate_command
from harness.commands.main import main
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.report.decisions import CallDecision, DecisionLog, StatementRef
from harness.report.mutation_coverage import mutation_section
from harness.runner.repository import CANONICAL, FEATURES
from harness.runner.scenario_runs import Outcome, RunError
from harness.runner.selection import Nodes

ORDER_EVENTS = "policies/resources/sns/order-events.json"
FULL_AWS_ACCESS = "policies/scp/full-aws-access.json"
VENDOR_NODE = "features/vendor/order_events.feature::test_the_vendor_publishes_to_orderevents"
_REACHED: dict[tuple[str, str, Kind], tuple[str, ...]] = {
    (ORDER_EVENTS, sid, kind): (VENDOR_NODE,)
    for sid in ("OwnerAccountManagesTheTopic", "VendorMayPublish",
                "NobodyElseOutsideTheOrganization")
    for kind in ("remove-statement", "drop-condition")
}


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return load_landscape(CANONICAL)


def _statements(file: Path) -> list[dict[str, Any]]:
    statements = json.loads(file.read_text(encoding="utf-8"))["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


# --------------------------------------------------------------------------- generation


def test_every_policy_file_but_aws_full_access_is_a_control(landscape: Landscape) -> None:
    files = {c.file for c in policy_controls(landscape)}
    on_disk = {p.relative_to(CANONICAL).as_posix()
               for p in (CANONICAL / "policies").rglob("*.json")}
    assert files == on_disk - {FULL_AWS_ACCESS}


def test_mutant_counts_per_kind(landscape: Landscape) -> None:
    controls = policy_controls(landscape)
    mutants = generate_mutants(controls)
    kinds = Counter(m.kind for m in mutants)
    statements = [s for c in controls for s in _statements(CANONICAL / c.file)]
    assert kinds["remove-statement"] == len(statements)
    assert kinds["drop-condition"] == sum(1 for s in statements if "Condition" in s)
    sole = [m for m in mutants if m.sole]
    assert {m.control for m in sole} == {c.file for c in controls if len(c.statements) == 1}
    assert len({m.id for m in mutants}) == len(mutants)
    # The canonical landscape as of this test's writing: 29 policy files, 105 mutants.
    assert (len(controls), len(mutants)) >= (29, 105)


def test_policy_patterns_select_by_stem_path_glob_and_name(landscape: Landscape) -> None:
    def files(*patterns: str) -> list[str]:
        return [c.file for c in policy_controls(landscape, patterns)]

    assert files("order-events") == [ORDER_EVENTS]
    assert files("policies/resources/sns/*.json") == [ORDER_EVENTS]
    assert files("arn:aws:sns:*:order-events") == [ORDER_EVENTS]
    assert set(files("policies/trust/*")) == {
        c.file for c in policy_controls(landscape) if c.file.startswith("policies/trust/")}
    assert files("no-such-policy") == []
    mutants = generate_mutants(policy_controls(landscape, ["order-events"]))
    assert [(m.statement, m.kind) for m in mutants] == [
        ("OwnerAccountManagesTheTopic", "remove-statement"),
        ("VendorMayPublish", "remove-statement"),
        ("NobodyElseOutsideTheOrganization", "remove-statement"),
        ("NobodyElseOutsideTheOrganization", "drop-condition"),
    ]


def test_every_mutant_changes_its_file_and_the_landscape_still_loads(
    landscape: Landscape, tmp_path: Path
) -> None:
    for number, mutant in enumerate(generate_mutants(policy_controls(landscape))):
        directory = tmp_path / str(number)
        copy = mutated_landscape(mutant, CANONICAL, directory)
        load_landscape(copy)  # raises InvalidLandscape when the mutant broke the grammar
        before, after = _statements(CANONICAL / mutant.control), _statements(copy / mutant.control)
        if mutant.kind == "drop-condition":
            assert len(after) == len(before)
            assert "Condition" in before[mutant.index]
            assert "Condition" not in after[mutant.index]
            assert {k: v for k, v in before[mutant.index].items() if k != "Condition"} == \
                after[mutant.index]
        elif mutant.sole:
            operator, key = NEVER_CONDITION
            assert len(after) == 1
            assert after[0]["Condition"][operator][key] == NEVER_ACCOUNT
        else:
            assert len(after) == len(before) - 1
            assert before[mutant.index] not in after
        others = [p for p in copy.rglob("*") if p.is_file() and p != copy / mutant.control]
        assert all(p.read_bytes() == (CANONICAL / p.relative_to(copy)).read_bytes()
                   for p in others)


# --------------------------------------------------------------------------- the baseline's log


def _call(scenario: str, *refs: StatementRef, unmet: tuple[StatementRef, ...] = ()
          ) -> CallDecision:
    return CallDecision(
        scenario=scenario, time=None, request_id="r", principal=None, service="sns",
        operation="Publish", action="sns:Publish", resource=None, decision="allowed",
        denied_by=None, deciding=refs[:1], matched=refs[1:], unmet=unmet, missing_keys=(),
        message=None, error_code=None,
    )


TOPIC_PUBLISH = StatementRef("arn:aws:sns:us-east-1:666666666666:order-events resource policy",
                             "resource-based policy", "VendorMayPublish", "Allow")
TOPIC_OUTSIDERS = StatementRef(
    "arn:aws:sns:us-east-1:666666666666:order-events resource policy", "resource-based policy",
    "NobodyElseOutsideTheOrganization", "Deny")


def test_reached_by_maps_the_logged_statements_to_what_each_mutant_changes(
    landscape: Landscape
) -> None:
    root_scp = StatementRef("arn:aws:organizations::111111111111:policy/o-x/"
                            "service_control_policy/p-abc", "service control policy",
                            "DenyRootUser", "Deny")
    foreign = StatementRef("arn:aws:iam::aws:policy/ReadOnlyAccess", "identity-based policy",
                           "Statement[0]", "Allow")
    scp_file = next(c.file for c in policy_controls(landscape, ["deny-root-user"]))
    log = DecisionLog((
        _call("a", TOPIC_PUBLISH, root_scp),
        _call("b", foreign, TOPIC_PUBLISH, unmet=(TOPIC_OUTSIDERS,)),
        _call("failed", TOPIC_PUBLISH, unmet=(root_scp,)),
    ))
    found = reached_by(landscape, log, passed=["a", "b"])
    assert found == {
        (ORDER_EVENTS, "VendorMayPublish", "remove-statement"): ("a", "b"),
        (scp_file, "DenyRootUser", "remove-statement"): ("a",),
        # The condition kept the call out: dropping it is what changes b's decision.
        (ORDER_EVENTS, "NobodyElseOutsideTheOrganization", "drop-condition"): ("b",),
    }
    baseline = Baseline(("a", "b"), (), found, 0.0)
    mutants = {m.id: m for m in generate_mutants(policy_controls(landscape, ["order-events"]))}
    assert baseline.scenarios_for(
        mutants[f"{ORDER_EVENTS}#NobodyElseOutsideTheOrganization:drop-condition"]) == ("b",)
    # Removing a statement that kept nobody out changes no decision: nothing to run.
    assert baseline.scenarios_for(
        mutants[f"{ORDER_EVENTS}#NobodyElseOutsideTheOrganization:remove-statement"]) == ()
    assert baseline.exercising(ORDER_EVENTS) == ("a", "b")


def test_a_simulation_reaches_the_statements_it_simulated(landscape: Landscape) -> None:
    simulation = replace(_call("sim"), deciding=(), simulated_matched=(TOPIC_PUBLISH,),
                         simulated_unmet=(TOPIC_OUTSIDERS,))
    assert reached_by(landscape, DecisionLog((simulation,)), passed=["sim"]) == {
        (ORDER_EVENTS, "VendorMayPublish", "remove-statement"): ("sim",),
        (ORDER_EVENTS, "NobodyElseOutsideTheOrganization", "drop-condition"): ("sim",),
    }


def test_the_engine_names_the_statements_a_condition_kept_out() -> None:
    from harness.iam import Caller, ContextKeys, PolicySet, Request, evaluate, parse_policy
    from harness.iam.context import PrincipalKind
    from harness.iam.policy import PolicyType

    policy = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "OnlyWithMfa", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "OtherAction", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Sid": "OtherResource", "Effect": "Deny", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::elsewhere/*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
    ]}, PolicyType.IDENTITY, name="p")
    caller = Caller(kind=PrincipalKind.USER, arn="arn:aws:iam::111111111111:user/u",
                    account="111111111111")
    keys = ContextKeys({"aws:MultiFactorAuthPresent": "false"})
    decision = evaluate(Request(caller=caller, action="s3:GetObject",
                                resource="arn:aws:s3:::b/k", resource_account="111111111111",
                                keys=keys), PolicySet(identity=(policy,)))
    assert not decision.allowed
    assert [s.statement for s in decision.unmet] == ["OnlyWithMfa"]
    assert decision.matched == ()


# --------------------------------------------------------------------------- verdicts


def _config(tmp_path: Path) -> Config:
    return Config(landscape=CANONICAL, features=FEATURES, work=tmp_path, workers=2)


def _mutant(landscape: Landscape) -> Mutant:
    """The order-events topic policy without VendorMayPublish."""
    return next(m for m in generate_mutants(policy_controls(landscape, ["order-events"]))
                if m.statement == "VendorMayPublish")


def test_a_policy_no_scenario_exercises_survives_without_a_run(
    landscape: Landscape, tmp_path: Path
) -> None:
    def runner(nodes: Nodes, landscape: Path, work: Path) -> Outcome:
        raise AssertionError("no run expected")

    mutants = generate_mutants(policy_controls(landscape, ["order-events", "deny-root-user"]))
    baseline = Baseline(passed=(VENDOR_NODE,), not_passed=(), reached={}, seconds=0.0)
    results = run_mutants(mutants, baseline, _config(tmp_path), runner=runner)
    assert [r.status for r in results] == ["survived"] * len(mutants)
    assert {r.reason for r in results} == set(NO_SCENARIO.values())
    assert not (tmp_path / "mutants").exists()


def test_a_failing_scenario_kills_the_mutant_and_a_passing_run_survives(
    landscape: Landscape, tmp_path: Path
) -> None:
    mutant = _mutant(landscape)
    baseline = Baseline((VENDOR_NODE,), (), _REACHED, 0.0)
    seen: list[tuple[Nodes, Path]] = []
    name = "order_events::test_the_vendor_publishes_to_orderevents"

    def failing(nodes: Nodes, landscape: Path, work: Path) -> Outcome:
        seen.append((nodes, landscape))
        assert "VendorMayPublish" not in (landscape / ORDER_EVENTS).read_text("utf-8")
        return Outcome("1 failed", failed=(name,), messages={name: "AccessDenied"})

    killed = run_mutant(mutant, baseline, _config(tmp_path), tmp_path / "k", failing)
    assert killed.status == "killed" and killed.failed == (name,)
    assert seen[0][0] == Nodes((VENDOR_NODE,))
    assert not (tmp_path / "k" / "landscape").exists()  # removed after the run

    def passing(nodes: Nodes, landscape: Path, work: Path) -> Outcome:
        return Outcome("1 passed", passed=(name,))

    survived = run_mutant(mutant, baseline, _config(tmp_path), tmp_path / "s", passing)
    assert survived.status == "survived" and survived.scenarios == (VENDOR_NODE,)
    assert "ran and passed" in survived.reason


def test_errors_are_not_kills(landscape: Landscape, tmp_path: Path) -> None:
    mutant = _mutant(landscape)
    baseline = Baseline((VENDOR_NODE,), (), _REACHED, 0.0)

    def no_report(nodes: Nodes, landscape: Path, work: Path) -> Outcome:
        raise RunError("the scenario run wrote no report (exit 4): boom")

    result = run_mutant(mutant, baseline, _config(tmp_path), tmp_path / "e", no_report)
    assert result.status == "error" and "no report" in result.reason
    errored = judge(mutant, [VENDOR_NODE], Outcome("1 error", errors=("x::y",)), 1.0)
    assert errored.status == "error"
    assert judge(mutant, [VENDOR_NODE], Outcome("0 selected"), 1.0).status == "error"
    both = judge(mutant, [VENDOR_NODE], Outcome("", failed=("a::b",), errors=("x::y",)), 1.0)
    assert both.status == "killed"


def test_the_reports_count_per_control_and_name_the_survivors(
    landscape: Landscape, tmp_path: Path
) -> None:
    controls = policy_controls(landscape, ["order-events", "deny-root-user"])
    mutants = generate_mutants(controls)
    baseline = Baseline((VENDOR_NODE,), (), _REACHED, 12.0)

    def runner(nodes: Nodes, landscape: Path, work: Path) -> Outcome:
        text = (landscape / ORDER_EVENTS).read_text("utf-8")
        if "VendorMayPublish" not in text:
            return Outcome("1 failed", failed=("order_events::t",), messages={
                "order_events::t": "denied <by> SCP"})
        return Outcome("1 passed", passed=("order_events::t",))

    results = run_mutants(mutants, baseline, _config(tmp_path), runner=runner)
    data = report_json(controls, results, baseline, landscape=CANONICAL, features=FEATURES,
                       seconds=3.0)
    by_file = {c["file"]: c for c in data["controls"]}
    topic = by_file[ORDER_EVENTS]
    assert (topic["killed"], topic["survived"], topic["error"]) == (1, 3, 0)
    assert topic["survival_rate"] == 0.75
    root = next(c for f, c in by_file.items() if f != ORDER_EVENTS)
    assert root["survived"] == root["total"] == 2
    assert {m["reason"] for m in root["mutants"]} <= set(NO_SCENARIO.values())
    assert data["totals"] == {"killed": 1, "survived": 5, "error": 0, "total": 6,
                              "accepted": 0, "unexplained": 5,
                              "survival_rate": round(5 / 6, 4)}
    text = report_text(data)
    assert "survival rate 83%" in text
    assert "OwnerAccountManagesTheTopic: removed — 1 scenarios ran and passed" in text
    assert NO_SCENARIO["remove-statement"] in text
    html = mutation_section(json.loads(json.dumps(data)))
    assert html.startswith('<section id="mutation">') and html.endswith("</section>")
    assert "denied &lt;by&gt; SCP" in html and "<by>" not in html
    assert html.count("<h3>") == 2
    assert "No mutation analysis" in mutation_section(None)


def test_a_policy_pattern_that_matches_nothing_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(["mutate", "--policy", "no-such-policy", "--report", str(tmp_path)])
    assert status == mutate_command.EXIT_USAGE
    assert "matches no policy" in capsys.readouterr().err


# --------------------------------------------------------------------------- for real


@pytest.mark.slow
def test_removing_the_vendor_publish_statement_is_killed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    # The vendor features alone: the command end to end, without the whole suite as baseline.
    status = main(["mutate", "--policy", "order-events", "--workers", "2", "--features",
                   str(FEATURES / "vendor"),
                   "--report", str(tmp_path)])
    seconds = time.perf_counter() - started
    output = capsys.readouterr().out
    data = json.loads((tmp_path / "mutation.json").read_text("utf-8"))
    with capsys.disabled():
        print(f"\nsecurecart mutate --policy order-events --workers 2: {seconds:.1f} s")
    assert status == mutate_command.EXIT_OK, output
    assert [c["file"] for c in data["controls"]] == [ORDER_EVENTS]
    mutants = {m["id"]: m for m in data["controls"][0]["mutants"]}
    vendor = mutants[f"{ORDER_EVENTS}#VendorMayPublish:remove-statement"]
    assert vendor["status"] == "killed", output
    assert any("test_the_vendor_publishes_to_orderevents" in name for name in vendor["failed"])
    assert data["totals"]["error"] == 0, output
