"""Managed session policies passed by ARN (AssumeRole PolicyArns) narrow the session, and
GetSessionToken needs no permission.
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import pytest

from harness.gateway.operations import authorization_requests
from tests.gateway.conftest import PROD, World, arn_policy, arn_role, assert_error

pytestmark = pytest.mark.slow


def s3_denied(who: str, action: str, resource: str, reason: str) -> str:
    return f'User: {who} is not authorized to perform: {action} on resource: "{resource}" {reason}'


def test_assume_role_with_policy_arns_maps() -> None:
    made = authorization_requests(
        "sts", "AssumeRole",
        {"RoleArn": arn_role(PROD, "broad"), "RoleSessionName": "s",
         "PolicyArns": [{"arn": arn_policy(PROD, "session-reports-only")}]},
        region="us-east-1", account=PROD, partition="aws")
    assert [(r.action, r.resource) for r in made] == [("sts:AssumeRole", arn_role(PROD, "broad"))]


def test_get_session_token_needs_no_permission() -> None:
    made = authorization_requests(
        "sts", "GetSessionToken",
        {"SerialNumber": f"arn:aws:iam::{PROD}:mfa/caller", "TokenCode": "123456"},
        region="us-east-1", account=PROD, partition="aws")
    assert made == ()


def test_managed_session_policies_by_arn_narrow_the_role(world: World) -> None:
    broad = world.session_of(arn_role(PROD, "broad"), name="reports",
                             PolicyArns=[{"arn": arn_policy(PROD, "session-reports-only")}])
    s3 = world.client(broad, "s3")
    assert s3.get_object(Bucket="prod-app-data", Key="reports/q1.csv")["Body"].read()
    error = world.refused(lambda: s3.get_object(Bucket="prod-app-data",
                                                Key="orders/existing.txt"))
    assert_error(error, "AccessDenied", s3_denied(
        broad.arn, "s3:GetObject", "arn:aws:s3:::prod-app-data/orders/existing.txt",
        "because no session policy allows the s3:GetObject action"), 403)
