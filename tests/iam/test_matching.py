"""Action and Resource matching, from AWS's element reference.

[ACTION]   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
[RESOURCE] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
[ARN]      https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
[VARS]     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import pytest

from harness.iam.context import ContextKeys
from harness.iam.matching import action_matches, resource_matches

ACTION_CASES = [
    # pattern, action, matches — [ACTION]: case-insensitive, * and ? wildcards
    ("s3:GetObject", "s3:GetObject", True),
    ("s3:getobject", "S3:GetObject", True),
    ("s3:*", "s3:PutObject", True),
    ("*", "iam:CreateRole", True),
    ("s3:Get*", "s3:GetObjectAcl", True),
    ("s3:Get*", "s3:PutObject", False),
    ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ("iam:*AccessKey*", "iam:ListAccessKeys", True),
    ("iam:*AccessKey*", "iam:CreateUser", False),
    ("sns:Pub?ish", "sns:Publish", True),
    ("sns:Pub?ish", "sns:Pubish", False),
    ("s3:GetObject", "s3:GetObjectVersion", False),
    ("ec2:*", "ec2messages:GetMessages", False),
]


@pytest.mark.parametrize(("pattern", "action", "expected"), ACTION_CASES)
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert action_matches((pattern,), action) is expected


def test_any_of_several_actions() -> None:
    assert action_matches(("s3:GetObject", "sns:Publish"), "sns:Publish")
    assert not action_matches(("s3:GetObject", "sns:Publish"), "sqs:SendMessage")


RESOURCE_CASES = [
    # pattern, resource, matches — [RESOURCE]
    ("*", "arn:aws:s3:::bucket/key", True),
    ("*", "*", True),
    ("arn:aws:s3:::*", "*", False),  # a request with no resource needs "*"
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt", True),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
    ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-logs", True),
    ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", False),  # case-sensitive
    ("arn:aws:iam::*:role/*", "arn:aws:iam::111111111111:role/path/dev", True),
    ("arn:aws:iam::111111111111:role/dev", "arn:aws:iam::111111111111:role/dev", True),
    ("arn:aws:iam::111111111111:role/dev", "arn:aws:iam::222222222222:role/dev", False),
    ("arn:aws:dynamodb:*:*:table/orders", "arn:aws:dynamodb:us-east-1:1:table/orders", True),
    (
        "arn:aws:dynamodb:*:*:table/orders",
        "arn:aws:dynamodb:us-east-1:1:table/orders/index/x",
        False,
    ),
    # a wildcard in the region segment does not run into the account segment [ARN]
    ("arn:aws:sqs:*111111111111:q", "arn:aws:sqs:us-east-1:111111111111:q", False),
    ("arn:aws:sqs:us-east-?:*:q", "arn:aws:sqs:us-east-1:111111111111:q", True),
    # the resource segment may itself hold colons
    (
        "arn:aws:logs:*:*:log-group:/aws/lambda/*",
        "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/fn:log-stream:x",
        True,
    ),
    ("arn:aws:sns:*:*:order-events", "arn:aws:sns:eu-west-1:111111111111:order-events", True),
    ("arn:aws:sns:*", "arn:aws:sns:eu-west-1:111111111111:order-events", True),
]


@pytest.mark.parametrize(("pattern", "resource", "expected"), RESOURCE_CASES)
def test_resource_matching(pattern: str, resource: str, expected: bool) -> None:
    assert resource_matches((pattern,), resource, ContextKeys(), True) is expected


VARIABLE_CASES = [
    # pattern, resource, keys, variables enabled, matches — [VARS]
    (
        "arn:aws:s3:::home/${aws:username}/*",
        "arn:aws:s3:::home/alice/x",
        {"aws:username": "alice"},
        True,
        True,
    ),
    (
        "arn:aws:s3:::home/${aws:username}/*",
        "arn:aws:s3:::home/bob/x",
        {"aws:username": "alice"},
        True,
        False,
    ),
    (
        "arn:aws:s3:::home/${AWS:UserName}/*",
        "arn:aws:s3:::home/alice/x",
        {"aws:username": "alice"},
        True,
        True,
    ),  # key names are case-insensitive
    ("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", {}, True, False),
    ("arn:aws:s3:::home/${aws:username, 'shared'}/*", "arn:aws:s3:::home/shared/x", {}, True, True),
    # substituted text is literal: a username "*" does not become a wildcard
    (
        "arn:aws:s3:::home/${aws:username}/x",
        "arn:aws:s3:::home/alice/x",
        {"aws:username": "*"},
        True,
        False,
    ),
    ("arn:aws:s3:::home/${*}/x", "arn:aws:s3:::home/*/x", {}, True, True),
    ("arn:aws:s3:::home/${*}/x", "arn:aws:s3:::home/alice/x", {}, True, False),
    (
        "arn:aws:s3:::home/${aws:PrincipalTag/team}/*",
        "arn:aws:s3:::home/payments/x",
        {"aws:PrincipalTag/team": "payments"},
        True,
        True,
    ),
    # under Version 2008-10-17 the text is literal
    (
        "arn:aws:s3:::home/${aws:username}/*",
        "arn:aws:s3:::home/alice/x",
        {"aws:username": "alice"},
        False,
        False,
    ),
]


@pytest.mark.parametrize(("pattern", "resource", "keys", "enabled", "expected"), VARIABLE_CASES)
def test_resource_variables(
    pattern: str, resource: str, keys: dict[str, str], enabled: bool, expected: bool
) -> None:
    assert resource_matches((pattern,), resource, ContextKeys(keys), enabled) is expected


def test_multivalued_key_is_no_variable() -> None:
    keys = ContextKeys({"aws:TagKeys": ["a"]}, multivalued=["aws:TagKeys"])
    assert not resource_matches(("arn:aws:s3:::b/${aws:TagKeys}",), "arn:aws:s3:::b/a", keys, True)
