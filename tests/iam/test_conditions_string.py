"""String condition operators, and policy variables in them.

Sources (AWS IAM User Guide):
  OPS  = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  COND = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
  VARS = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import pytest

from harness.iam.conditions import conditions_match, validate_condition_values
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition

Context = str | list[str] | None  # None: the key is absent; a list: a multivalued key


def holds(
    operator: str,
    values: tuple[str, ...],
    context: Context,
    *,
    variables: bool = True,
    key: str = "k",
    others: dict[str, str] | None = None,
) -> bool:
    keys = ContextKeys(others or {})
    if context is not None:
        keys.set(key, context, multivalued=isinstance(context, list))
    condition = Condition(operator, key, values)
    return conditions_match([condition], keys, variables_enabled=variables)


# (operator, policy values, context value or None for missing, expected)
CASES = [
    # OPS: StringEquals — exact matching, case sensitive.
    ("StringEquals", ("iamuser-admin",), "iamuser-admin", True),
    ("StringEquals", ("iamuser-admin",), "IAMUser-Admin", False),
    ("StringEquals", ("iamuser-admin",), "iamuser-admin ", False),
    ("StringEquals", ("a*",), "abc", False),  # no wildcards in the Equals forms
    ("StringEquals", ("a*",), "a*", True),
    # An empty context value is null, read as an absent key by every operator
    # (harness.iam.context.present_values; OPS, Null: "false (the key exists and its value is
    # not null)").
    ("StringEquals", ("",), "", False),
    ("StringNotEquals", ("",), "", True),
    ("StringEqualsIfExists", ("x",), "", True),
    # OPS: "If the key ... is not present in the request context, the values do not match."
    ("StringEquals", ("iamuser-admin",), None, False),
    # Several values for one key are OR-ed (COND).
    ("StringEquals", ("a", "b", "c"), "b", True),
    ("StringEquals", ("a", "b", "c"), "d", False),
    # COND: "StringEquals": {"aws:username": "john"} — users named John are denied.
    ("StringEquals", ("john",), "John", False),
    # COND: StringEqualsIgnoreCase matches users named john or John.
    ("StringEqualsIgnoreCase", ("john",), "John", True),
    ("StringEqualsIgnoreCase", ("JOHN",), "john", True),
    ("StringEqualsIgnoreCase", ("john",), "johnny", False),
    ("StringEqualsIgnoreCase", ("j*",), "john", False),
    ("StringEqualsIgnoreCase", ("john",), None, False),
    # Negated operators: NOR over the policy values, true when the key is absent (OPS).
    ("StringNotEquals", ("a", "b"), "c", True),
    ("StringNotEquals", ("a", "b"), "b", False),
    ("StringNotEquals", ("a",), "A", True),
    ("StringNotEquals", ("a",), None, True),
    ("StringNotEqualsIgnoreCase", ("a", "b"), "B", False),
    ("StringNotEqualsIgnoreCase", ("a", "b"), "c", True),
    ("StringNotEqualsIgnoreCase", ("a",), None, True),
    # OPS: StringLike — case-sensitive, * and ? anywhere in the string.
    ("StringLike", ("t1.*", "t2.*", "m3.*"), "t2.micro", True),
    ("StringLike", ("t1.*", "t2.*", "m3.*"), "c5.large", False),
    ("StringLike", ("t1.*",), "T1.micro", False),
    ("StringLike", ("t?.micro",), "t2.micro", True),
    ("StringLike", ("t?.micro",), "t22.micro", False),
    ("StringLike", ("*",), "", False),  # null: absent, so not even "*" matches
    ("StringNotLike", ("*",), "", True),
    ("StringLike", ("home/*",), "home/", True),
    ("StringLike", ("home/*",), "home", False),
    ("StringLike", ("a.c",), "abc", False),  # regex metacharacters are literal
    ("StringLike", ("a+b",), "a+b", True),
    ("StringLike", ("*",), None, False),
    # OPS lists "" among the s3:prefix patterns; an empty prefix is null here, so that value
    # matches no request (a listing without a prefix has no s3:prefix to match either).
    ("StringLike", ("", "home/"), "", False),
    ("StringLike", ("", "home/"), "home/", True),
    ("StringNotLike", ("key1*",), "key1:legal", False),
    ("StringNotLike", ("key1*",), "key2:audit", True),
    ("StringNotLike", ("key1*", "key2*"), "key2:audit", False),
    # OPS: "If the policy condition requires that the key is not matched, such as StringNotLike
    # ..., and the right key is not present, the condition is true."
    ("StringNotLike", ("key1*",), None, True),
    # OPS (IfExists): "If the key is not present, evaluate the condition element as true".
    ("StringLikeIfExists", ("t1.*", "t2.*", "m3.*"), None, True),
    ("StringLikeIfExists", ("t1.*", "t2.*", "m3.*"), "t2.micro", True),
    ("StringLikeIfExists", ("t1.*", "t2.*", "m3.*"), "c5.large", False),
    ("StringEqualsIfExists", ("a",), None, True),
    ("StringEqualsIfExists", ("a",), "b", False),
    ("StringNotEqualsIfExists", ("a",), None, True),
    ("StringNotEqualsIfExists", ("a",), "a", False),
    ("StringEqualsIgnoreCaseIfExists", ("a",), "A", True),
    ("StringNotEqualsIgnoreCaseIfExists", ("a",), None, True),
    ("StringNotLikeIfExists", ("a*",), "abc", False),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), CASES)
def test_string_operators(
    operator: str, values: tuple[str, ...], context: Context, expected: bool
) -> None:
    assert holds(operator, values, context) is expected


USER = {"aws:username": "alice", "aws:PrincipalTag/team": "blue", "aws:userid": "AIDA1"}

# (operator, policy values, context value, expected) with USER's keys in the request.
VARIABLE_CASES = [
    # OPS / VARS: the home-directory example — "home/${aws:username}/".
    ("StringLike", ("", "home/", "home/${aws:username}/"), "home/alice/", True),
    ("StringLike", ("", "home/", "home/${aws:username}/"), "home/bob/", False),
    # VARS: the SNS example — "https://example.com/${aws:username}/".
    ("StringLike", ("https://example.com/${aws:username}/",), "https://example.com/alice/", True),
    ("StringEquals", ("${aws:username}",), "alice", True),
    ("StringEquals", ("${aws:username}",), "bob", False),
    ("StringEquals", ("team-${aws:PrincipalTag/team}",), "team-blue", True),
    ("StringEqualsIgnoreCase", ("${aws:username}",), "ALICE", True),
    ("StringNotEquals", ("${aws:username}",), "alice", False),
    ("StringNotEquals", ("${aws:username}",), "bob", True),
    ("StringNotLike", ("${aws:username}/*",), "alice/x", False),
    # Variable names are keys, and key names are case-insensitive (VARS: "Key names are
    # case-insensitive. For example, aws:CurrentTime is equivalent to AWS:currenttime").
    ("StringEquals", ("${AWS:UserName}",), "alice", True),
    # VARS "Specifying default values": ${aws:userid, 'anonymous'} — the key is present here.
    ("StringEquals", ("${aws:userid, 'anonymous'}",), "AIDA1", True),
    ("StringEquals", ("${aws:SourceIdentity, 'anonymous'}",), "anonymous", True),
    ("StringLike", ("${aws:SourceIdentity, 'anon'}/*",), "anon/x", True),
    # VARS "Special characters": ${*}, ${?}, ${$} stand for the literal characters.
    ("StringLike", ("a${*}b",), "a*b", True),
    ("StringLike", ("a${*}b",), "axxb", False),
    ("StringLike", ("a${?}",), "a?", True),
    ("StringLike", ("a${?}",), "ab", False),
    ("StringEquals", ("cost${$}",), "cost$", True),
    ("StringLike", ("${*}*",), "*anything", True),
    ("StringLike", ("${*}*",), "anything", False),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), VARIABLE_CASES)
def test_policy_variables(
    operator: str, values: tuple[str, ...], context: str, expected: bool
) -> None:
    assert holds(operator, values, context, others=USER) is expected


def test_substituted_text_is_literal_in_like() -> None:
    # A user named "a*" must not match every value starting with "a": what a variable brings in
    # is matched literally, while the policy's own text keeps its wildcards.
    keys = {"aws:username": "a*"}
    assert holds("StringLike", ("${aws:username}",), "a*", others=keys)
    assert not holds("StringLike", ("${aws:username}",), "abc", others=keys)
    assert holds("StringLike", ("${aws:username}/*",), "a*/x", others=keys)


# VARS#policy-vars-no-value: a variable with no value makes the policy value "effectively null.
# There is no equal or like value": StringEquals and StringLike "do not match", and "Inverted
# condition operators like StringNotEquals or StringNotLike do match against a null value".
UNRESOLVED_CASES = [
    ("StringEquals", ("${aws:SourceIdentity}",), "x", False),
    ("StringNotEquals", ("${aws:SourceIdentity}",), "x", True),
    ("StringEqualsIgnoreCase", ("${aws:SourceIdentity}",), "x", False),
    ("StringNotEqualsIgnoreCase", ("${aws:SourceIdentity}",), "x", True),
    ("StringLike", ("${aws:SourceIdentity}*",), "x", False),
    ("StringNotLike", ("${aws:SourceIdentity}*",), "x", True),
    # Even a pattern of the policy's own wildcards around it is like nothing.
    ("StringLike", ("*${aws:SourceIdentity}*",), "x", False),
    ("StringNotLike", ("*${aws:SourceIdentity}*",), "x", True),
    ("StringEqualsIfExists", ("${aws:SourceIdentity}",), "x", False),
    ("StringNotEqualsIfExists", ("${aws:SourceIdentity}",), "x", True),
    # The null value is one value among the others: the others still compare.
    ("StringEquals", ("x", "${aws:SourceIdentity}"), "x", True),
    ("StringEquals", ("y", "${aws:SourceIdentity}"), "x", False),
    ("StringNotEquals", ("x", "${aws:SourceIdentity}"), "x", False),
    ("StringNotEquals", ("y", "${aws:SourceIdentity}"), "x", True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), UNRESOLVED_CASES)
def test_unresolvable_variable_is_a_null_value(
    operator: str, values: tuple[str, ...], context: str, expected: bool
) -> None:
    assert holds(operator, values, context, others=USER) is expected


def test_multivalued_key_is_not_a_variable() -> None:
    # Single-vs-multivalued page: "you cannot use a multivalued context key as a policy variable".
    keys = ContextKeys({"k": "a"})
    keys.set("aws:TagKeys", ["a"], multivalued=True)
    condition = Condition("StringEquals", "k", ("${aws:TagKeys}",))
    assert not conditions_match([condition], keys, variables_enabled=True)


def test_unresolved_variable_with_ifexists_and_absent_key_holds() -> None:
    # IfExists answers before any value is compared, so the variable is never needed.
    assert holds("StringEqualsIfExists", ("${aws:SourceIdentity}",), None, others=USER)


# VARS: under Version 2008-10-17 "variables like ${aws:username} are treated as literal strings".
LITERAL_2008_CASES = [
    ("StringEquals", ("${aws:username}",), "${aws:username}", True),
    ("StringEquals", ("${aws:username}",), "alice", False),
    ("StringEquals", ("${aws:SourceIdentity}",), "${aws:SourceIdentity}", True),
    ("StringNotEquals", ("${aws:SourceIdentity}",), "x", True),
    ("StringLike", ("home/${aws:username}/*",), "home/alice/x", False),
    ("StringLike", ("home/${aws:username}/*",), "home/${aws:username}/x", True),
    # The policy's own * keeps its meaning: ${*} is not an escape under 2008-10-17.
    ("StringLike", ("a${*}",), "a${xyz}", True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), LITERAL_2008_CASES)
def test_variables_are_literal_under_2008(
    operator: str, values: tuple[str, ...], context: str, expected: bool
) -> None:
    assert holds(operator, values, context, variables=False, others=USER) is expected


def test_condition_key_names_are_case_insensitive() -> None:
    # COND: "including the aws:SourceIP context key is equivalent to testing for AWS:SourceIp".
    keys = ContextKeys({"aws:PrincipalTag/job-category": "iamuser-admin"})
    for written in ("aws:PrincipalTag/job-category", "AWS:principaltag/JOB-CATEGORY"):
        condition = Condition("StringEquals", written, ("iamuser-admin",))
        assert conditions_match([condition], keys, variables_enabled=True)


def test_string_operators_accept_any_value() -> None:
    for operator in ("StringEquals", "StringNotLike", "ForAnyValue:StringLikeIfExists"):
        assert validate_condition_values(operator, "k", ["", "*", "${aws:username}", "ü"]) is None
