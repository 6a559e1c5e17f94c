"""End to end: resource-based policies (S3 bucket, SNS topic, SQS queue policies), in the same
account and across accounts, granting and denying, and anonymous S3.

Same account: the identity policy or a resource policy naming the caller closely enough grants.
Cross account: both sides must allow.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.gateway.backend_state import FAILS_CLOSED_SID, SET_ASIDE_SID, BackendState
from tests.gateway.conftest import (
    OUTSIDE,
    PROD,
    REGION,
    SHARED,
    World,
    arn_role,
    arn_session,
    assert_error,
    denied_because,
    document,
    explicit,
    no_allow,
    statements,
)

pytestmark = pytest.mark.slow

DOCS = "arn:aws:s3:::prod-shared-docs"
DOCS_POLICY = f"{DOCS} resource policy"
TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"
SHARED_WORK = f"arn:aws:sqs:{REGION}:{SHARED}:shared-work"


def s3_denied(who: str, action: str, resource: str, reason: str) -> str:
    return f'User: {who} is not authorized to perform: {action} on resource: "{resource}" {reason}'


def _exists(world: World, account: str, bucket: str, key: str) -> bool:
    try:
        world.backend(account, "s3").head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def _messages(world: World, account: str, queue: str) -> list[str]:
    sqs = world.backend(account, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    found: list[dict[str, Any]] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
        "Messages", [])
    return [m["Body"] for m in found]


# --------------------------------------------------------------------------- same account


def test_naming_the_account_delegates_to_the_identity_policies(world: World) -> None:
    reader = world.session_of(arn_role(PROD, "reader"))
    error = world.refused(lambda: world.client(reader, "s3").get_object(
        Bucket="prod-shared-docs", Key="docs/guide.txt"))
    assert_error(error, "AccessDenied", s3_denied(
        reader.arn, "s3:GetObject", f"{DOCS}/docs/guide.txt",
        no_allow("identity-based policy", "s3:GetObject")), 403)
    admin = world.session_of(arn_role(PROD, "admin"))
    mark = world.mark()
    body = world.client(admin, "s3").get_object(Bucket="prod-shared-docs", Key="docs/guide.txt")
    assert body["Body"].read() == b"content of docs/guide.txt"
    assert (DOCS_POLICY, "AccountMayRead") in statements(world.decision(mark, "s3:GetObject"))


def test_naming_the_role_grants_without_an_identity_policy(world: World) -> None:
    reader = world.session_of(arn_role(PROD, "reader"))
    mark = world.mark()
    listed = world.client(reader, "s3").list_objects_v2(Bucket="prod-shared-docs")
    assert [item["Key"] for item in listed["Contents"]] == ["docs/guide.txt"]
    assert statements(world.decision(mark, "s3:ListBucket")) == {(DOCS_POLICY,
                                                                  "ReaderRoleMayList")}


def test_naming_the_session_grants_that_session_only(world: World) -> None:
    named = world.session_of(arn_role(PROD, "reader"), name="named-session")
    assert named.arn == arn_session(PROD, "reader", "named-session")
    world.client(named, "s3").put_object(Bucket="prod-shared-docs", Key="inbox/n.txt", Body=b"n")
    assert _exists(world, PROD, "prod-shared-docs", "inbox/n.txt")
    other = world.session_of(arn_role(PROD, "reader"), name="other-session")
    error = world.refused(lambda: world.client(other, "s3").put_object(
        Bucket="prod-shared-docs", Key="inbox/o.txt", Body=b"o"))
    assert_error(error, "AccessDenied", s3_denied(
        other.arn, "s3:PutObject", f"{DOCS}/inbox/o.txt",
        no_allow("identity-based policy", "s3:PutObject")), 403)
    assert not _exists(world, PROD, "prod-shared-docs", "inbox/o.txt")


def test_an_explicit_deny_in_a_bucket_policy_stops_an_administrator(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    mark = world.mark()
    error = world.refused(lambda: world.client(admin, "s3").delete_object(
        Bucket="prod-shared-docs", Key="docs/guide.txt"))
    assert_error(error, "AccessDenied", s3_denied(
        admin.arn, "s3:DeleteObject", f"{DOCS}/docs/guide.txt",
        explicit("resource-based policy")), 403)
    assert _exists(world, PROD, "prod-shared-docs", "docs/guide.txt")
    record = world.decision(mark, "s3:DeleteObject")
    assert (record["decision"], statements(record)) == ("explicitDeny",
                                                       {(DOCS_POLICY, "NobodyDeletes")})


# --------------------------------------------------------------------------- cross account


def test_cross_account_needs_the_identity_side_and_the_resource_side(world: World) -> None:
    partner = world.session_of(arn_role(OUTSIDE, "partner"))
    mark = world.mark()
    got = world.client(partner, "s3").get_object(Bucket="prod-shared-docs", Key="docs/guide.txt")
    assert got["Body"].read() == b"content of docs/guide.txt"
    assert statements(world.decision(mark, "s3:GetObject")) == {
        (f"inline policy partner-access of {arn_role(OUTSIDE, 'partner')}", "PartnerAccess"),
        (DOCS_POLICY, "PartnerMayRead")}


def test_cross_account_without_an_identity_policy_is_denied(world: World) -> None:
    """S3 gives no context to callers outside the bucket owner's account and organisation."""
    bystander = world.session_of(arn_role(OUTSIDE, "bystander"))
    mark = world.mark()
    error = world.refused(lambda: world.client(bystander, "s3").get_object(
        Bucket="prod-shared-docs", Key="docs/guide.txt"))
    assert_error(error, "AccessDenied", "Access Denied", 403)
    record = world.decision(mark, "s3:GetObject")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "identity-based policy")


def test_cross_account_without_a_resource_grant_is_denied(world: World) -> None:
    partner = world.session_of(arn_role(OUTSIDE, "partner"))
    mark = world.mark()
    error = world.refused(lambda: world.client(partner, "s3").put_object(
        Bucket="prod-shared-docs", Key="inbox/p.txt", Body=b"p"))
    assert_error(error, "AccessDenied", "Access Denied", 403)
    assert not _exists(world, PROD, "prod-shared-docs", "inbox/p.txt")
    assert world.decision(mark, "s3:PutObject")["denied_by"] == "resource-based policy"


def test_cross_account_explicit_deny_in_a_bucket_policy(world: World) -> None:
    partner = world.session_of(arn_role(OUTSIDE, "partner"))
    mark = world.mark()
    error = world.refused(lambda: world.client(partner, "s3").put_object(
        Bucket="prod-shared-docs", Key="docs/p.txt", Body=b"p"))
    assert_error(error, "AccessDenied", "Access Denied", 403)
    assert statements(world.decision(mark, "s3:PutObject")) == {(DOCS_POLICY,
                                                                 "PartnerNeverWritesDocs")}


def test_cross_account_sns_publish_both_sides(world: World) -> None:
    partner = world.session_of(arn_role(OUTSIDE, "partner"))
    mark = world.mark()
    assert world.client(partner, "sns").publish(TopicArn=TOPIC, Message="hello")["MessageId"]
    assert (f"{TOPIC} resource policy", "PartnerMayPublish") in statements(
        world.decision(mark, "sns:Publish"))
    bystander = world.session_of(arn_role(OUTSIDE, "bystander"))
    error = world.refused(lambda: world.client(bystander, "sns").publish(TopicArn=TOPIC,
                                                                         Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        bystander.arn, "SNS:Publish", TOPIC, no_allow("identity-based policy", "SNS:Publish")),
        403)
    internal = f"arn:aws:sns:{REGION}:{PROD}:internal"
    error = world.refused(lambda: world.client(partner, "sns").publish(TopicArn=internal,
                                                                       Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        partner.arn, "SNS:Publish", internal, no_allow("resource-based policy", "SNS:Publish")),
        403)


def test_cross_account_explicit_deny_in_a_topic_policy(world: World) -> None:
    partner = world.session_of(arn_role(OUTSIDE, "partner"))
    before = world.backend(PROD, "sns").list_subscriptions_by_topic(TopicArn=TOPIC)
    error = world.refused(lambda: world.client(partner, "sns").subscribe(
        TopicArn=TOPIC, Protocol="email", Endpoint="spy@example.com"))
    assert_error(error, "AuthorizationError", denied_because(
        partner.arn, "SNS:Subscribe", TOPIC, explicit("resource-based policy")), 403)
    after = world.backend(PROD, "sns").list_subscriptions_by_topic(TopicArn=TOPIC)
    assert after["Subscriptions"] == before["Subscriptions"]


def test_cross_account_in_the_organisation_sqs_queue_policy(world: World) -> None:
    app = world.session_of(arn_role(PROD, "app"))
    mark = world.mark()
    world.client(app, "sqs").send_message(QueueUrl=world.queue_url(SHARED, "shared-work"),
                                          MessageBody="from prod")
    assert _messages(world, SHARED, "shared-work") == ["from prod"]
    assert (f"{SHARED_WORK} resource policy", "ProdAppMaySend") in statements(
        world.decision(mark, "sqs:SendMessage"))
    bounded = world.session_of(arn_role(PROD, "bounded"))
    error = world.refused(lambda: world.client(bounded, "sqs").send_message(
        QueueUrl=world.queue_url(SHARED, "shared-work"), MessageBody="not from app"))
    assert_error(error, "AccessDenied", denied_because(
        bounded.arn, "sqs:SendMessage", SHARED_WORK,
        no_allow("resource-based policy", "sqs:SendMessage")), 403)
    assert _messages(world, SHARED, "shared-work") == []


def test_an_explicit_deny_in_a_queue_policy_stops_the_owner(world: World) -> None:
    world.backend(SHARED, "sqs").send_message(
        QueueUrl=world.backend(SHARED, "sqs").get_queue_url(QueueName="shared-work")["QueueUrl"],
        MessageBody="keep me")
    admin = world.session_of(arn_role(SHARED, "admin"))
    error = world.refused(lambda: world.client(admin, "sqs").purge_queue(
        QueueUrl=world.queue_url(SHARED, "shared-work")))
    assert_error(error, "AccessDenied", denied_because(
        admin.arn, "sqs:PurgeQueue", SHARED_WORK, explicit("resource-based policy")), 403)
    assert _messages(world, SHARED, "shared-work") == ["keep me"]


# --------------------------------------------------------------------------- anonymous


def test_anonymous_reads_only_what_a_public_statement_allows(world: World) -> None:
    """Anonymous callers are in no account: only a resource policy naming "*" lets them in,
    and S3 tells them no more than "Access Denied"."""
    anonymous = world.anonymous("s3")
    mark = world.mark()
    got = anonymous.get_object(Bucket="prod-public-assets", Key="public/logo.txt")
    assert got["Body"].read() == b"content of public/logo.txt"
    record = world.decision(mark, "s3:GetObject")
    assert (record["principal"], statements(record)) == (
        "anonymous", {("arn:aws:s3:::prod-public-assets resource policy", "PublicRead")})
    error = world.refused(lambda: anonymous.get_object(Bucket="prod-public-assets",
                                                       Key="private/plan.txt"))
    assert_error(error, "AccessDenied", "Access Denied", 403)
    error = world.refused(lambda: anonymous.put_object(Bucket="prod-public-assets",
                                                       Key="public/x.txt", Body=b"x"))
    assert_error(error, "AccessDenied", "Access Denied", 403)
    assert not _exists(world, PROD, "prod-public-assets", "public/x.txt")
    error = world.refused(lambda: anonymous.get_object(Bucket="prod-app-data",
                                                       Key="reports/q1.csv"))
    assert_error(error, "AccessDenied", "Access Denied", 403)


# --------------------------------------------------------------------------- the cache


def test_a_policy_put_through_the_endpoint_decides_the_next_call(world: World) -> None:
    reader = world.session_of(arn_role(PROD, "reader"))
    s3 = world.client(reader, "s3")
    denied = s3_denied(reader.arn, "s3:GetObject", "arn:aws:s3:::prod-policy-later/note.txt",
                       no_allow("identity-based policy", "s3:GetObject"))
    assert_error(world.refused(lambda: s3.get_object(Bucket="prod-policy-later",
                                                     Key="note.txt")),
                 "AccessDenied", denied, 403)
    admin = world.client(world.session_of(arn_role(PROD, "admin")), "s3")
    admin.put_bucket_policy(Bucket="prod-policy-later", Policy=document({
        "Sid": "ReaderMayRead", "Effect": "Allow", "Principal": {"AWS": arn_role(PROD, "reader")},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-policy-later/*"}))
    mark = world.mark()
    assert s3.get_object(Bucket="prod-policy-later", Key="note.txt")["Body"].read()
    assert statements(world.decision(mark, "s3:GetObject")) == {
        ("arn:aws:s3:::prod-policy-later resource policy", "ReaderMayRead")}
    admin.delete_bucket_policy(Bucket="prod-policy-later")
    assert_error(world.refused(lambda: s3.get_object(Bucket="prod-policy-later",
                                                     Key="note.txt")),
                 "AccessDenied", denied, 403)


def test_a_policy_read_while_a_write_passes_through_is_not_kept(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that passes through while a policy is being read makes that reading stale: it
    answers the request that made it, but is not cached for the next one."""
    held = world.gateway.backend_state
    real = BackendState._load_resource_policy

    def racing(self: BackendState, *args: Any) -> Any:
        found = real(self, *args)
        self.invalidate()  # a PutBucketPolicy passed through meanwhile
        return found

    monkeypatch.setattr(BackendState, "_load_resource_policy", racing)
    held.invalidate()
    assert held.resource_policy("s3", DOCS, PROD, REGION) is not None
    monkeypatch.setattr(BackendState, "_load_resource_policy", real)
    calls: list[str] = []

    def counted(self: BackendState, service: str, arn: str, *args: Any) -> Any:
        calls.append(arn)
        return real(self, service, arn, *args)

    monkeypatch.setattr(BackendState, "_load_resource_policy", counted)
    held.resource_policy("s3", DOCS, PROD, REGION)
    assert calls == [DOCS], "the stale reading was served from the cache"


def test_an_unreadable_resource_policy_is_read_as_its_stand_in(world: World) -> None:
    """A policy AWS would have refused but the backend holds fails closed for everything but
    the calls that replace or delete it (harness.gateway.backend_state.unreadable_stand_in)."""
    held, s3 = world.gateway.backend_state, world.backend(PROD, "s3")
    s3.put_bucket_policy(Bucket="prod-keep", Policy='{"Statement": "none"}')
    held.invalidate()
    try:
        policy = held.resource_policy("s3", "arn:aws:s3:::prod-keep", PROD, REGION)
    finally:
        s3.delete_bucket_policy(Bucket="prod-keep")
        held.invalidate()
    assert policy is not None
    assert policy.name == (
        "arn:aws:s3:::prod-keep resource policy, unreadable (MalformedPolicyDocument: expected "
        "an object or a list of objects, found a string at Statement)")
    replacing = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy")
    assert [(s.sid, s.effect.value, s.actions, s.not_actions) for s in policy.statements] == [
        (SET_ASIDE_SID, "Allow", replacing, None), (FAILS_CLOSED_SID, "Deny", None, replacing)]
    owner, everyone = (s.principal for s in policy.statements)
    assert owner is not None and owner.values("AWS") == (f"arn:aws:iam::{PROD}:root",)
    assert everyone is not None and everyone.wildcard
