"""Bool, BinaryEquals and Null.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
(#Conditions_Boolean, #Conditions_BinaryEquals, #Conditions_Null).
PMAPPER rows repeat observations nccgroup/PMapper recorded against the IAM policy simulator
(tests/test_local_policy_sim.py, test_null_condition_handling).
"""

from __future__ import annotations

import base64

import pytest

from harness.iam.conditions import conditions_match, validate_condition_values
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition

Context = str | list[str] | None


def holds(
    operator: str,
    values: tuple[str, ...],
    context: Context,
    *,
    variables: bool = True,
    others: dict[str, str] | None = None,
) -> bool:
    keys = ContextKeys(others or {})
    if context is not None:
        keys.set("k", context, multivalued=isinstance(context, list))
    return conditions_match([Condition(operator, "k", values)], keys, variables_enabled=variables)


BOOL_CASES = [
    # The documented example: deny when "aws:SecureTransport": "false".
    ("Bool", ("false",), "false", True),
    ("Bool", ("false",), "true", False),
    ("Bool", ("true",), "true", True),
    # "the values do not match" when the key is absent.
    ("Bool", ("true",), None, False),
    ("Bool", ("false",), None, False),
    # true/false without regard to case, on both sides.
    ("Bool", ("TRUE",), "true", True),
    ("Bool", ("true",), "True", True),
    ("Bool", ("False",), "FALSE", True),
    ("Bool", ("true", "false"), "false", True),
    # A context value that is not a boolean matches nothing (iam-simulate, Bool.ts).
    ("Bool", ("false",), "no", False),
    ("Bool", ("false",), "", False),  # an empty value is null: as if absent
    ("BoolIfExists", ("false",), "", True),
    ("Bool", ("true",), "1", False),
    # IfExists: the aws:MultiFactorAuthPresent idiom.
    ("BoolIfExists", ("false",), None, True),
    ("BoolIfExists", ("false",), "true", False),
    ("BoolIfExists", ("false",), "false", True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), BOOL_CASES)
def test_bool(operator: str, values: tuple[str, ...], context: Context, expected: bool) -> None:
    assert holds(operator, values, context) is expected


def test_bool_takes_policy_variables() -> None:
    # Operators page, Boolean: "You can use a policy variable with the Boolean condition
    # operator." (The variables page says otherwise; see harness/iam/conditions/boolean.py.)
    others = {"aws:SecureTransport": "true"}
    assert holds("Bool", ("${aws:SecureTransport}",), "TRUE", others=others)
    assert not holds("Bool", ("${aws:SecureTransport}",), "false", others=others)
    assert not holds("Bool", ("${aws:ViaAWSService}",), "true", others=others)  # null: no match
    assert holds("Bool", ("${aws:ViaAWSService}", "true"), "true", others=others)
    assert not holds("Bool", ("${aws:SecureTransport}",), "true", variables=False, others=others)


PAYLOAD = base64.b64encode(b"BinaryValueInBase64").decode()  # "QmluYXJ5VmFsdWVJbkJhc2U2NA=="

BINARY_CASES = [
    # The documented example value.
    ("BinaryEquals", ("QmluYXJ5VmFsdWVJbkJhc2U2NA==",), PAYLOAD, True),
    ("BinaryEquals", ("QmluYXJ5VmFsdWVJbkJhc2U2NA==",), base64.b64encode(b"other").decode(), False),
    ("BinaryEquals", ("QmluYXJ5VmFsdWVJbkJhc2U2NA==",), None, False),
    ("BinaryEquals", ("AAAA", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), PAYLOAD, True),
    # An empty context value is null (no value), not zero bytes: it matches nothing, as an
    # absent key does; IfExists holds on it.
    ("BinaryEquals", ("",), "", False),
    ("BinaryEquals", ("AAAA",), "", False),
    ("BinaryEqualsIfExists", ("AAAA",), "", True),
    # Context values are base64 too; one that isn't matches nothing.
    ("BinaryEquals", ("QmluYXJ5VmFsdWVJbkJhc2U2NA==",), "BinaryValueInBase64", False),
    ("BinaryEquals", ("QmluYXJ5VmFsdWVJbkJhc2U2NA==",), "not base64!", False),
    ("BinaryEqualsIfExists", ("AAAA",), None, True),
    ("BinaryEqualsIfExists", ("AAAA",), "AAAB", False),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), BINARY_CASES)
def test_binary(operator: str, values: tuple[str, ...], context: Context, expected: bool) -> None:
    assert holds(operator, values, context) is expected


NULL_CASES = [
    # The documented example: "Null": {"aws:TokenIssueTime": "true"} — the key must not exist.
    ("Null", ("true",), None, True),
    ("Null", ("true",), "2020-01-01T00:00:00Z", False),
    ("Null", ("false",), "2020-01-01T00:00:00Z", True),
    ("Null", ("false",), None, False),
    ("Null", ("TRUE",), None, True),
    ("Null", ("False",), "x", True),
    # PMAPPER: an empty value is null; ["true", "false"] holds either way.
    ("Null", ("true",), "", True),
    ("Null", ("false",), "", False),
    ("Null", ("true", "false"), "", True),
    ("Null", ("true", "false"), "asdf", True),
    # Multivalued keys: present with values, or null when empty.
    ("Null", ("false",), ["a", "b"], True),
    ("Null", ("true",), [], True),
    ("Null", ("false",), [], False),
    # PMAPPER: the set-qualified forms — a set operator over the key's non-empty values.
    ("ForAllValues:Null", ("false",), "asdf", True),
    ("ForAllValues:Null", ("false",), "", True),
    ("ForAllValues:Null", ("true",), "asdf", False),
    ("ForAllValues:Null", ("true",), "", True),
    ("ForAnyValue:Null", ("true",), "asdf", False),
    ("ForAnyValue:Null", ("true",), "", False),
    ("ForAnyValue:Null", ("false",), "asdf", True),
    ("ForAnyValue:Null", ("false",), "", False),
    ("ForAllValues:Null", ("true",), None, True),
    ("ForAnyValue:Null", ("false",), ["a", "b"], True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), NULL_CASES)
def test_null(operator: str, values: tuple[str, ...], context: Context, expected: bool) -> None:
    assert holds(operator, values, context) is expected


def test_null_takes_no_variables() -> None:
    # "You can not use a policy variable with the Null condition operator."
    assert validate_condition_values("Null", "k", ["${aws:x}"]) is not None


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        ("Bool", ["true"], None),
        ("Bool", ["FALSE", "True"], None),
        ("Bool", ["${aws:SecureTransport}"], None),
        ("Bool", ["yes"], 'Boolean operator Bool needs "true" or "false", got "yes"'),
        ("BoolIfExists", ["1"], 'Boolean operator BoolIfExists needs "true" or "false", got "1"'),
        ("BinaryEquals", ["QmluYXJ5VmFsdWVJbkJhc2U2NA=="], None),
        ("BinaryEquals", [""], None),
        (
            "BinaryEquals",
            ["QmluYXJ5"],
            None,
        ),
        (
            "BinaryEquals",
            ["not base64!"],
            'Binary operator BinaryEquals needs base64-encoded values, got "not base64!"',
        ),
        (
            "BinaryEquals",
            ["QQ"],  # missing padding
            'Binary operator BinaryEquals needs base64-encoded values, got "QQ"',
        ),
        ("Null", ["true"], None),
        ("Null", ["False"], None),
        ("Null", ["maybe"], 'Null needs "true" (key absent) or "false" (key present), got "maybe"'),
    ],
)
def test_validation(operator: str, values: list[str], expected: str | None) -> None:
    assert validate_condition_values(operator, "k", values) == expected
