"""The fast diff (only the requests whose decisions may differ are evaluated) gives exactly what
evaluating every request on both sides gives, for changes of every kind: statements added to
and removed from SCPs, an SCP detached, a bucket policy widened or removed, a condition changed,
policy files and a role added.

The exhaustive diff of the whole request space takes a minute; each case asks a sample of it:
every STRIDE-th action, and the actions the change is about (so that the sample holds what
changes, not only what does not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.diff import diff_sides
from harness.analysis.offline import Offline
from harness.analysis.requests import RequestSpace, request_space
from harness.landscape.loader import load_landscape
from tests.analysis.test_diff import widen
from tests.landscape.builders import copy_landscape, edit_json, edit_yaml, role_entry, write

STRIDE = 37


@pytest.fixture(scope="module")
def base() -> Offline:
    return Offline(load_landscape())


# --------------------------------------------------------------------------- the changes


def add_root_scp_statements(directory: Path) -> None:
    """Two statements in the SCP at the root: one names an action no policy named before (the
    request space grows), one asks for MFA, which only people's sessions carry."""

    def change(policy: dict[str, Any]) -> None:
        policy["Statement"] += [
            {"Sid": "NoPublishing", "Effect": "Deny",
             "Action": ["sns:Publish", "kms:ScheduleKeyDeletion"], "Resource": "*"},
            {"Sid": "IamNeedsMfa", "Effect": "Deny", "Action": "iam:*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
        ]

    edit_json(directory, "policies/scp/deny-leave-organization.json", change)


def remove_scp_statement(directory: Path) -> None:
    """A statement in the middle of an SCP: the next one moves up a position."""

    def change(policy: dict[str, Any]) -> None:
        policy["Statement"] = [
            s for s in policy["Statement"] if s["Sid"] != "DenyUnencryptedRdsInstances"
        ]

    edit_json(directory, "policies/scp/deny-unencrypted-storage.json", change)


def detach_scp(directory: Path) -> None:
    """The root users of member accounts may act again."""

    def change(data: dict[str, Any]) -> None:
        data["service_control_policies"] = [
            scp for scp in data["service_control_policies"] if scp["name"] != "deny-root-user"
        ]

    edit_yaml(directory, "organization.yaml", change)


def widen_customer_data(directory: Path) -> None:
    widen(directory, Offline(load_landscape()).principal("prod:SecurityAudit").arn)


def change_mfa_condition(directory: Path) -> None:
    """Developers' sessions without MFA are denied only in eu-west-1 (a condition changed)."""

    def change(policy: dict[str, Any]) -> None:
        deny = next(s for s in policy["Statement"] if s["Sid"] == "RequireMfaForHumanSessions")
        deny["Condition"]["StringEquals"] = {"aws:RequestedRegion": "eu-west-1"}

    edit_json(directory, "policies/permission-sets/developer-read-only.json", change)


def add_inline_policy(directory: Path) -> None:
    """A second inline policy file for prod's orders-api role."""
    write(directory, "policies/iam/orders-api-queue.json", """{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "SendOrders", "Effect": "Allow",
                 "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                 "Resource": "arn:aws:sqs:{{region.home}}:{{account.self}}:order-queue"}]
}""")

    def change(data: dict[str, Any]) -> None:
        role_entry(data, "orders-api")["inline_policies"].append(
            {"name": "orders-queue", "file": "policies/iam/orders-api-queue.json"})

    edit_yaml(directory, "accounts/prod.yaml", change)


def add_role(directory: Path) -> None:
    """A new role with a new policy file: a principal, and a resource, of the head only."""
    write(directory, "policies/iam/reporting.json", """{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "ReadOrders", "Effect": "Allow",
                 "Action": ["dynamodb:Query", "s3:GetObject"], "Resource": "*"}]
}""")

    def change(data: dict[str, Any]) -> None:
        data["roles"].append({
            "name": "reporting", "description": "Reports.", "trust": "policies/trust/lambda.json",
            "inline_policies": [{"name": "reporting", "file": "policies/iam/reporting.json"}]})

    edit_yaml(directory, "accounts/prod.yaml", change)


def remove_bucket_policy(directory: Path) -> None:
    """The log archive loses its bucket policy file: the security team's grant and the
    immutability Deny with it."""

    def change(data: dict[str, Any]) -> None:
        del data["resources"]["s3_buckets"][0]["policy"]

    edit_yaml(directory, "accounts/log-archive.yaml", change)
    (directory / "policies/resources/s3/securecart-log-archive.json").unlink()


def widen_vendor_role(directory: Path) -> None:
    """The vendor's own role may list queues: in its own account, outside the organisation."""
    edit_json(directory, "policies/iam/vendor-integration.json",
              lambda policy: policy["Statement"].append(
                  {"Sid": "ListQueues", "Effect": "Allow", "Action": "sqs:ListQueues",
                   "Resource": "*"}))


@dataclass(frozen=True)
class Case:
    edit: Callable[[Path], None]
    actions: tuple[str, ...]
    """Actions the change is about: asked besides the sample, which then holds access added or
    removed."""


CASES = {
    "root SCP statements added": Case(
        add_root_scp_statements,
        ("sns:Publish", "kms:ScheduleKeyDeletion", "iam:PassRole", "iam:CreateRole")),
    "SCP statement removed": Case(
        remove_scp_statement, ("rds:CreateDBInstance", "rds:CreateDBCluster", "s3:PutObject")),
    "SCP detached": Case(detach_scp, ("s3:GetObject", "iam:CreateRole", "sts:AssumeRole")),
    "bucket policy widened": Case(widen_customer_data, ("s3:GetObject", "s3:ListBucket")),
    "condition changed in a permission set": Case(
        change_mfa_condition, ("s3:GetObject", "s3:ListBucket", "dynamodb:GetItem")),
    "inline policy file added": Case(
        add_inline_policy, ("sqs:SendMessage", "sqs:ReceiveMessage", "dynamodb:Query")),
    "role added": Case(add_role, ("dynamodb:Query", "s3:GetObject", "sts:AssumeRole")),
    "outside role widened": Case(widen_vendor_role, ("sqs:ListQueues",)),
    "bucket policy file removed": Case(
        remove_bucket_policy, ("s3:GetObject", "s3:ListBucket", "s3:DeleteObject")),
}


# --------------------------------------------------------------------------- the comparison


def sample(space: RequestSpace, named: tuple[str, ...]) -> RequestSpace:
    """The requests of every STRIDE-th action and of the named ones."""
    missing = set(named) - set(space.actions)
    assert not missing, f"not in the request space: {sorted(missing)}"
    chosen = set(space.actions[::STRIDE]) | set(named)
    return replace(
        space,
        requests=tuple(r for r in space.requests if r.action in chosen),
        actions=tuple(a for a in space.actions if a in chosen),
    )


@pytest.mark.parametrize("name", CASES)
def test_the_fast_diff_equals_evaluating_every_request(
    name: str, base: Offline, tmp_path: Path
) -> None:
    case = CASES[name]
    directory = copy_landscape(tmp_path)
    case.edit(directory)
    head = Offline(load_landscape(directory))
    space = sample(request_space([base, head]), case.actions)

    fast = diff_sides(base, head, space)
    exhaustive = diff_sides(base, head, space, exhaustive=True)

    assert fast.added == exhaustive.added
    assert fast.removed == exhaustive.removed
    assert not exhaustive.empty
    assert sum(fast.decisions) < sum(exhaustive.decisions)


def test_equal_landscapes_need_no_engine(base: Offline) -> None:
    # Another load of the same files: equal content, other policy objects.
    result = diff_sides(base, Offline(load_landscape()))
    assert result.empty
    assert result.decisions == (0, 0) and result.statement_checks == 0


def test_a_root_scp_statement_brings_only_its_actions_to_the_engine(
    base: Offline, tmp_path: Path
) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, "policies/scp/deny-leave-organization.json",
              lambda policy: policy["Statement"].append(
                  {"Sid": "NoKeyDeletion", "Effect": "Deny",
                   "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}))
    result = diff_sides(base, Offline(load_landscape(directory)))
    # Every member principal's policy set changed; only kms:ScheduleKeyDeletion is asked.
    assert result.request_space > 100_000
    assert max(result.decisions) < 200 and result.statement_checks < 200
    assert {c.action for c in result.removed} <= {"kms:ScheduleKeyDeletion"}


def test_a_moved_statement_is_no_change(base: Offline, tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, "policies/scp/deny-unencrypted-storage.json",
              lambda policy: policy["Statement"].reverse())
    result = diff_sides(base, Offline(load_landscape(directory)))
    assert result.empty and result.decisions == (0, 0) and result.statement_checks == 0

