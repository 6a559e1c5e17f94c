"""ArnEquals, ArnLike, ArnNotEquals, ArnNotLike.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
("Each of the six colon-delimited components of the ARN is checked separately and each can
include multi-character match wildcards (*) or single-character match wildcards (?). The
ArnEquals and ArnLike condition operators behave identically.")
"""

from __future__ import annotations

import pytest

from harness.iam.conditions import conditions_match, validate_condition_values
from harness.iam.conditions.arn import split_arn
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition

TOPIC = "arn:aws:sns:us-east-1:123456789012:orders"
FINANCE = "arn:aws:someservice:*:111122223333:finance/*"
TRICKY = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"


def holds(
    operator: str,
    values: tuple[str, ...],
    context: str | None,
    *,
    variables: bool = True,
    others: dict[str, str] | None = None,
) -> bool:
    keys = ContextKeys(others or {})
    if context is not None:
        keys.set("aws:SourceArn", context)
    condition = Condition(operator, "aws:SourceArn", values)
    return conditions_match([condition], keys, variables_enabled=variables)


# (operator, policy values, context value or None for missing, expected)
CASES = [
    # The documented SQS queue-policy example: ArnEquals aws:SourceArn <topic ARN>.
    ("ArnEquals", (TOPIC,), TOPIC, True),
    ("ArnEquals", (TOPIC,), TOPIC.replace("orders", "refunds"), False),
    # "If an IAM user attempts to perform this operation directly, the condition returns false"
    # (aws:SourceArn absent).
    ("ArnEquals", (TOPIC,), None, False),
    # The documented StringLike-vs-ArnLike example: ArnLike fails, StringLike succeeds.
    ("ArnLike", (FINANCE,), TRICKY, False),
    ("StringLike", (FINANCE,), TRICKY, True),
    ("ArnLike", (FINANCE,), "arn:aws:someservice:us-east-2:111122223333:finance/doc.txt", True),
    # ArnEquals and ArnLike behave identically: both take wildcards, component by component.
    ("ArnEquals", (FINANCE,), "arn:aws:someservice:eu-west-1:111122223333:finance/x", True),
    ("ArnLike", ("arn:aws:sns:*:123456789012:*",), TOPIC, True),
    ("ArnLike", ("arn:aws:sns:us-east-?:123456789012:orders",), TOPIC, True),
    ("ArnLike", ("arn:aws:sns:us-east-?:123456789012:orders",), TOPIC.replace("-1", "-10"), False),
    ("ArnLike", ("arn:aws:*:*:*:*",), TOPIC, True),
    ("ArnLike", ("arn:*:*:*:*:*",), "arn:aws:s3:::bucket/key", True),
    # A * never spans a colon before the resource…
    ("ArnLike", ("arn:aws:*:123456789012:orders",), TOPIC, False),
    # …but the resource is everything after the fifth colon, colons included.
    (
        "ArnLike",
        ("arn:aws:logs:*:123456789012:*",),
        "arn:aws:logs:eu-west-1:123456789012:log-group:g:*",
        True,
    ),
    (
        "ArnLike",
        ("arn:aws:logs:*:*:log-group:g:*",),
        "arn:aws:logs:eu-west-1:1:log-group:g:log-stream:s",
        True,
    ),
    (
        "ArnEquals",
        ("arn:aws:lambda:us-east-1:1:function:f:1",),
        "arn:aws:lambda:us-east-1:1:function:f:2",
        False,
    ),
    # Empty components (S3 has neither region nor account).
    ("ArnEquals", ("arn:aws:s3:::bucket",), "arn:aws:s3:::bucket", True),
    ("ArnLike", ("arn:aws:s3:::bucket/*",), "arn:aws:s3:::bucket/a/b", True),
    ("ArnLike", ("arn:aws:s3:::bucket/*",), "arn:aws:s3:::other/a", False),
    ("ArnLike", ("arn:aws:s3:*:*:bucket",), "arn:aws:s3:::bucket", True),
    # Case-sensitive.
    ("ArnEquals", (TOPIC,), TOPIC.upper(), False),
    (
        "ArnLike",
        ("arn:aws:iam::123456789012:role/Admin*",),
        "arn:aws:iam::123456789012:role/admin",
        False,
    ),
    # Several values are OR-ed.
    ("ArnLike", ("arn:aws:sns:*:1:a", TOPIC), TOPIC, True),
    # A context value that is not an ARN matches nothing, for the negated operators too.
    ("ArnLike", ("*",), "not-an-arn", False),
    ("ArnLike", ("arn:aws:*:*:*:*",), "arn:aws:sns:us-east-1:123456789012", False),
    ("ArnNotLike", (TOPIC,), "not-an-arn", False),
    # An empty value is null — an absent key — not a non-ARN: the negated operators hold.
    ("ArnNotEquals", (TOPIC,), "", True),
    ("ArnEquals", (TOPIC,), "", False),
    ("ArnLikeIfExists", (TOPIC,), "", True),
    # A policy value that is not an ARN never matches.
    ("ArnLike", ("*",), TOPIC, False),
    ("ArnNotLike", ("*",), TOPIC, True),
    # Negated operators: NOR over the values; true when the key is absent (the operators page:
    # "such as StringNotLike or ArnNotLike, and the right key is not present, the condition is
    # true").
    ("ArnNotLike", ("arn:aws:sns:*:123456789012:*",), TOPIC, False),
    ("ArnNotLike", ("arn:aws:sns:*:999999999999:*",), TOPIC, True),
    ("ArnNotEquals", ("arn:aws:sns:*:999999999999:*", TOPIC), TOPIC, False),
    ("ArnNotLike", (TOPIC,), None, True),
    ("ArnNotEquals", (TOPIC,), None, True),
    # IfExists.
    ("ArnLikeIfExists", (TOPIC,), None, True),
    ("ArnLikeIfExists", (TOPIC,), TOPIC.replace("orders", "x"), False),
    ("ArnNotLikeIfExists", (TOPIC,), TOPIC, False),
    ("ArnEqualsIfExists", (TOPIC,), TOPIC, True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), CASES)
def test_arn_operators(
    operator: str, values: tuple[str, ...], context: str | None, expected: bool
) -> None:
    assert holds(operator, values, context) is expected


PRINCIPAL = {
    "aws:username": "alice",
    "aws:PrincipalAccount": "123456789012",
    "aws:RequestedRegion": "eu-west-1",
}

# Operators page: "You can use a policy variable with the ARN condition operator."
VARIABLE_CASES = [
    ("ArnLike", ("arn:aws:iam::*:user/${aws:username}",), "arn:aws:iam::1:user/alice", True),
    ("ArnLike", ("arn:aws:iam::*:user/${aws:username}",), "arn:aws:iam::1:user/bob", False),
    ("ArnEquals", ("arn:aws:sns:*:${aws:PrincipalAccount}:*",), TOPIC, True),
    # A colon inside ${…} does not cut the ARN.
    (
        "ArnLike",
        ("arn:aws:sqs:${aws:RequestedRegion}:${aws:PrincipalAccount}:q",),
        "arn:aws:sqs:eu-west-1:123456789012:q",
        True,
    ),
    (
        "ArnLike",
        ("arn:aws:sqs:${aws:RequestedRegion}:${aws:PrincipalAccount}:q",),
        "arn:aws:sqs:us-east-1:123456789012:q",
        False,
    ),
    ("ArnNotLike", ("arn:aws:iam::*:user/${aws:username}",), "arn:aws:iam::1:user/alice", False),
    ("ArnLike", ("arn:aws:s3:::b/${aws:username, 'anon'}/*",), "arn:aws:s3:::b/alice/k", True),
    ("ArnLike", ("arn:aws:s3:::b/${aws:userid, 'anon'}/*",), "arn:aws:s3:::b/anon/k", True),
    # Escapes: ${*} is a literal asterisk.
    ("ArnLike", ("arn:aws:s3:::b/${*}",), "arn:aws:s3:::b/*", True),
    ("ArnLike", ("arn:aws:s3:::b/${*}",), "arn:aws:s3:::b/x", False),
    # A variable with no value makes the policy ARN null (reference_policies_variables.html
    # #policy-vars-no-value): the positive operators never match it, the negated ones hold.
    ("ArnLike", ("arn:aws:iam::*:user/${aws:SourceIdentity}",), "arn:aws:iam::1:user/x", False),
    ("ArnEquals", ("arn:aws:iam::*:user/${aws:SourceIdentity}",), "arn:aws:iam::1:user/x", False),
    ("ArnNotLike", ("arn:aws:iam::*:user/${aws:SourceIdentity}",), "arn:aws:iam::1:user/x", True),
    ("ArnNotEquals", ("arn:aws:iam::*:user/${aws:SourceIdentity}",), "arn:aws:iam::1:user/x",
     True),
    # Still no ARN: a context value that is not one is never compared, not even by the negated.
    ("ArnNotLike", ("arn:aws:iam::*:user/${aws:SourceIdentity}",), "not-an-arn", False),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), VARIABLE_CASES)
def test_arn_policy_variables(
    operator: str, values: tuple[str, ...], context: str, expected: bool
) -> None:
    assert holds(operator, values, context, others=PRINCIPAL) is expected


def test_variables_are_literal_under_2008() -> None:
    value = ("arn:aws:iam::*:user/${aws:username}",)
    assert not holds(
        "ArnLike", value, "arn:aws:iam::1:user/alice", variables=False, others=PRINCIPAL
    )
    assert holds(
        "ArnLike", value, "arn:aws:iam::1:user/${aws:username}", variables=False, others=PRINCIPAL
    )


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("arn:aws:s3:::b", False, ("arn", "aws", "s3", "", "", "b")),
        (
            "arn:aws:logs:r:1:log-group:g:*",
            False,
            ("arn", "aws", "logs", "r", "1", "log-group:g:*"),
        ),
        ("arn:aws:s3::", False, None),
        ("*", False, None),
        ("arn:aws:sqs:${aws:x}:1:q", True, ("arn", "aws", "sqs", "${aws:x}", "1", "q")),
        # Under 2008-10-17 the text is literal, and its colon cuts like any other.
        ("arn:aws:sqs:${aws:x}:1:q", False, ("arn", "aws", "sqs", "${aws", "x}", "1:q")),
    ],
)
def test_split_arn(text: str, variables: bool, expected: tuple[str, ...] | None) -> None:
    assert split_arn(text, variables) == expected


def test_any_arn_value_is_accepted() -> None:
    for value in (TOPIC, FINANCE, "*", "arn:aws:iam::${aws:PrincipalAccount}:root"):
        assert validate_condition_values("ArnLike", "aws:SourceArn", [value]) is None
