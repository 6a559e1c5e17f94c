"""End to end: identity-based policies, permissions boundaries and session policies, each
deciding alone and together, through the endpoint with boto3.

Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
Boundaries: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
Session policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.gateway.credentials import Credential
from tests.gateway.conftest import (
    PROD,
    REGION,
    World,
    arn_policy,
    arn_role,
    arn_user,
    assert_error,
    denied_because,
    document,
    explicit,
    inline_policy,
    no_allow,
    statements,
)

pytestmark = pytest.mark.slow

APP = arn_role(PROD, "app")
TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"


def _object(world: World, bucket: str, key: str) -> bytes | None:
    try:
        body: bytes = world.backend(PROD, "s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError:
        return None
    return body


def s3_denied(who: str, action: str, resource: str, reason: str) -> str:
    """S3 quotes the resource in its enhanced messages (same account or organisation).
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html"""
    return f'User: {who} is not authorized to perform: {action} on resource: "{resource}" {reason}'


# --------------------------------------------------------------------------- identity alone


def test_an_identity_policy_allows_and_the_write_happens(world: World) -> None:
    app = world.session_of(APP)
    mark = world.mark()
    world.client(app, "s3").put_object(Bucket="prod-app-data", Key="orders/id-1.txt", Body=b"1")
    assert _object(world, "prod-app-data", "orders/id-1.txt") == b"1"
    record = world.decision(mark, "s3:PutObject")
    assert record["decision"] == "allowed"
    assert statements(record) == {(inline_policy(APP, "app-permissions"), "ReadWriteAppData")}


def test_no_identity_policy_allows_an_implicit_deny_and_nothing_changes(world: World) -> None:
    app = world.session_of(APP)
    mark = world.mark()
    error = world.refused(lambda: world.client(app, "s3").delete_object(
        Bucket="prod-app-data", Key="orders/existing.txt"))
    assert_error(error, "AccessDenied", s3_denied(
        app.arn, "s3:DeleteObject", "arn:aws:s3:::prod-app-data/orders/existing.txt",
        no_allow("identity-based policy", "s3:DeleteObject")), 403)
    assert _object(world, "prod-app-data", "orders/existing.txt") is not None
    record = world.decision(mark, "s3:DeleteObject")
    assert (record["decision"], record["denied_by"], record["deciding"]) == (
        "implicitDeny", "identity-based policy", [])


def test_an_explicit_deny_in_an_identity_policy_beats_its_allow(world: World) -> None:
    app = world.session_of(APP)
    mark = world.mark()
    error = world.refused(lambda: world.client(app, "s3").get_object(
        Bucket="prod-app-data", Key="secret/keys.txt"))
    # An inline policy has no ARN, so AWS names none.
    assert_error(error, "AccessDenied", s3_denied(
        app.arn, "s3:GetObject", "arn:aws:s3:::prod-app-data/secret/keys.txt",
        explicit("identity-based policy")), 403)
    record = world.decision(mark, "s3:GetObject")
    assert record["decision"] == "explicitDeny"
    assert statements(record) == {(inline_policy(APP, "app-permissions"), "DenySecrets")}


def test_a_managed_policy_allows_dynamodb_and_denies_in_its_own_protocol(world: World) -> None:
    app = world.session_of(APP)
    dynamodb = world.client(app, "dynamodb")
    mark = world.mark()
    dynamodb.put_item(TableName="app-table", Item={"id": {"S": "order-1"}})
    stored = world.backend(PROD, "dynamodb").get_item(TableName="app-table",
                                                      Key={"id": {"S": "order-1"}})
    assert stored["Item"] == {"id": {"S": "order-1"}}
    assert statements(world.decision(mark, "dynamodb:PutItem")) == {
        (arn_policy(PROD, "app-table-access"), "WriteAppTable")}
    table = f"arn:aws:dynamodb:{REGION}:{PROD}:table/app-table"
    error = world.refused(lambda: dynamodb.delete_item(TableName="app-table",
                                                  Key={"id": {"S": "order-1"}}))
    assert_error(error, "AccessDeniedException", denied_because(
        app.arn, "dynamodb:DeleteItem", table,
        no_allow("identity-based policy", "dynamodb:DeleteItem")), 400)
    assert "Item" in world.backend(PROD, "dynamodb").get_item(
        TableName="app-table", Key={"id": {"S": "order-1"}})


def test_a_users_group_policy_is_its_identity_policy(world: World) -> None:
    grouped = world.user(PROD, "grouped")
    s3 = world.client(grouped, "s3")
    mark = world.mark()
    assert s3.get_object(Bucket="prod-app-data", Key="reports/q1.csv")["Body"].read() == (
        b"content of reports/q1.csv")
    group = f"arn:aws:iam::{PROD}:group/report-readers"
    assert statements(world.decision(mark, "s3:GetObject")) == {
        (inline_policy(group, "read-reports"), "GroupReadsReports")}
    error = world.refused(lambda: s3.get_object(Bucket="prod-app-data", Key="orders/existing.txt"))
    assert_error(error, "AccessDenied", s3_denied(
        arn_user(PROD, "grouped"), "s3:GetObject", "arn:aws:s3:::prod-app-data/orders/existing.txt",
        no_allow("identity-based policy", "s3:GetObject")), 403)


def test_sns_denies_with_its_own_code_and_action_spelling(world: World) -> None:
    """SNS answers AuthorizationError and writes the action as SNS:<Action>."""
    reader = world.session_of(arn_role(PROD, "reader"))
    error = world.refused(lambda: world.client(reader, "sns").publish(TopicArn=TOPIC, Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        reader.arn, "SNS:Publish", TOPIC, no_allow("identity-based policy", "SNS:Publish")), 403)


def test_the_root_user_needs_no_policy_in_its_own_account(world: World) -> None:
    root = world.root(PROD)
    mark = world.mark()
    world.client(root, "s3").put_object(Bucket="prod-app-data", Key="orders/root.txt", Body=b"r")
    assert _object(world, "prod-app-data", "orders/root.txt") == b"r"
    record = world.decision(mark, "s3:PutObject")
    assert (record["principal"], record["decision"]) == (f"arn:aws:iam::{PROD}:root", "allowed")


# --------------------------------------------------------------------------- boundaries


def test_a_boundary_allows_what_both_allow(world: World) -> None:
    bounded = world.session_of(arn_role(PROD, "bounded"))
    world.client(bounded, "s3").put_object(Bucket="prod-app-data", Key="orders/b.txt", Body=b"b")
    assert _object(world, "prod-app-data", "orders/b.txt") == b"b"


def test_a_boundary_without_an_allow_denies_what_the_identity_allows(world: World) -> None:
    bounded = world.session_of(arn_role(PROD, "bounded"))
    mark = world.mark()
    error = world.refused(lambda: world.client(bounded, "sns").publish(TopicArn=TOPIC, Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        bounded.arn, "SNS:Publish", TOPIC, no_allow("permissions boundary", "SNS:Publish")), 403)
    record = world.decision(mark, "sns:Publish")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "permissions boundary")


def test_an_explicit_deny_in_a_boundary_names_the_boundary(world: World) -> None:
    bounded = world.session_of(arn_role(PROD, "bounded"))
    mark = world.mark()
    error = world.refused(lambda: world.client(bounded, "s3").delete_object(
        Bucket="prod-app-data", Key="orders/existing.txt"))
    boundary = arn_policy(PROD, "storage-boundary")
    assert_error(error, "AccessDenied", s3_denied(
        bounded.arn, "s3:DeleteObject", "arn:aws:s3:::prod-app-data/orders/existing.txt",
        explicit("permissions boundary", boundary)), 403)
    assert _object(world, "prod-app-data", "orders/existing.txt") is not None
    assert statements(world.decision(mark, "s3:DeleteObject")) == {
        (boundary, "BoundaryDeniesObjectDeletion")}


# --------------------------------------------------------------------------- session policies

READ_ONLY_SESSION = document({"Sid": "SessionReadOnly", "Effect": "Allow",
                              "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"})


def test_an_inline_session_policy_narrows_the_role(world: World) -> None:
    broad = world.session_of(arn_role(PROD, "broad"), name="narrowed", Policy=READ_ONLY_SESSION)
    s3 = world.client(broad, "s3")
    mark = world.mark()
    assert s3.get_object(Bucket="prod-app-data", Key="orders/existing.txt")["Body"].read()
    record = world.decision(mark, "s3:GetObject")
    assert (inline_policy(arn_role(PROD, "broad"), "broad-permissions"), "AppDataAndOrders") in (
        statements(record))
    error = world.refused(lambda: s3.put_object(Bucket="prod-app-data", Key="orders/s.txt",
                                                Body=b"s"))
    assert_error(error, "AccessDenied", s3_denied(
        broad.arn, "s3:PutObject", "arn:aws:s3:::prod-app-data/orders/s.txt",
        no_allow("session policy", "s3:PutObject")), 403)
    assert _object(world, "prod-app-data", "orders/s.txt") is None
    assert world.decision(mark, "s3:PutObject")["denied_by"] == "session policy"


def test_the_same_role_without_a_session_policy_may_write(world: World) -> None:
    broad = world.session_of(arn_role(PROD, "broad"), name="whole")
    world.client(broad, "s3").put_object(Bucket="prod-app-data", Key="orders/w.txt", Body=b"w")
    assert _object(world, "prod-app-data", "orders/w.txt") == b"w"


def test_an_explicit_deny_in_a_session_policy(world: World) -> None:
    policy = document({"Sid": "EverythingButPublishing", "Effect": "Allow", "Action": "*",
                       "Resource": "*"},
                      {"Sid": "NoPublishingThisSession", "Effect": "Deny", "Action": "sns:Publish",
                       "Resource": "*"})
    broad = world.session_of(arn_role(PROD, "broad"), name="quiet", Policy=policy)
    mark = world.mark()
    error = world.refused(lambda: world.client(broad, "sns").publish(TopicArn=TOPIC, Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        broad.arn, "SNS:Publish", TOPIC, explicit("session policy")), 403)
    record = world.decision(mark, "sns:Publish")
    assert record["denied_by"] == "session policy"
    assert [s["statement"] for s in record["deciding"]] == ["NoPublishingThisSession"]


def test_a_session_policy_cannot_grant_what_the_role_lacks(world: World) -> None:
    everything = document({"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"})
    broad = world.session_of(arn_role(PROD, "broad"), name="greedy", Policy=everything)
    table = f"arn:aws:dynamodb:{REGION}:{PROD}:table/app-table"
    error = world.refused(lambda: world.client(broad, "dynamodb").get_item(
        TableName="app-table", Key={"id": {"S": "x"}}))
    assert_error(error, "AccessDeniedException", denied_because(
        broad.arn, "dynamodb:GetItem", table,
        no_allow("identity-based policy", "dynamodb:GetItem")), 400)


def test_a_malformed_session_policy_is_refused_by_sts_and_issues_nothing(world: World) -> None:
    caller = world.user(PROD)
    before = len(world.store)
    error = world.refused(lambda: world.client(caller, "sts").assume_role(
        RoleArn=arn_role(PROD, "broad"), RoleSessionName="bad",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Permit"}]})))
    assert error.response["Error"]["Code"] == "MalformedPolicyDocument"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(world.store) == before


def test_ec2_denies_with_unauthorized_operation(world: World) -> None:
    """EC2's UnauthorizedOperation starts with its own sentence. (AWS appends an encoded
    authorization failure message to it for mutating calls, which only AWS can decode; the
    harness does not emulate it.)
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"""
    app = world.session_of(APP)
    before = world.backend(PROD, "ec2").describe_vpcs()["Vpcs"]
    mark = world.mark()
    error = world.refused(lambda: world.client(app, "ec2").create_vpc(CidrBlock="10.9.0.0/16"))
    assert_error(error, "UnauthorizedOperation", "You are not authorized to perform this "
                 "operation. " + denied_because(
                     app.arn, "ec2:CreateVpc", f"arn:aws:ec2:{REGION}:{PROD}:vpc/*",
                     no_allow("identity-based policy", "ec2:CreateVpc")), 403)
    assert world.backend(PROD, "ec2").describe_vpcs()["Vpcs"] == before
    assert world.decision(mark, "ec2:CreateVpc")["denied_by"] == "identity-based policy"


# --------------------------------------------------------------------------- federation tokens


def _federated(world: World, name: str, **params: Any) -> Credential:
    issued = world.client(world.user(PROD, "grouped"), "sts").get_federation_token(
        Name=name, **params)["Credentials"]
    recorded = world.store.get(issued["AccessKeyId"])
    assert recorded is not None
    return recorded


def test_a_federated_user_gets_the_intersection_with_its_session_policy(world: World) -> None:
    fed = _federated(world, "fed-reader", Policy=document({
        "Sid": "FederatedReads", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    assert fed.arn == f"arn:aws:sts::{PROD}:federated-user/fed-reader"
    s3 = world.client(fed, "s3")
    assert s3.get_object(Bucket="prod-app-data", Key="reports/q1.csv")["Body"].read()
    error = world.refused(lambda: s3.get_object(Bucket="prod-app-data",
                                                Key="orders/existing.txt"))
    assert_error(error, "AccessDenied", s3_denied(
        fed.arn, "s3:GetObject", "arn:aws:s3:::prod-app-data/orders/existing.txt",
        no_allow("identity-based policy", "s3:GetObject")), 403)


def test_a_federation_token_without_a_policy_has_no_permissions(world: World) -> None:
    """"If you do not pass a policy to this operation, the resulting federated user session
    has no permissions." https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html"""
    fed = _federated(world, "fed-nothing")
    error = world.refused(lambda: world.client(fed, "s3").get_object(
        Bucket="prod-app-data", Key="reports/q1.csv"))
    assert_error(error, "AccessDenied", s3_denied(
        fed.arn, "s3:GetObject", "arn:aws:s3:::prod-app-data/reports/q1.csv",
        no_allow("session policy", "s3:GetObject")), 403)
