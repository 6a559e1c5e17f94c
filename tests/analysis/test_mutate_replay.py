"""`securecart mutate` by replay (harness.analysis.replay): a mutant decided from the baseline's
logged decisions, the engine given the mutated policy — synthetic logs here, and on the
canonical landscape the replay verdicts compared with full reruns (slow)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.mutate import (
    Config,
    Mutant,
    generate_mutants,
    policy_controls,
    run_baseline,
    run_mutants,
)
from harness.analysis.replay import Replay
from harness.authorization.decide import decide_assembled
from harness.authorization.question import Question
from harness.gateway.decision_log import LoggedDecision, PolicyTable
from harness.iam.context import Caller, ContextKeys, PrincipalKind, Request
from harness.iam.evaluate import PolicySet
from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape, PolicyDocument
from harness.report.policy_map import PolicyMap
from harness.runner.repository import CANONICAL, FEATURES

ORDER_EVENTS = "policies/resources/sns/order-events.json"
SCENARIO = "features/vendor/order_events.feature::test_synthetic"


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return load_landscape(CANONICAL)


def _use(landscape: Landscape) -> PolicyDocument:
    return next(d for d in PolicyMap(landscape).documents()
                if d.file.as_posix().endswith(ORDER_EVENTS))


def _mutant(sid: str, kind: str = "remove-statement") -> Mutant:
    index = ["OwnerAccountManagesTheTopic", "VendorMayPublish",
             "NobodyElseOutsideTheOrganization"].index(sid)
    return Mutant(ORDER_EVENTS, "topic policy", kind, index, sid)  # type: ignore[arg-type]


def _vendor_publishes(landscape: Landscape, tmp_path: Path,
                      asserted: list[dict[str, Any]]) -> Replay:
    """A log of one call: the vendor's role publishes to the order-events topic (allowed by
    VendorMayPublish), with the step's assertions `asserted` of it."""
    use = _use(landscape)
    statement = use.document["Statement"][1]
    topic = statement["Resource"]
    vendor = statement["Principal"]["AWS"].split(":")[4]
    owner = topic.split(":")[4]
    caller = Caller(PrincipalKind.ROLE_SESSION, f"arn:aws:sts::{vendor}:assumed-role/pub/s",
                    account=vendor, identity_arn=f"arn:aws:iam::{vendor}:role/pub")
    keys = ContextKeys({"aws:PrincipalAccount": vendor})
    request = Request(caller, "sns:Publish", topic, owner, keys)
    identity = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}),
        PolicyType.IDENTITY, name=f"arn:aws:iam::{vendor}:policy/publish")
    policies = PolicySet(identity=(identity,), resource=use.policy)
    decision = decide_assembled(Question(caller, "sns:Publish", topic, owner, keys), request,
                                policies)
    assert decision.allowed
    table = PolicyTable()
    record = LoggedDecision("req-1", "sns", "Publish", decision).record(table)
    log = tmp_path / "decisions.jsonl"
    log.write_text(json.dumps({**record, "scenario": SCENARIO}) + "\n", encoding="utf-8")
    (tmp_path / "decisions.policies.jsonl").write_text("".join(
        json.dumps(line) + "\n" for line in table.lines_after(0)),
        encoding="utf-8")
    (tmp_path / "decisions.asserted.jsonl").write_text("".join(
        json.dumps({**a, "request_ids": ["req-1"], "scenario": SCENARIO}) + "\n"
        for a in asserted), encoding="utf-8")
    return Replay.load(landscape, log)


def test_the_log_records_the_request_and_the_policy_set(landscape: Landscape,
                                                         tmp_path: Path) -> None:
    replay = _vendor_publishes(landscape, tmp_path, [])
    record = replay.by_scenario[SCENARIO][0]
    assert record["request"]["caller"]["kind"] == "AssumedRole"
    assert ["aws:PrincipalAccount", [record["request"]["caller"]["account"]], False] \
        in record["request"]["keys"]
    policy_set = record["policy_set"]
    assert policy_set["resource"] in replay.policies
    assert [replay.policies[d].name for d in policy_set["identity"]] \
        == [f"arn:aws:iam::{record['request']['caller']['account']}:policy/publish"]


def test_the_policy_table_is_json_text_parsed_again(landscape: Landscape,
                                                   tmp_path: Path) -> None:
    """The table holds each policy's type, name and JSON text (no pickle: reading a report
    must not run code); replay parses them again into the very policies the gateway used."""
    replay = _vendor_publishes(landscape, tmp_path, [])
    lines = (tmp_path / "decisions.policies.jsonl").read_text().splitlines()
    entries = [json.loads(line)["policy"] for line in lines]
    assert {e["type"] for e in entries} == {"identity-based policy", "resource-based policy"}
    assert all(json.loads(e["document"])["Statement"] for e in entries)
    topic = replay.policies[replay.by_scenario[SCENARIO][0]["policy_set"]["resource"]]
    assert topic == _use(landscape).policy


@pytest.mark.parametrize("entry", [
    "gASVCgAAAAAAAACMBnBvc2l4lC4=",  # the old pickled form: never unpickled
    {"type": "resource-based policy", "name": "topic", "document": "{not json"},
    {"type": "no-such-type", "name": "topic", "document": "{}"},
    None,
])
def test_a_policy_the_table_cannot_give_back_makes_the_mutant_rerun(
        landscape: Landscape, tmp_path: Path, entry: Any) -> None:
    replay = _vendor_publishes(landscape, tmp_path, [{"check": "allowed"}])
    table = tmp_path / "decisions.policies.jsonl"
    lines = [json.loads(line) for line in table.read_text().splitlines()]
    table.write_text("".join(json.dumps({**line, "policy": entry}) + "\n" for line in lines))
    replay = Replay.load(landscape, tmp_path / "decisions.jsonl")
    verdict = replay.judge(ORDER_EVENTS, _mutant("VendorMayPublish").mutate_document, [SCENARIO])
    assert verdict.status is None, verdict.reason  # neither killed nor survived: rerun
    assert "policy table lacks" in verdict.reason


def test_a_mutant_that_changes_no_decision_survives_by_replay(landscape: Landscape,
                                                              tmp_path: Path) -> None:
    replay = _vendor_publishes(landscape, tmp_path, [{"check": "allowed"}])
    mutant = _mutant("OwnerAccountManagesTheTopic")
    verdict = replay.judge(ORDER_EVENTS, mutant.mutate_document, [SCENARIO])
    assert verdict.status == "survived", verdict.reason
    assert verdict.scenarios[0].replayed == 1


def test_a_mutant_that_flips_an_asserted_decision_is_killed_by_replay(
        landscape: Landscape, tmp_path: Path) -> None:
    replay = _vendor_publishes(landscape, tmp_path, [{"check": "allowed"}])
    mutant = _mutant("VendorMayPublish")
    verdict = replay.judge(ORDER_EVENTS, mutant.mutate_document, [SCENARIO])
    assert verdict.status == "killed", verdict.reason
    assert verdict.killed_by == (SCENARIO,)
    assert "now denied" in verdict.reason


def test_a_flipped_decision_no_step_asserts_is_rerun(landscape: Landscape,
                                                     tmp_path: Path) -> None:
    replay = _vendor_publishes(landscape, tmp_path, [])
    verdict = replay.judge(ORDER_EVENTS, _mutant("VendorMayPublish").mutate_document,
                           [SCENARIO])
    assert verdict.status is None
    assert "consequences" in verdict.reason


def test_a_rewritten_policy_is_not_replayed(landscape: Landscape, tmp_path: Path) -> None:
    """A scenario that wrote the file's policy holds another document: the mutant is rerun."""
    replay = _vendor_publishes(landscape, tmp_path, [{"check": "allowed"}])
    digest = replay.by_scenario[SCENARIO][0]["policy_set"]["resource"]
    logged = replay.policies[digest]
    replay.policies[digest] = type(logged)(logged.name, logged.policy_type,
                                           logged.statements[1:], logged.version)
    verdict = replay.judge(ORDER_EVENTS, _mutant("VendorMayPublish").mutate_document,
                           [SCENARIO])
    assert verdict.status is None
    assert "rewritten" in verdict.reason


# --------------------------------------------------------------------------- equivalence

EQUIVALENCE_POLICIES = ("securecart-prod-customer-data",)
"""The customer-data bucket policy and KMS key policy (both files have this stem): mutants
killed and survivors, by replay and by rerun. Every mutant of the landscape is compared by the
benchmark, `python -m bench.mutate --compare` (~15 minutes)."""


@pytest.mark.slow
def test_replay_verdicts_are_the_full_reruns(tmp_path: Path) -> None:
    """On the canonical landscape, for the customer-data bucket and key policies: every mutant
    replay decides has the verdict the full rerun of its scenarios gives."""
    landscape = load_landscape(CANONICAL)
    mutants = generate_mutants(policy_controls(landscape, EQUIVALENCE_POLICIES))
    assert mutants
    config = Config(CANONICAL, FEATURES, tmp_path, workers=2)
    baseline = run_baseline(config, landscape)  # one baseline serves both ways of judging
    replayed = run_mutants(mutants, baseline, config)
    rerun = run_mutants(mutants, baseline, replace(config, replay=False))
    by_replay = [r for r in replayed if r.by == "replay" and r.scenarios]
    assert by_replay
    verdicts = {r.mutant.id: r.status for r in rerun}
    assert {r.mutant.id: r.status for r in replayed} == verdicts
