"""The Condition block as a whole: set operators, IfExists, missing keys, AND/OR, variables,
missing-key reporting, operator names and validation.

Sources (AWS IAM User Guide):
  OPS   = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  LOGIC = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
  SETS  = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
  MULTI = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  MEX   = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
  SIM   = the operator pages of iam-simulate's documentation (https://iam.cloudcopilot.io/resources/operators/…)
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.iam.conditions import (
    conditions_match,
    is_known_operator,
    validate_condition_values,
)
from harness.iam.conditions.registry import BASE_OPERATORS
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition

Context = str | list[str] | None  # None: absent; a list: a multivalued (ArrayOf…) key


def holds(operator: str, values: tuple[str, ...], context: Context) -> bool:
    keys = ContextKeys()
    if context is not None:
        keys.set("k", context, multivalued=isinstance(context, list))
    return conditions_match([Condition(operator, "k", values)], keys, variables_enabled=True)


ALLOWED = ("PostDateTime", "Message", "Tags")
FORBIDDEN = ("ID", "PostDateTime")
TAGS = ("DataClass", "Owner")
PATTERNS = ("Owner:*", "State:??")

# (operator, policy values, context values or None for missing, expected)
SET_CASES = [
    # SETS: ForAllValues:StringLike dynamodb:requestedAttributes [PostDateTime, Message, Tags].
    ("ForAllValues:StringLike", ALLOWED, ["PostDateTime", "Message"], True),
    ("ForAllValues:StringLike", ALLOWED, ["PostDateTime", "UserName"], False),
    ("ForAllValues:StringLike", ALLOWED, ["ID", "Message"], False),
    # SETS: ForAnyValue:StringLike [ID, PostDateTime] (a Deny on PutItem).
    ("ForAnyValue:StringLike", FORBIDDEN, ["PostDateTime", "Message"], True),
    ("ForAnyValue:StringLike", FORBIDDEN, ["UserName"], False),
    ("ForAnyValue:StringLike", FORBIDDEN, ["UserName", "Message", "PostDateTime"], True),
    # SETS: "If the key values in the request resolve to an empty data set (for example, an empty
    # string), a condition operator modified by ForAllValues returns true, and a condition
    # operator modified by ForAnyValue returns false."
    ("ForAllValues:StringLike", ALLOWED, [], True),
    ("ForAnyValue:StringLike", FORBIDDEN, [], False),
    ("ForAllValues:StringLike", ALLOWED, [""], True),
    ("ForAnyValue:StringLike", FORBIDDEN, [""], False),
    ("ForAnyValue:StringEquals", ("",), [""], False),
    ("ForAllValues:StringEquals", ("a",), ["", "a"], True),
    # MEX: ForAllValues "also returns true if there are no context keys in the request".
    ("ForAllValues:StringLike", ALLOWED, None, True),
    ("ForAnyValue:StringLike", FORBIDDEN, None, False),
    # MEX: "ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"} (a Deny).
    ("ForAllValues:StringNotLike", ("key1*",), ["key1:legal"], False),
    ("ForAllValues:StringNotLike", ("key1*",), ["key1:hr", "key1:personnel"], False),
    ("ForAllValues:StringNotLike", ("key1*",), ["key2:audit"], True),
    ("ForAllValues:StringNotLike", ("key1*",), None, True),
    # MEX: ForAnyValue:StringEquals aws:TagKeys [environment, webserver] (a Deny).
    ("ForAnyValue:StringEquals", ("environment", "webserver"), ["environment"], True),
    ("ForAnyValue:StringEquals", ("environment", "webserver"), ["webserver", "test"], True),
    ("ForAnyValue:StringEquals", ("environment", "webserver"), ["test"], False),
    ("ForAnyValue:StringEquals", ("environment", "webserver"), None, False),
    # SIM: ForAllValues:StringEquals aws:TagKeys [DataClass, Owner].
    ("ForAllValues:StringEquals", TAGS, None, True),
    ("ForAllValues:StringEquals", TAGS, ["Dept", "SIC"], False),
    ("ForAllValues:StringEquals", TAGS, ["DataClass", "Dept"], False),
    ("ForAllValues:StringEquals", TAGS, ["DataClass"], True),
    ("ForAllValues:StringEquals", TAGS, ["DataClass", "Owner"], True),
    ("ForAllValues:StringEquals", TAGS, ["DataClass", "Owner", "Dept"], False),
    # SIM: ForAnyValue:StringEquals [DataClass, Owner].
    ("ForAnyValue:StringEquals", TAGS, ["Dept", "SIC"], False),
    ("ForAnyValue:StringEquals", TAGS, ["DataClass", "Dept"], True),
    # SIM: ForAllValues:StringNotLike [Owner:*, State:??] — no value may match any pattern.
    ("ForAllValues:StringNotLike", PATTERNS, None, True),
    ("ForAllValues:StringNotLike", PATTERNS, ["Owner:Legal", "State:NY"], False),
    ("ForAllValues:StringNotLike", PATTERNS, ["Owner:Legal", "owner:Legal"], False),
    ("ForAllValues:StringNotLike", PATTERNS, ["owner:Legal"], True),
    ("ForAllValues:StringNotLike", PATTERNS, ["owner:Legal", "State:NewYork"], True),
    # SIM: ForAnyValue:StringNotLike — some value matches none of the patterns.
    ("ForAnyValue:StringNotLike", PATTERNS, None, False),
    ("ForAnyValue:StringNotLike", PATTERNS, ["Owner:Legal", "State:NY"], False),
    ("ForAnyValue:StringNotLike", PATTERNS, ["owner:Legal", "Owner:Legal"], True),
    ("ForAnyValue:StringNotLike", PATTERNS, ["owner:Legal", "State:NewYork"], True),
    # SIM: ForAnyValue:StringNotEquals — "the context key must exist in the request and at least
    # one string in the request must NOT match any of strings in your policy".
    ("ForAnyValue:StringNotEquals", TAGS, None, False),
    ("ForAnyValue:StringNotEquals", TAGS, ["DataClass", "Owner"], False),
    ("ForAnyValue:StringNotEquals", TAGS, ["DataClass", "Dept"], True),
    ("ForAllValues:StringNotEquals", TAGS, ["Dept", "SIC"], True),
    ("ForAllValues:StringNotEquals", TAGS, ["Dept", "Owner"], False),
    ("ForAllValues:StringNotEquals", TAGS, None, True),
    # MULTI: a single-valued key under a set operator is a set of one — "Using condition set
    # operators with single-valued context keys can lead to overly permissive policies".
    ("ForAllValues:StringEquals", ("o-123",), "o-123", True),
    ("ForAllValues:StringEquals", ("o-123",), "o-999", False),
    ("ForAnyValue:StringEquals", ("o-123",), "o-123", True),
    # IfExists with a set operator: an absent key makes it true, a present one is evaluated.
    ("ForAnyValue:StringEqualsIfExists", TAGS, None, True),
    ("ForAnyValue:StringEqualsIfExists", TAGS, ["Dept"], False),
    ("ForAnyValue:StringEqualsIfExists", TAGS, ["Owner"], True),
    ("ForAllValues:StringLikeIfExists", ("a*",), ["ab", "b"], False),
    ("ForAnyValue:StringNotEqualsIfExists", TAGS, None, True),
    # Set operators with the other families.
    ("ForAllValues:ArnLike", ("arn:aws:iam::1:role/*",), ["arn:aws:iam::1:role/a"], True),
    ("ForAllValues:ArnLike", ("arn:aws:iam::1:role/*",), ["arn:aws:iam::1:role/a", "x"], False),
    ("ForAnyValue:ArnNotLike", ("arn:aws:iam::1:*",), ["arn:aws:iam::2:role/a"], True),
    ("ForAllValues:NumericLessThan", ("10",), ["1", "9"], True),
    ("ForAllValues:NumericLessThan", ("10",), ["1", "10"], False),
    ("ForAnyValue:NumericEquals", ("10",), ["1", "10.0"], True),
    ("ForAnyValue:NumericEquals", ("10",), ["ten", "1"], False),
    ("ForAnyValue:IpAddress", ("10.0.0.0/8",), ["192.0.2.1", "10.1.2.3"], True),
    ("ForAllValues:NotIpAddress", ("10.0.0.0/8",), ["192.0.2.1", "10.1.2.3"], False),
    ("ForAnyValue:DateGreaterThan", ("2020-01-01",), ["2019-01-01", "2021-01-01"], True),
    ("ForAllValues:Bool", ("true",), ["true", "TRUE"], True),
    ("ForAnyValue:BinaryEquals", ("AAAA",), ["AAAB", "AAAA"], True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), SET_CASES)
def test_set_operators(
    operator: str, values: tuple[str, ...], context: Context, expected: bool
) -> None:
    assert holds(operator, values, context) is expected


# MULTI: "Multivalued context keys require a condition set operator." Without one, a key
# holding several values (or marked ArrayOf…) matches nothing — negated operators included;
# iam-simulate: "Set operator is required for a multi-value key. Confirmed this at re:Inforce
# 2025 IAM431." An empty one counts as absent.
PLAIN_ON_MULTIVALUED_CASES = [
    ("StringEquals", ("a",), ["a"], False),
    ("StringEquals", ("a",), ["a", "b"], False),
    ("StringNotEquals", ("x",), ["a", "b"], False),
    ("StringLike", ("*",), ["a", "b"], False),
    ("StringEqualsIfExists", ("a",), ["a", "b"], False),
    ("StringEquals", ("a",), [], False),
    ("StringNotEquals", ("a",), [], True),
    ("StringEqualsIfExists", ("a",), [], True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), PLAIN_ON_MULTIVALUED_CASES)
def test_plain_operator_on_multivalued_key(
    operator: str, values: tuple[str, ...], context: list[str], expected: bool
) -> None:
    assert holds(operator, values, context) is expected


def test_unmarked_key_with_several_values_counts_as_multivalued() -> None:
    keys = ContextKeys({"k": ["a", "b"]})  # not marked multivalued, but holds two values
    condition = Condition("StringEquals", "k", ("a",))
    assert not conditions_match([condition], keys, variables_enabled=True)
    assert conditions_match(
        [Condition("ForAnyValue:StringEquals", "k", ("a",))], keys, variables_enabled=True
    )


NEGATED = [name for name, base in BASE_OPERATORS.items() if base.negated]
POSITIVE = [name for name, base in BASE_OPERATORS.items() if not base.negated]


def test_the_negated_operators_are_the_documented_ones() -> None:
    assert sorted(NEGATED) == sorted(
        [
            "StringNotEquals",
            "StringNotEqualsIgnoreCase",
            "StringNotLike",
            "NumericNotEquals",
            "DateNotEquals",
            "NotIpAddress",
            "ArnNotEquals",
            "ArnNotLike",
        ]
    )


# Values that suit every family, so only the key's absence decides.
SAMPLE_VALUE = {
    "String": "x",
    "Numeric": "1",
    "Date": "2020-01-01T00:00:00Z",
    "Bool": "true",
    "Binary": "AAAA",
    "IpAddress": "10.0.0.0/8",
    "NotIpAddress": "10.0.0.0/8",
    "Arn": "arn:aws:s3:::b",
}


def sample(operator: str) -> str:
    return next(value for prefix, value in SAMPLE_VALUE.items() if operator.startswith(prefix))


@pytest.mark.parametrize("operator", sorted(BASE_OPERATORS))
def test_missing_key(operator: str) -> None:
    # OPS: an absent key makes the condition false, except for the negated operators, which
    # are true; IfExists makes it true for every operator.
    value = (sample(operator),)
    assert holds(operator, value, None) is BASE_OPERATORS[operator].negated
    assert holds(operator + "IfExists", value, None) is True


@pytest.mark.parametrize("operator", ["Null", "ForAnyValue:Null"])
def test_null_operand_of_missing(operator: str) -> None:
    assert holds(operator, ("true",), None) is ("ForAnyValue" not in operator)


def test_and_across_operators_and_keys_or_across_values() -> None:
    # LOGIC: the S3 bucket-policy example — StringEquals on aws:PrincipalTag/department with
    # three values (OR) and ArnLike on aws:PrincipalArn (AND).
    block = [
        Condition("StringEquals", "aws:PrincipalTag/department", ("finance", "hr", "legal")),
        Condition(
            "ArnLike",
            "aws:PrincipalArn",
            ("arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary"),
        ),
    ]

    def request(department: str, arn: str) -> bool:
        keys = ContextKeys({"aws:PrincipalTag/department": department, "aws:PrincipalArn": arn})
        return conditions_match(block, keys, variables_enabled=True)

    assert request("hr", "arn:aws:iam::222222222222:user/Mary")
    assert request("legal", "arn:aws:iam::222222222222:user/Ana")
    assert not request("hr", "arn:aws:iam::222222222222:user/Bob")
    assert not request("it", "arn:aws:iam::222222222222:user/Ana")


def test_several_keys_under_one_operator_are_anded() -> None:
    block = [
        Condition("StringEquals", "aws:PrincipalTag/team", ("blue",)),
        Condition("StringEquals", "aws:ResourceTag/team", ("blue",)),
    ]
    both = ContextKeys({"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "blue"})
    one = ContextKeys({"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "red"})
    assert conditions_match(block, both, variables_enabled=True)
    assert not conditions_match(block, one, variables_enabled=True)


def test_null_guards_forallvalues() -> None:
    # MEX: "Null": {"aws:TagKeys": "false"} with "ForAllValues:StringLike" stops a request
    # without tags from matching.
    block = [
        Condition("Null", "aws:TagKeys", ("false",)),
        Condition("ForAllValues:StringLike", "aws:TagKeys", ("key1*", "key2*", "key3*")),
    ]
    assert not conditions_match(block, ContextKeys(), variables_enabled=True)
    tagged = ContextKeys()
    tagged.set("aws:TagKeys", ["key1a", "key3b"], multivalued=True)
    assert conditions_match(block, tagged, variables_enabled=True)
    tagged.set("aws:TagKeys", ["key1a", "other"], multivalued=True)
    assert not conditions_match(block, tagged, variables_enabled=True)


def test_empty_block_holds() -> None:
    assert conditions_match([], ContextKeys(), variables_enabled=True)


def test_set_operators_with_variables() -> None:
    keys = ContextKeys({"aws:username": "alice"})
    keys.set("k", ["alice", "bob"], multivalued=True)

    def check(operator: str, value: str) -> bool:
        return conditions_match([Condition(operator, "k", (value,))], keys, variables_enabled=True)

    assert check("ForAnyValue:StringEquals", "${aws:username}")
    assert not check("ForAllValues:StringEquals", "${aws:username}")
    assert check("ForAnyValue:StringNotEquals", "${aws:username}")
    # Unresolvable: a null value that no context value equals or is like
    # (reference_policies_variables.html#policy-vars-no-value), under either qualifier.
    assert not check("ForAnyValue:StringEquals", "${aws:SourceIdentity}")
    assert not check("ForAllValues:StringEquals", "${aws:SourceIdentity}")
    assert check("ForAllValues:StringNotEquals", "${aws:SourceIdentity}")
    assert check("ForAnyValue:StringNotLike", "${aws:SourceIdentity}")
    assert check("ForAnyValue:StringNotEqualsIfExists", "${aws:SourceIdentity}")
    # With nothing to compare, the variable is never needed.
    empty = ContextKeys()
    condition = Condition("ForAllValues:StringEquals", "k", ("${aws:SourceIdentity}",))
    assert conditions_match([condition], empty, variables_enabled=True)


def test_unknown_operator_never_holds() -> None:
    keys = ContextKeys({"k": "a"})
    for operator in ("StringEqual", "stringequals", "ForAllValues:Nope", "NullIfExists"):
        assert not conditions_match(
            [Condition(operator, "k", ("a",))], keys, variables_enabled=True
        )


# -- reporting missing keys (AWS's simulator: MissingContextValues) -------------------------


def test_missing_reports_every_absent_key_of_the_block() -> None:
    block = [
        Condition("StringEquals", "aws:PrincipalTag/Team", ("blue",)),  # absent: false
        Condition("Bool", "aws:MultiFactorAuthPresent", ("true",)),  # absent, after the false
        Condition("StringLike", "s3:prefix", ("home/${aws:username}/*",)),  # variable absent
        Condition("NumericLessThan", "s3:max-keys", ("10",)),  # present
        Condition("Null", "aws:TokenIssueTime", ("true",)),  # absent, and the block's point
    ]
    keys = ContextKeys({"S3:Max-Keys": "5", "s3:prefix": "home/x/"})
    missing: set[str] = set()
    assert not conditions_match(block, keys, variables_enabled=True, missing=missing)
    assert missing == {
        "aws:PrincipalTag/Team",
        "aws:MultiFactorAuthPresent",
        "aws:username",
        "aws:TokenIssueTime",
    }


def test_missing_keeps_names_as_written_and_adds_to_the_set() -> None:
    missing = {"earlier:Key"}
    block = [Condition("StringEqualsIfExists", "AWS:SourceVpce", ("vpce-1",))]
    assert conditions_match(block, ContextKeys(), variables_enabled=True, missing=missing)
    assert missing == {"earlier:Key", "AWS:SourceVpce"}


def test_missing_ignores_present_and_empty_keys() -> None:
    keys = ContextKeys({"aws:username": "alice"})
    keys.set("aws:TagKeys", [], multivalued=True)
    block = [
        Condition("ForAllValues:StringEquals", "aws:TagKeys", ("${aws:username}",)),
        Condition("StringEquals", "AWS:USERNAME", ("alice",)),
    ]
    missing: set[str] = set()
    assert conditions_match(block, keys, variables_enabled=True, missing=missing)
    assert missing == set()


def test_missing_variables_only_where_variables_are_substituted() -> None:
    block = [
        Condition("StringEquals", "k", ("${aws:username}", "${*}", "${aws:userid, 'anon'}")),
        Condition("NumericEquals", "n", ("${aws:limit}",)),  # not substituted: a literal value
    ]
    keys = ContextKeys({"k": "x", "n": "1"})
    missing: set[str] = set()
    conditions_match(block, keys, variables_enabled=True, missing=missing)
    assert missing == {"aws:username", "aws:userid"}
    literal: set[str] = set()
    conditions_match(block, keys, variables_enabled=False, missing=literal)
    assert literal == set()


# -- operator names ------------------------------------------------------------------------

ALL_BASES = [*BASE_OPERATORS, "Null"]


def spellings() -> list[str]:
    names = []
    for base, suffix, prefix in itertools.product(
        ALL_BASES, ("", "IfExists"), ("", "ForAllValues:", "ForAnyValue:")
    ):
        if not (base == "Null" and suffix):
            names.append(prefix + base + suffix)
    return names


def test_every_documented_operator_is_known() -> None:
    assert len(ALL_BASES) == 27
    names = spellings()
    assert len(names) == 26 * 2 * 3 + 3
    assert all(is_known_operator(name) for name in names)


@pytest.mark.parametrize(
    "operator",
    [
        "StringEqual",  # a typo
        "stringEquals",  # IAM: "Invalid Condition type : stringEquals" — names are case-sensitive
        "STRINGEQUALS",
        "StringEqualsIfexists",
        "forallvalues:StringEquals",
        "ForAllValue:StringEquals",
        "ForSomeValues:StringEquals",
        ":StringEquals",
        "ForAllValues:",
        "ForAllValues:ForAnyValue:StringEquals",
        "StringEqualsIfExistsIfExists",
        "IfExists",
        "NullIfExists",  # OPS: IfExists goes on "any condition operator name except ... Null"
        "ForAnyValue:NullIfExists",
        "StringLikeIgnoreCase",
        "NumericNotLessThan",
        "DateLike",
        "IpAddressIgnoreCase",
        "",
    ],
)
def test_unknown_operators(operator: str) -> None:
    assert not is_known_operator(operator)
    assert validate_condition_values(operator, "k", ["x"]) == f"Invalid Condition type : {operator}"


def test_validation_of_good_values_and_an_empty_key() -> None:
    assert validate_condition_values("StringEquals", "aws:username", ["john"]) is None
    assert validate_condition_values("ForAnyValue:NumericLessThanIfExists", "k", ["1"]) is None
    assert validate_condition_values("StringEquals", "", ["x"]) is not None


# -- properties ----------------------------------------------------------------------------

OPERATOR_NAMES = st.sampled_from(spellings())
TEXT = st.text(max_size=12)
VALUE = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "",
            "*",
            "true",
            "False",
            "10",
            "-3.5",
            "1e3",
            "2020-01-01T00:00:00Z",
            "2020-02-30",
            "1577836800",
            "10.0.0.0/8",
            "10.1.2.3",
            "2001:db8::/32",
            "AAAA",
            "arn:aws:s3:::b/*",
            "arn:aws:iam::1:user/${aws:username}",
            "${aws:username}",
            "${aws:nope}",
            "${*}",
            "${aws:userid, 'x'}",
            "${",
        ]
    ),
)
KEY_VALUES = st.one_of(st.none(), VALUE, st.lists(VALUE, max_size=4))


@given(
    operator=OPERATOR_NAMES,
    values=st.lists(VALUE, max_size=4),
    context=KEY_VALUES,
    variables=st.booleans(),
    username=st.one_of(st.none(), TEXT),
)
def test_never_raises_on_validated_conditions(
    operator: str,
    values: list[str],
    context: Context,
    variables: bool,
    username: str | None,
) -> None:
    if validate_condition_values(operator, "k", values) is not None:
        return
    keys = ContextKeys({} if username is None else {"aws:username": username})
    if context is not None:
        keys.set("k", context, multivalued=isinstance(context, list))
    missing: set[str] = set()
    result = conditions_match(
        [Condition(operator, "k", tuple(values))],
        keys,
        variables_enabled=variables,
        missing=missing,
    )
    assert isinstance(result, bool)
    assert ("k" in missing) is (context is None)


@given(
    base=st.sampled_from(sorted(BASE_OPERATORS)),
    if_exists=st.booleans(),
    values=st.lists(VALUE, max_size=4),
    empty=st.sampled_from([None, [], [""], ["", ""]]),
)
def test_set_qualifiers_on_an_empty_key(
    base: str, if_exists: bool, values: list[str], empty: list[str] | None
) -> None:
    # SETS: an empty data set makes ForAllValues true and ForAnyValue false (IfExists: true).
    suffix = "IfExists" if if_exists else ""
    assert holds(f"ForAllValues:{base}{suffix}", tuple(values), empty) is True
    assert holds(f"ForAnyValue:{base}{suffix}", tuple(values), empty) is if_exists


@given(
    positive=st.sampled_from(
        [
            ("StringEquals", "StringNotEquals"),
            ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
            ("StringLike", "StringNotLike"),
            ("ArnLike", "ArnNotLike"),
            ("ArnEquals", "ArnNotEquals"),
        ]
    ),
    values=st.lists(st.sampled_from(["a", "A", "a*", "?", "arn:aws:s3:::*", "arn:*:*:*:*:*"])),
    context=st.sampled_from(["a", "A", "ab", "", "arn:aws:s3:::b", "arn:aws:sqs:r:1:q"]),
)
def test_negated_string_operators_are_complements(
    positive: tuple[str, str], values: list[str], context: str
) -> None:
    # For a present, comparable value the negated operator is exactly the positive one negated
    # (a NOR over the policy values: LOGIC). Non-ARN contexts are left out: they match neither.
    operator, negated = positive
    if operator.startswith("Arn") and context.count(":") < 5:
        return
    assert holds(negated, tuple(values), context) is not holds(operator, tuple(values), context)


# -- a present but empty key ---------------------------------------------------------------
# OPS, Null: "true (the key doesn't exist — it is null) or false (the key exists and its value
# is not null)"; SETS: "If the key values in the request resolve to an empty data set (for
# example, an empty string), a condition operator modified by ForAllValues returns true, and a
# condition operator modified by ForAnyValue returns false"; MEX: the Null check with false
# keeps "missing context keys or context keys with empty values" from evaluating to true.
# One reading follows for every operator: an empty string, or an empty list, is no value — the
# key is null and reads exactly as an absent key.

NULL_FORMS: list[str | list[str]] = ["", [], [""], ["", ""]]

EMPTY_VALUE_CASES = [
    # The differential report: s3:prefix present as "".
    ("Null", ("false",), False),
    ("Null", ("true",), True),
    ("StringEquals", ("",), False),
    ("StringLike", ("*",), False),
    ("StringNotEquals", ("",), True),
    ("StringEqualsIfExists", ("x",), True),
    ("ForAllValues:StringEquals", ("x",), True),
    ("ForAnyValue:StringEquals", ("",), False),
    ("NumericEquals", ("0",), False),
    ("NumericNotEquals", ("0",), True),
    ("DateGreaterThan", ("2020-01-01T00:00:00Z",), False),
    ("DateNotEquals", ("2020-01-01T00:00:00Z",), True),
    ("Bool", ("false",), False),
    ("BoolIfExists", ("false",), True),
    ("IpAddress", ("0.0.0.0/0",), False),
    ("NotIpAddress", ("10.0.0.0/8",), True),
    ("ArnLike", ("*",), False),
    ("ArnNotLike", ("arn:aws:s3:::b",), True),
    ("BinaryEquals", ("",), False),
    ("BinaryEqualsIfExists", ("AAAA",), True),
]


@pytest.mark.parametrize(("operator", "values", "expected"), EMPTY_VALUE_CASES)
@pytest.mark.parametrize("empty", NULL_FORMS)
def test_an_empty_value_reads_as_an_absent_key(
    operator: str, values: tuple[str, ...], expected: bool, empty: str | list[str]
) -> None:
    assert holds(operator, values, empty) is expected
    assert holds(operator, values, None) is expected


@given(
    operator=OPERATOR_NAMES,
    values=st.lists(VALUE, max_size=4),
    empty=st.sampled_from(NULL_FORMS),
    username=st.one_of(st.none(), TEXT),
)
def test_every_operator_reads_a_null_key_as_an_absent_one(
    operator: str, values: list[str], empty: str | list[str], username: str | None
) -> None:
    # Null, the plain operators, IfExists and both set qualifiers agree: a key present with no
    # value is the same to them as no key.
    if validate_condition_values(operator, "k", values) is not None:
        return
    condition = [Condition(operator, "k", tuple(values))]
    base = {} if username is None else {"aws:username": username}
    absent = ContextKeys(base)
    null = ContextKeys(base)
    null.set("k", empty, multivalued=isinstance(empty, list))
    assert conditions_match(condition, null, variables_enabled=True) is conditions_match(
        condition, absent, variables_enabled=True
    )


def test_a_null_key_is_provided_not_missing() -> None:
    # The one difference between a null key and an absent one: the caller did give it, so the
    # simulator does not list it among the MissingContextValues.
    block = [Condition("StringEquals", "s3:prefix", ("",))]
    missing: set[str] = set()
    assert not conditions_match(
        block, ContextKeys({"s3:prefix": ""}), variables_enabled=True, missing=missing
    )
    assert missing == set()
    assert not conditions_match(block, ContextKeys(), variables_enabled=True, missing=missing)
    assert missing == {"s3:prefix"}


def test_a_null_key_does_not_resolve_as_a_policy_variable() -> None:
    # VARS: a variable whose key is not there cannot be substituted; a null key is not there.
    keys = ContextKeys({"aws:username": "", "k": "home/"})
    assert not conditions_match(
        [Condition("StringLike", "k", ("home/${aws:username}",))], keys, variables_enabled=True
    )
    # Null like a missing key: the negated operators hold against it.
    assert conditions_match(
        [Condition("StringNotEquals", "k", ("${aws:username}",))], keys, variables_enabled=True
    )
    # The default-value form stands in for it, as for a missing key.
    assert conditions_match(
        [Condition("StringEquals", "k", ("${aws:username, 'home/'}",))],
        keys,
        variables_enabled=True,
    )
