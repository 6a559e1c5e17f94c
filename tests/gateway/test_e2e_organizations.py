"""End to end: SCPs at the root, at an OU and at the account; an allow-list SCP; the
management account and service-linked roles exempt; RCPs on the resource side, across
accounts and organisations.

https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.gateway.conftest import (
    DEV,
    MGMT,
    OTHER,
    OUTSIDE,
    PROD,
    REGION,
    SHARED,
    World,
    arn_role,
    assert_error,
    denied_because,
    explicit,
    no_allow,
    statements,
)

pytestmark = pytest.mark.slow


def _queue_exists(world: World, account: str, name: str, region: str = REGION) -> bool:
    try:
        world.backend(account, "sqs", region).get_queue_url(QueueName=name)
    except ClientError:
        return False
    return True


def _table_exists(world: World, account: str, name: str) -> bool:
    return name in world.backend(account, "dynamodb").list_tables()["TableNames"]


def _bucket_exists(world: World, account: str, name: str) -> bool:
    return any(b["Name"] == name for b in world.backend(account, "s3").list_buckets()["Buckets"])


def _messages(world: World, account: str, queue: str) -> list[str]:
    sqs = world.backend(account, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    found: list[dict[str, Any]] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
        "Messages", [])
    return [m["Body"] for m in found]


def _queue_arn(account: str, name: str, region: str = REGION) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


# --------------------------------------------------------------------------- SCP levels


def test_an_scp_at_the_root_denies_a_member_administrator(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    mark = world.mark()
    error = world.refused(lambda: world.client(admin, "sqs").delete_queue(
        QueueUrl=world.queue_url(PROD, "doomed")))
    scp = world.policy_arns["RootGuardrails"]
    assert_error(error, "AccessDenied", denied_because(
        admin.arn, "sqs:DeleteQueue", _queue_arn(PROD, "doomed"),
        explicit("service control policy", scp)), 403)
    assert _queue_exists(world, PROD, "doomed")
    record = world.decision(mark, "sqs:DeleteQueue")
    assert (record["decision"], statements(record)) == ("explicitDeny",
                                                       {(scp, "DenyQueueDeletion")})


def test_a_member_accounts_root_user_is_bound_by_scps(world: World) -> None:
    root = world.root(PROD)
    error = world.refused(lambda: world.client(root, "sqs").delete_queue(
        QueueUrl=world.queue_url(PROD, "doomed")))
    assert_error(error, "AccessDenied", denied_because(
        f"arn:aws:iam::{PROD}:root", "sqs:DeleteQueue", _queue_arn(PROD, "doomed"),
        explicit("service control policy", world.policy_arns["RootGuardrails"])), 403)
    assert _queue_exists(world, PROD, "doomed")


def test_the_management_account_is_exempt_from_scps(world: World) -> None:
    admin = world.session_of(arn_role(MGMT, "admin"))
    mark = world.mark()
    world.client(admin, "sqs").delete_queue(QueueUrl=world.queue_url(MGMT, "mgmt-doomed"))
    assert not _queue_exists(world, MGMT, "mgmt-doomed")
    record = world.decision(mark, "sqs:DeleteQueue")
    assert record["decision"] == "allowed"
    assert not any(s["type"] == "service control policy" for s in record["matched"])
    world.client(world.root(MGMT), "sqs", region="ap-southeast-2").create_queue(
        QueueName="anywhere")
    assert _queue_exists(world, MGMT, "anywhere", "ap-southeast-2")


def test_a_service_linked_role_is_exempt_from_scps(world: World) -> None:
    slr = world.session_of(arn_role(PROD, "slr", "/aws-service-role/test.amazonaws.com/"))
    world.client(slr, "sqs").delete_queue(QueueUrl=world.queue_url(PROD, "slr-doomed"))
    assert not _queue_exists(world, PROD, "slr-doomed")


def test_an_scp_at_an_ou_binds_the_accounts_below_it_only(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    mark = world.mark()
    table = f"arn:aws:dynamodb:{REGION}:{PROD}:table/keep-table"
    error = world.refused(lambda: world.client(admin, "dynamodb").delete_table(
        TableName="keep-table"))
    scp = world.policy_arns["WorkloadsGuardrails"]
    assert_error(error, "AccessDeniedException", denied_because(
        admin.arn, "dynamodb:DeleteTable", table, explicit("service control policy", scp)), 400)
    assert _table_exists(world, PROD, "keep-table")
    assert statements(world.decision(mark, "dynamodb:DeleteTable")) == {(scp,
                                                                        "DenyTableDeletion")}
    shared = world.session_of(arn_role(SHARED, "admin"))
    world.client(shared, "dynamodb").delete_table(TableName="shared-table")
    assert not _table_exists(world, SHARED, "shared-table")


def test_an_scp_on_the_account_binds_that_account_only(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    error = world.refused(lambda: world.client(admin, "s3").delete_bucket(Bucket="prod-keep"))
    scp = world.policy_arns["ProdAccountGuardrails"]
    assert_error(error, "AccessDenied",
                 f'User: {admin.arn} is not authorized to perform: s3:DeleteBucket on resource: '
                 f'"arn:aws:s3:::prod-keep" {explicit("service control policy", scp)}', 403)
    assert _bucket_exists(world, PROD, "prod-keep")
    shared = world.session_of(arn_role(SHARED, "admin"))
    world.client(shared, "s3").delete_bucket(Bucket="shared-scratch")
    assert not _bucket_exists(world, SHARED, "shared-scratch")


def test_an_allow_list_scp_denies_what_it_does_not_list(world: World) -> None:
    admin = world.session_of(arn_role(DEV, "admin"))
    mark = world.mark()
    table = f"arn:aws:dynamodb:{REGION}:{DEV}:table/dev-table"
    error = world.refused(lambda: world.client(admin, "dynamodb").delete_table(
        TableName="dev-table"))
    assert_error(error, "AccessDeniedException", denied_because(
        admin.arn, "dynamodb:DeleteTable", table,
        no_allow("service control policy", "dynamodb:DeleteTable")), 400)
    assert _table_exists(world, DEV, "dev-table")
    record = world.decision(mark, "dynamodb:DeleteTable")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "service control policy")
    world.client(admin, "sqs").create_queue(QueueName="dev-listed")
    assert _queue_exists(world, DEV, "dev-listed")


def test_the_region_guardrail_at_the_root(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    mark = world.mark()
    error = world.refused(lambda: world.client(admin, "sqs", region="ap-southeast-2")
                          .create_queue(QueueName="far-away"))
    scp = world.policy_arns["RootGuardrails"]
    assert_error(error, "AccessDenied", denied_because(
        admin.arn, "sqs:CreateQueue", _queue_arn(PROD, "far-away", "ap-southeast-2"),
        explicit("service control policy", scp)), 403)
    assert not _queue_exists(world, PROD, "far-away", "ap-southeast-2")
    assert statements(world.decision(mark, "sqs:CreateQueue")) == {
        (scp, "DenyOutsideApprovedRegions")}
    world.client(admin, "sqs", region="eu-west-1").create_queue(QueueName="near")
    assert _queue_exists(world, PROD, "near", "eu-west-1")


# --------------------------------------------------------------------------- RCPs


def test_an_rcp_denies_callers_outside_the_organisation(world: World) -> None:
    partner = world.session_of(arn_role(OUTSIDE, "partner"))
    mark = world.mark()
    error = world.refused(lambda: world.client(partner, "sqs").send_message(
        QueueUrl=world.queue_url(SHARED, "shared-inbox"), MessageBody="from outside"))
    # The caller is outside the organisation: AWS names the policy type, not the policy.
    assert_error(error, "AccessDenied", denied_because(
        partner.arn, "sqs:SendMessage", _queue_arn(SHARED, "shared-inbox"),
        explicit("resource control policy")), 403)
    assert _messages(world, SHARED, "shared-inbox") == []
    assert statements(world.decision(mark, "sqs:SendMessage")) == {
        (world.policy_arns["SharedDataPerimeter"], "EnforceOrgIdentities")}
    app = world.session_of(arn_role(PROD, "app"))
    world.client(app, "sqs").send_message(QueueUrl=world.queue_url(SHARED, "shared-inbox"),
                                          MessageBody="from the organisation")
    assert _messages(world, SHARED, "shared-inbox") == ["from the organisation"]


def test_rcps_do_not_apply_to_the_management_accounts_resources(world: World) -> None:
    partner = world.session_of(arn_role(OUTSIDE, "partner"))
    world.client(partner, "sqs").send_message(QueueUrl=world.queue_url(MGMT, "mgmt-inbox"),
                                              MessageBody="to management")
    assert _messages(world, MGMT, "mgmt-inbox") == ["to management"]


def test_each_organisation_exempts_its_own_management_account(world: World) -> None:
    """A caller of organisation A reaching a resource of organisation B's management account:
    B's RCPs do not apply there, whichever organisation the caller is in."""
    admin = world.session_of(arn_role(PROD, "admin"))
    world.client(admin, "sqs").send_message(QueueUrl=world.queue_url(OTHER, "other-inbox"),
                                            MessageBody="across organisations")
    assert _messages(world, OTHER, "other-inbox") == ["across organisations"]
