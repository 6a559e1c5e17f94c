"""`{{…}}` placeholders in policy files: resolved before the engine sees the document; IAM's own
`${…}` policy variables pass through untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.landscape.loader import load_landscape

from .builders import copy_landscape, edit_json, messages

SCP = "policies/scp/deny-leave-organization.json"
INLINE = "policies/iam/orders-api.json"


@pytest.fixture
def landscape_dir(tmp_path: Path) -> Path:
    return copy_landscape(tmp_path)


def _set_resource(value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["Statement"][0]["Resource"] = value

    return change


def test_iam_policy_variables_pass_through(landscape_dir: Path) -> None:
    resource = "arn:aws:dynamodb:{{region.home}}:{{ account.self }}:table/${aws:PrincipalTag/team}"
    edit_json(landscape_dir, INLINE, _set_resource(resource))
    landscape = load_landscape(landscape_dir)
    [inline] = landscape.account("prod").role("orders-api").inline_policies
    assert inline.document["Statement"][0]["Resource"] == (
        "arn:aws:dynamodb:us-east-1:666666666666:table/${aws:PrincipalTag/team}"
    )
    assert inline.policy.statements[0].resources == (inline.document["Statement"][0]["Resource"],)


def test_list_placeholders_splice_into_lists(landscape_dir: Path) -> None:
    def condition(data: dict[str, Any]) -> None:
        data["Statement"][0]["Condition"] = {
            "StringEquals": {"aws:RequestedRegion": ["sa-east-1", "{{regions.allowed}}"]},
            "StringNotEquals": {"aws:PrincipalAccount": "{{accounts.organization}}"},
        }

    edit_json(landscape_dir, SCP, condition)
    document = load_landscape(landscape_dir).scp("deny-leave-organization").document.document
    resolved = document["Statement"][0]["Condition"]
    assert resolved["StringEquals"]["aws:RequestedRegion"] == [
        "sa-east-1",
        "us-east-1",
        "eu-west-1",
    ]
    assert resolved["StringNotEquals"]["aws:PrincipalAccount"] == [
        f"{digit * 12}" for digit in "12345678"
    ]


def test_account_self_outside_an_account(landscape_dir: Path) -> None:
    edit_json(landscape_dir, SCP, _set_resource("arn:aws:organizations::{{account.self}}:*"))
    assert messages(landscape_dir) == [
        f"{landscape_dir / SCP}: Statement[0].Resource: {{{{account.self}}}} is only available in "
        "policies that belong to an account (files referenced from accounts/<name>.yaml)"
    ]


def test_list_placeholder_inside_a_string(landscape_dir: Path) -> None:
    edit_json(landscape_dir, SCP, _set_resource("arn:aws:s3:::{{regions.allowed}}-bucket"))
    assert messages(landscape_dir) == [
        f"{landscape_dir / SCP}: Statement[0].Resource: {{{{regions.allowed}}}} is a list: it "
        "must be a whole JSON string value, alone"
    ]


def test_unknown_placeholder(landscape_dir: Path) -> None:
    edit_json(landscape_dir, SCP, _set_resource(["*", "arn:aws:s3:::{{acount.prod}}"]))
    [message] = messages(landscape_dir)
    assert message.startswith(
        f"{landscape_dir / SCP}: Statement[0].Resource[1]: unknown placeholder {{{{acount.prod}}}} "
        "(supported: {{account.<name>}}, {{account.self}}, {{region.home}}"
    )


def test_placeholder_in_a_key(landscape_dir: Path) -> None:
    def condition(data: dict[str, Any]) -> None:
        data["Statement"][0]["Condition"] = {"StringEquals": {"{{region.home}}": "x"}}

    edit_json(landscape_dir, SCP, condition)
    assert (
        f"{landscape_dir / SCP}: Statement[0].Condition.StringEquals.{{{{region.home}}}}: "
        "placeholders are resolved in values only, not in keys" in messages(landscape_dir)
    )
