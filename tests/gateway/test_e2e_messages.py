"""AccessDenied messages name the denying policy as AWS does: RCP and session-policy ARNs
within the organisation, and no resource for actions that have none.
https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns/
"""

from __future__ import annotations

import pytest

from tests.gateway.conftest import (
    PROD,
    RCP,
    REGION,
    SHARED,
    World,
    arn_policy,
    arn_role,
    assert_error,
    denied_because,
    document,
    explicit,
)

pytestmark = pytest.mark.slow

TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"


def test_a_deny_in_a_session_policy_by_arn_names_it(world: World) -> None:
    broad = world.session_of(arn_role(PROD, "broad"), name="no-publishing",
                             PolicyArns=[{"arn": arn_policy(PROD, "session-no-publishing")}])
    error = world.refused(lambda: world.client(broad, "sns").publish(TopicArn=TOPIC,
                                                                     Message="m"))
    assert_error(error, "AuthorizationError", denied_because(
        broad.arn, "SNS:Publish", TOPIC,
        explicit("session policy", arn_policy(PROD, "session-no-publishing"))), 403)


def test_a_deny_in_an_rcp_names_it_within_the_organisation(world: World) -> None:
    org = world.backend("100000000001", "organizations")
    created = org.create_policy(
        Name="NoPurging", Description="no purging", Type=RCP,
        Content=document({"Sid": "NoPurging", "Effect": "Deny", "Principal": "*",
                          "Action": "sqs:PurgeQueue", "Resource": "*"}))["Policy"][
        "PolicySummary"]
    org.attach_policy(PolicyId=created["Id"], TargetId=SHARED)
    world.gateway.backend_state.invalidate()
    admin = world.session_of(arn_role(SHARED, "admin"))
    error = world.refused(lambda: world.client(admin, "sqs").purge_queue(
        QueueUrl=world.queue_url(SHARED, "work")))
    assert_error(error, "AccessDenied", denied_because(
        admin.arn, "sqs:PurgeQueue", f"arn:aws:sqs:{REGION}:{SHARED}:work",
        explicit("resource control policy", created["Arn"])), 403)


def test_an_action_without_a_resource_names_none(world: World) -> None:
    app = world.session_of(arn_role(PROD, "app"))
    error = world.refused(lambda: world.client(app, "ec2").describe_vpcs())
    assert_error(error, "UnauthorizedOperation", (
        "You are not authorized to perform this operation. "
        f"User: {app.arn} is not authorized to perform: ec2:DescribeVpcs because no "
        "identity-based policy allows the ec2:DescribeVpcs action"), 403)
