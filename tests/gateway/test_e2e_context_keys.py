"""End to end: the request context the gateway builds, through policies that test it —
MFA present or absent (GetSessionToken with and without a device), aws:RequestedRegion,
aws:RequestTag and aws:TagKeys on create calls, aws:PrincipalTag from role tags and session
tags, aws:SecureTransport on plain HTTP and over TLS.

Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.gateway.wsgi_client import wsgi_client
from tests.gateway.conftest import (
    PROD,
    REGION,
    World,
    arn_role,
    arn_user,
    assert_error,
    denied_because,
    explicit,
    inline_policy,
    no_allow,
    statements,
)

pytestmark = pytest.mark.slow

TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"
CALLER = arn_user(PROD, "caller")
CALLER_POLICY = inline_policy(CALLER, "caller-permissions")


def s3_denied(who: str, action: str, resource: str, reason: str) -> str:
    return f'User: {who} is not authorized to perform: {action} on resource: "{resource}" {reason}'


def _exists(world: World, bucket: str, key: str) -> bool:
    try:
        world.backend(PROD, "s3").head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def _queue_tags(world: World, name: str) -> dict[str, str] | None:
    sqs = world.backend(PROD, "sqs")
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError:
        return None
    tags: dict[str, str] = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    return tags


# --------------------------------------------------------------------------- MFA


def test_a_long_term_key_carries_no_mfa(world: World) -> None:
    caller = world.user(PROD)
    mark = world.mark()
    error = world.refused(lambda: world.client(caller, "s3").get_object(
        Bucket="prod-app-data", Key="reports/q1.csv"))
    assert_error(error, "AccessDenied", s3_denied(
        CALLER, "s3:GetObject", "arn:aws:s3:::prod-app-data/reports/q1.csv",
        no_allow("identity-based policy", "s3:GetObject")), 403)
    assert "aws:MultiFactorAuthPresent" in world.decision(mark, "s3:GetObject")["missing_keys"]
    error = world.refused(lambda: world.client(caller, "sns").publish(TopicArn=TOPIC,
                                                                      Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        CALLER, "SNS:Publish", TOPIC, explicit("identity-based policy")), 403)
    assert statements(world.decision(mark, "sns:Publish")) == {(CALLER_POLICY,
                                                                "DenyPublishWithoutMfa")}


def test_a_session_token_without_mfa_says_mfa_is_absent(world: World) -> None:
    issued = world.client(world.user(PROD), "sts").get_session_token()["Credentials"]
    session = world.store.get(issued["AccessKeyId"])
    assert session is not None and session.session is not None
    assert not session.session.mfa_present
    error = world.refused(lambda: world.client(session, "sns").publish(TopicArn=TOPIC,
                                                                       Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        CALLER, "SNS:Publish", TOPIC, explicit("identity-based policy")), 403)
    error = world.refused(lambda: world.client(session, "s3").get_object(
        Bucket="prod-app-data", Key="reports/q1.csv"))
    assert error.response["Error"]["Code"] == "AccessDenied"


def test_a_session_token_with_mfa_opens_what_mfa_guards(world: World) -> None:
    session = world.mfa_session(PROD)
    assert world.client(session, "sts").get_caller_identity()["Arn"] == CALLER
    mark = world.mark()
    got = world.client(session, "s3").get_object(Bucket="prod-app-data", Key="reports/q1.csv")
    assert got["Body"].read() == b"content of reports/q1.csv"
    assert statements(world.decision(mark, "s3:GetObject")) == {(CALLER_POLICY,
                                                                 "ReadReportsWithMfa")}
    assert world.client(session, "sns").publish(TopicArn=TOPIC, Message="m")["MessageId"]
    assert world.decision(mark, "sns:Publish")["decision"] == "allowed"


def test_a_trust_policy_may_require_mfa(world: World) -> None:
    role = arn_role(PROD, "mfa-role")
    sts = world.client(world.user(PROD), "sts")
    error = world.refused(lambda: sts.assume_role(RoleArn=role, RoleSessionName="no-mfa"))
    assert_error(error, "AccessDenied", denied_because(CALLER, "sts:AssumeRole", role, ""), 403)
    mark = world.mark()
    session = world.session_of(role, via=world.mfa_session(PROD))
    assert session.arn == f"arn:aws:sts::{PROD}:assumed-role/mfa-role/e2e"
    assert (f"{role} trust policy", "OnlyWithMfa") in statements(
        world.decision(mark, "sts:AssumeRole"))


# --------------------------------------------------------------------------- region


def test_requested_region_in_an_identity_policy_and_in_an_scp(world: World) -> None:
    regional = world.session_of(arn_role(PROD, "regional"))
    east = world.client(regional, "sqs")
    error = world.refused(lambda: east.create_queue(QueueName="regional-east"))
    assert_error(error, "AccessDenied", denied_because(
        regional.arn, "sqs:CreateQueue", f"arn:aws:sqs:us-east-1:{PROD}:regional-east",
        no_allow("identity-based policy", "sqs:CreateQueue")), 403)
    world.client(regional, "sqs", region="eu-west-1").create_queue(QueueName="regional-west")
    assert world.backend(PROD, "sqs", "eu-west-1").get_queue_url(QueueName="regional-west")
    far = world.client(regional, "sqs", region="ap-southeast-2")
    error = world.refused(lambda: far.create_queue(QueueName="regional-far"))
    assert_error(error, "AccessDenied", denied_because(
        regional.arn, "sqs:CreateQueue", f"arn:aws:sqs:ap-southeast-2:{PROD}:regional-far",
        explicit("service control policy", world.policy_arns["RootGuardrails"])), 403)


# --------------------------------------------------------------------------- request tags


def test_request_tags_and_tag_keys_on_a_create_call(world: World) -> None:
    creator = world.session_of(arn_role(PROD, "creator"))
    sqs = world.client(creator, "sqs")
    mark = world.mark()
    sqs.create_queue(QueueName="tagged-ok", tags={"team": "orders", "env": "prod"})
    assert _queue_tags(world, "tagged-ok") == {"team": "orders", "env": "prod"}
    policy = inline_policy(arn_role(PROD, "creator"), "create-tagged")
    for action in ("sqs:CreateQueue", "sqs:TagQueue"):
        assert statements(world.decision(mark, action)) == {(policy, "CreateTaggedQueues")}


@pytest.mark.parametrize("tags", [{"team": "payments"}, {"team": "orders", "cost": "x"}, None],
                         ids=["wrong-value", "unlisted-key", "untagged"])
def test_a_create_call_with_other_tags_is_denied(world: World, tags: dict[str, str] | None
                                                 ) -> None:
    creator = world.session_of(arn_role(PROD, "creator"))
    sqs = world.client(creator, "sqs")
    name = f"tagged-{'none' if tags is None else len(tags)}-{sorted(tags or {})[0:1]}"
    name = "".join(ch for ch in name if ch.isalnum() or ch == "-")
    params: dict[str, Any] = {"QueueName": name}
    if tags is not None:
        params["tags"] = tags
    mark = world.mark()
    error = world.refused(lambda: sqs.create_queue(**params))
    assert_error(error, "AccessDenied", denied_because(
        creator.arn, "sqs:CreateQueue", f"arn:aws:sqs:{REGION}:{PROD}:{name}",
        no_allow("identity-based policy", "sqs:CreateQueue")), 403)
    assert _queue_tags(world, name) is None
    if tags is None:
        assert "aws:RequestTag/team" in world.decision(mark, "sqs:CreateQueue")["missing_keys"]


def test_request_tags_on_sns_create_topic(world: World) -> None:
    creator = world.session_of(arn_role(PROD, "creator"))
    sns = world.client(creator, "sns")
    created = sns.create_topic(Name="team-topic", Tags=[{"Key": "team", "Value": "orders"}])
    assert created["TopicArn"] == f"arn:aws:sns:{REGION}:{PROD}:team-topic"
    untagged = f"arn:aws:sns:{REGION}:{PROD}:untagged-topic"
    error = world.refused(lambda: sns.create_topic(Name="untagged-topic"))
    assert_error(error, "AuthorizationError", denied_because(
        creator.arn, "SNS:CreateTopic", untagged,
        no_allow("identity-based policy", "SNS:CreateTopic")), 403)
    topics = world.backend(PROD, "sns").list_topics()["Topics"]
    assert {"TopicArn": untagged} not in topics


# --------------------------------------------------------------------------- principal tags


def test_principal_tags_come_from_the_role(world: World) -> None:
    tagged = world.session_of(arn_role(PROD, "tagged"), name="role-tags")
    s3 = world.client(tagged, "s3")
    s3.put_object(Bucket="prod-app-data", Key="teams/orders/r.txt", Body=b"r")
    assert _exists(world, "prod-app-data", "teams/orders/r.txt")
    error = world.refused(lambda: s3.put_object(Bucket="prod-app-data",
                                                Key="teams/payments/r.txt", Body=b"r"))
    assert_error(error, "AccessDenied", s3_denied(
        tagged.arn, "s3:PutObject", "arn:aws:s3:::prod-app-data/teams/payments/r.txt",
        no_allow("identity-based policy", "s3:PutObject")), 403)
    assert not _exists(world, "prod-app-data", "teams/payments/r.txt")


def test_session_tags_override_the_roles_tags(world: World) -> None:
    tagged = world.session_of(arn_role(PROD, "tagged"), name="session-tags",
                              Tags=[{"Key": "team", "Value": "payments"}])
    s3 = world.client(tagged, "s3")
    s3.put_object(Bucket="prod-app-data", Key="teams/payments/s.txt", Body=b"s")
    assert _exists(world, "prod-app-data", "teams/payments/s.txt")
    error = world.refused(lambda: s3.put_object(Bucket="prod-app-data",
                                                Key="teams/orders/s.txt", Body=b"s"))
    assert error.response["Error"]["Code"] == "AccessDenied"
    assert not _exists(world, "prod-app-data", "teams/orders/s.txt")


# --------------------------------------------------------------------------- resource tags


def _bodies(world: World, queue: str) -> list[str]:
    sqs = world.backend(PROD, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [m["Body"] for m in found]


def test_resource_tags_match_principal_tags(world: World) -> None:
    abac = world.session_of(arn_role(PROD, "abac"))
    sqs = world.client(abac, "sqs")
    mark = world.mark()
    sqs.send_message(QueueUrl=world.queue_url(PROD, "orders-q"), MessageBody="own team")
    assert _bodies(world, "orders-q") == ["own team"]
    assert statements(world.decision(mark, "sqs:SendMessage")) == {
        (inline_policy(arn_role(PROD, "abac"), "team-queues"), "SendToOwnTeamQueues")}
    error = world.refused(lambda: sqs.send_message(QueueUrl=world.queue_url(PROD, "payments-q"),
                                                   MessageBody="other team"))
    assert_error(error, "AccessDenied", denied_because(
        abac.arn, "sqs:SendMessage", f"arn:aws:sqs:{REGION}:{PROD}:payments-q",
        no_allow("identity-based policy", "sqs:SendMessage")), 403)
    assert _bodies(world, "payments-q") == []


def test_a_deny_on_a_resource_tag_is_enforced(world: World) -> None:
    """Without the resource's tags in the context, this Deny would never match: fail open."""
    world.backend(PROD, "sqs").send_message(
        QueueUrl=world.backend(PROD, "sqs").get_queue_url(QueueName="orders-q")["QueueUrl"],
        MessageBody="keep")
    abac = world.session_of(arn_role(PROD, "abac"))
    sqs = world.client(abac, "sqs")
    mark = world.mark()
    error = world.refused(lambda: sqs.purge_queue(QueueUrl=world.queue_url(PROD, "orders-q")))
    assert_error(error, "AccessDenied", denied_because(
        abac.arn, "sqs:PurgeQueue", f"arn:aws:sqs:{REGION}:{PROD}:orders-q",
        explicit("identity-based policy")), 403)
    assert _bodies(world, "orders-q") == ["keep"]
    assert statements(world.decision(mark, "sqs:PurgeQueue")) == {
        (inline_policy(arn_role(PROD, "abac"), "team-queues"), "ProtectTaggedQueues")}
    sqs.purge_queue(QueueUrl=world.queue_url(PROD, "payments-q"))


# --------------------------------------------------------------------------- transport


def test_plain_http_is_not_secure_transport(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    mark = world.mark()
    error = world.refused(lambda: world.client(admin, "s3").get_object(
        Bucket="prod-tls-only", Key="doc.txt"))
    assert_error(error, "AccessDenied", s3_denied(
        admin.arn, "s3:GetObject", "arn:aws:s3:::prod-tls-only/doc.txt",
        explicit("resource-based policy")), 403)
    assert statements(world.decision(mark, "s3:GetObject")) == {
        ("arn:aws:s3:::prod-tls-only resource policy", "DenyInsecureTransport")}


def test_the_same_request_over_tls_is_allowed(world: World) -> None:
    """The gateway is a WSGI app: called in-process with an https scheme, as a TLS-terminating
    server would call it."""
    admin = world.session_of(arn_role(PROD, "admin"))
    s3 = wsgi_client(world.gateway, "s3", region=REGION, access_key_id=admin.access_key_id,
                     secret_access_key=admin.secret_access_key,
                     session_token=admin.session_token)
    mark = world.mark()
    assert s3.get_object(Bucket="prod-tls-only", Key="doc.txt")["Body"].read() == (
        b"content of doc.txt")
    assert world.decision(mark, "s3:GetObject")["decision"] == "allowed"
