"""AWS protects the roles Identity Center manages whatever the policies say: with SecureCart's
own DenyTouchingIdentityCenterRoles removed from a copy of the landscape, a developer's attempt
to change one is still refused, now by AWS's reserved-role rule, with IAM's UnmodifiableEntity
and the message AWS gives. https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from harness.landscape.loader import load_landscape
from harness.seeding.identity_center import sso_role_arn, sso_role_name
from harness.stack import Stack
from tests.landscape.builders import copy_landscape

pytestmark = pytest.mark.slow

READ_ONLY_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
CONTROL = "DenyTouchingIdentityCenterRoles"
HOLDERS = ("policies/boundaries/developer-boundary.json",
           "policies/permission-sets/developer-power-user.json")


def _without_the_control(directory: Path) -> None:
    for relative in HOLDERS:
        path = directory / relative
        document = json.loads(path.read_text(encoding="utf-8"))
        kept = [s for s in document["Statement"] if s.get("Sid") != CONTROL]
        assert len(kept) == len(document["Statement"]) - 1, f"{relative}: no {CONTROL}"
        document["Statement"] = kept
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    directory = copy_landscape(tmp_path_factory.mktemp("protected"))
    _without_the_control(directory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
        with Stack(load_landscape(directory)) as running:
            yield running


def test_without_the_landscapes_deny_aws_refuses_as_unmodifiable(stack: Stack) -> None:
    landscape = stack.landscape
    dev = landscape.account("dev")
    reserved = landscape.identity_center.permission_set("DeveloperReadOnly")
    alice = stack.login("alice", "dev", "DeveloperPowerUser")
    iam = stack.client("iam", alice.credentials)
    with pytest.raises(ClientError) as refused:
        iam.attach_role_policy(RoleName=sso_role_name(dev, reserved), PolicyArn=READ_ONLY_POLICY)
    error = refused.value.response["Error"]
    assert error["Code"] == "UnmodifiableEntity"
    assert error["Message"] == (
        f"Cannot perform the operation on the protected role '{sso_role_name(dev, reserved)}'"
        " - this role is only modifiable by AWS")
    [record] = [r for r in stack.log.records() if r.get("action") == "iam:AttachRolePolicy"]
    assert record["rule"] == "protected role"
    assert record["resource"] == sso_role_arn(dev, reserved)
    # The role was not changed behind the refusal.
    admin = stack.backend("dev", "iam")
    attached = admin.list_attached_role_policies(RoleName=sso_role_name(dev, reserved))
    assert READ_ONLY_POLICY not in [p["PolicyArn"] for p in attached["AttachedPolicies"]]


def test_an_ordinary_role_is_still_the_policies_to_decide(stack: Stack) -> None:
    alice = stack.login("alice", "dev", "DeveloperPowerUser")
    iam = stack.client("iam", alice.credentials)
    # The power user's policies allow reading IAM: the rule is not a deny-all.
    roles = iam.list_roles()["Roles"]
    assert any(r["RoleName"].startswith("AWSReservedSSO_DeveloperReadOnly_") for r in roles)
