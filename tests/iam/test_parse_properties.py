"""Properties of harness.iam.parse: whatever comes in, the answer is a Policy or a
PolicyValidationError — and the text and mapping forms of a document get the same answer."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import loads_strict
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType

POLICY_TYPES = st.sampled_from(list(PolicyType))

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)

# Pieces a policy is made of, valid and not, so that generated documents get deep into the
# validator instead of failing at the first element.
plausible_strings = st.sampled_from(
    [
        "*",
        "",
        "s3:GetObject",
        "s3:Get*",
        "sts:AssumeRole",
        "iam:*",
        "s3GetObject",
        "s3:Get:Object",
        "arn:aws:s3:::bucket/*",
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::123456789012:role/r",
        "arn:aws:iam::123456789012:role/*",
        "arn:aws:sts::123456789012:assumed-role/r/s",
        "arn:aws:iam::123456789012:saml-provider/Okta",
        "lambda.amazonaws.com",
        "123456789012",
        "bucket",
        "arn:bad:s3:::b",
        "true",
        "false",
        "10",
        "2024-01-01T00:00:00Z",
        "10.0.0.0/8",
        "Sid1",
        "Bad Sid",
        "日本",
    ]
)
plausible_values = plausible_strings | json_values | st.lists(plausible_strings, max_size=3)
operators = st.sampled_from(
    [
        "StringEquals",
        "StringLike",
        "ForAnyValue:StringLikeIfExists",
        "NumericLessThan",
        "DateGreaterThan",
        "Bool",
        "Null",
        "IpAddress",
        "ArnLike",
        "BinaryEquals",
        "StringEqual",
        "NullIfExists",
    ]
)
conditions = st.dictionaries(
    operators,
    st.dictionaries(st.sampled_from(["aws:username", "s3:max-keys", ""]), plausible_values),
    max_size=3,
)
principals = st.just("*") | st.dictionaries(
    st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "User"]),
    plausible_strings | st.lists(plausible_strings, max_size=3),
    max_size=3,
)


def mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` four times out of five: documents should mostly get past their first element."""
    return st.integers(0, 4).flatmap(lambda n: rare if n == 0 else usual)


statement_elements: dict[str, st.SearchStrategy[Any]] = {
    "Sid": mostly(st.sampled_from(["Sid1", "Sid2", ""]), plausible_strings | json_scalars),
    "Effect": mostly(st.sampled_from(["Allow", "Deny"]), st.sampled_from(["allow", 1, None])),
    "Action": mostly(plausible_strings | st.lists(plausible_strings, max_size=3), json_values),
    "NotAction": mostly(plausible_strings, plausible_values),
    "Resource": mostly(plausible_strings | st.lists(plausible_strings, max_size=3), json_values),
    "NotResource": mostly(plausible_strings, plausible_values),
    "Principal": mostly(principals, json_values),
    "NotPrincipal": mostly(principals, json_values),
    "Condition": mostly(conditions, json_values),
}


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.sets(st.sampled_from(sorted(statement_elements)), max_size=4))
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    statement.update({name: draw(statement_elements[name]) for name in names})
    for name in draw(st.sets(st.sampled_from(["Effect", "Action", "Resource"]), max_size=1)):
        statement.pop(name, None)
    if draw(st.integers(0, 19)) == 0:
        statement[draw(st.text(max_size=8))] = draw(json_values)
    return statement


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {
        "Statement": draw(
            mostly(statements() | st.lists(statements(), min_size=1, max_size=3), json_values)
        )
    }
    version = draw(
        mostly(st.just("2012-10-17"), st.sampled_from([None, "2008-10-17", "2012-10-18", 2012]))
    )
    if version is not None:
        document["Version"] = version
    if draw(st.booleans()):
        document["Id"] = draw(mostly(plausible_strings, json_scalars))
    return document


def outcome(document: Any, policy_type: PolicyType) -> Policy | tuple[str, str]:
    """The policy, or the problem and place of the error — never another exception."""
    try:
        return parse_policy(document, policy_type, "p")
    except PolicyValidationError as error:
        assert error.policy == "p"
        return (error.problem, error.location)


def assert_invariants(policy: Policy) -> None:
    """What policy.py promises everything downstream."""
    assert policy.statements
    for index, statement in enumerate(policy.statements):
        assert statement.index == index
        assert (statement.actions is None) != (statement.not_actions is None)
        assert statement.principal is None or statement.not_principal is None
        if policy.policy_type is PolicyType.TRUST:
            assert statement.resources is None and statement.not_resources is None
        else:
            assert (statement.resources is None) != (statement.not_resources is None)
        for values in (statement.actions, statement.not_actions, statement.resources):
            assert values is None or (values and all(isinstance(v, str) for v in values))
        for condition in statement.conditions:
            assert condition.values and all(isinstance(v, str) for v in condition.values)


@settings(max_examples=300, deadline=None)
@given(json_values, POLICY_TYPES)
def test_any_json_value_is_a_policy_or_a_policy_validation_error(
    value: Any, policy_type: PolicyType
) -> None:
    from_text = outcome(json.dumps(value), policy_type)
    if isinstance(value, dict):
        assert outcome(value, policy_type) == from_text
    else:  # not a mapping: refused as a document, whatever it is
        assert not isinstance(outcome(value, policy_type), Policy)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200), POLICY_TYPES)
def test_any_text_is_a_policy_or_a_policy_validation_error(
    text: str | bytes, policy_type: PolicyType
) -> None:
    outcome(text, policy_type)


@settings(max_examples=600, deadline=None)
@given(documents(), POLICY_TYPES)
def test_near_valid_documents_parse_the_same_as_text_and_as_mapping(
    document: dict[str, Any], policy_type: PolicyType
) -> None:
    from_mapping = outcome(document, policy_type)
    # Compact text is what the mapping is measured as; the answers must agree to the letter.
    assert outcome(json.dumps(document, separators=(",", ":")), policy_type) == from_mapping
    if isinstance(from_mapping, Policy):
        assert_invariants(from_mapping)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_loads_strict_agrees_with_json_loads_on_plain_json(value: Any) -> None:
    text = json.dumps(value)
    assert loads_strict(text) == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]":,0123456789.eE+-tfnrulasNIy \\', max_size=60))
def test_loads_strict_raises_only_policy_validation_errors(text: str) -> None:
    with contextlib.suppress(PolicyValidationError):
        loads_strict(text)
