"""Reading `terraform show -json` output (harness.importing.terraform_plan).

plans/two-accounts.json is a real plan (terraform 1.11.4, hashicorp/aws 5.100.0): an
organisation, an OU, an account, a role in the prod account (provider `aws.prod`, which assumes a
role in 666666666666) with two inline policies (`for_each`), and a module with a `count`ed
managed policy in the same account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.importing.terraform_plan import Plan, PlanError, UnknownValue

PLANS = Path(__file__).parent / "plans"
TWO_ACCOUNTS = PLANS / "two-accounts.json"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return Plan.load(TWO_ACCOUNTS)


def test_every_managed_resource_the_plan_leaves_is_read_with_its_module(plan: Plan) -> None:
    assert sorted((r.module, r.address) for r in plan.resources) == [
        ("", "aws_iam_role.orders"),
        ("", 'aws_iam_role_policy.orders["a"]'),
        ("", 'aws_iam_role_policy.orders["b"]'),
        ("", "aws_organizations_account.prod"),
        ("", "aws_organizations_organization.org"),
        ("", "aws_organizations_organizational_unit.workloads"),
        ("module.m", "module.m.aws_iam_policy.p[0]"),
    ]


def test_values_known_at_plan_time_are_read_and_others_refused(plan: Plan) -> None:
    role = plan.by_address("aws_iam_role.orders")
    assert role is not None
    assert role.value("name") == "orders-processor"
    assert json.loads(role.value("assume_role_policy"))["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"}
    assert not role.known("arn")
    with pytest.raises(UnknownValue, match=r"aws_iam_role\.orders\.arn: known only after apply"):
        role.value("arn")


def test_a_link_unknown_at_plan_time_is_resolved_through_the_configuration(plan: Plan) -> None:
    policy = plan.by_address('aws_iam_role_policy.orders["b"]')
    assert policy is not None and policy.index == "b"
    assert not policy.known("role")
    assert [r.address for r in plan.referenced(policy, "role")] == ["aws_iam_role.orders"]
    unit = plan.by_address("aws_organizations_organizational_unit.workloads")
    assert unit is not None
    assert [r.address for r in plan.referenced(unit, "parent_id")] == [
        "aws_organizations_organization.org"]


def test_the_account_comes_from_the_provider_the_resource_goes_through(plan: Plan) -> None:
    def account(address: str) -> str | None:
        resource = plan.by_address(address)
        assert resource is not None
        return plan.account_id(resource)

    assert account("aws_iam_role.orders") == "666666666666"
    # Inside the module, through the module call's `providers = { aws = aws.prod }`.
    assert account("module.m.aws_iam_policy.p[0]") == "666666666666"
    # The default provider assumes no role: the account is the caller's, unknown here.
    assert account("aws_organizations_account.prod") is None
    assert plan.providers["aws.prod"].region == "us-east-1"


def _plan(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _broken(change: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TWO_ACCOUNTS.read_text(encoding="utf-8"))
    change(data)
    return data


@pytest.mark.parametrize(("data", "message"), [
    ("{not json", r"plan\.json: line 1, column 2: not JSON"),
    ("[" * 100_000 + "]" * 100_000, r"plan\.json: not a Terraform plan: JSON nested too deeply"),
    ([], r"plan\.json: not a Terraform plan: expected a JSON object"),
    ({"resources": []}, r"no format_version and planned_values"),
    ({"format_version": "2.0", "planned_values": {}}, r"format_version: version 2\.0 is not "
                                                       r"supported"),
    (_broken(lambda d: d.update(errored=True)), r"errored: the plan did not complete"),
    (_broken(lambda d: d["planned_values"]["root_module"]["resources"][0].update(values=[])),
     r"aws_iam_role\.orders\.values: expected an object"),
    (_broken(lambda d: d["planned_values"]["root_module"]["resources"][1].pop("type")),
     r"planned_values\.root_module\.resources\[1\]\.type: expected a string"),
    (_broken(lambda d: d["planned_values"]["root_module"].update(child_modules=[{}])),
     r"planned_values\.root_module\.child_modules\[0\]: expected an object with an address"),
    (_broken(lambda d: d.update(resource_changes={})), r"resource_changes: expected a list"),
])
def test_a_malformed_plan_is_refused_naming_the_place(tmp_path: Path, data: Any,
                                                      message: str) -> None:
    with pytest.raises(PlanError, match=message):
        Plan.load(_plan(tmp_path, data))


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"missing\.json: cannot read"):
        Plan.load(tmp_path / "missing.json")
