"""Numeric condition operators.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
("restrict access based on comparing a key to an integer or decimal value").
"""

from __future__ import annotations

import pytest

from harness.iam.conditions import conditions_match, validate_condition_values
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition


def holds(operator: str, values: tuple[str, ...], context: str | None) -> bool:
    keys = ContextKeys({} if context is None else {"s3:max-keys": context})
    condition = Condition(operator, "s3:max-keys", values)
    return conditions_match([condition], keys, variables_enabled=True)


# (operator, policy values, context value or None for missing, expected)
CASES = [
    # The documented example: NumericLessThanEquals s3:max-keys "10" — "up to 10 objects".
    ("NumericLessThanEquals", ("10",), "10", True),
    ("NumericLessThanEquals", ("10",), "9", True),
    ("NumericLessThanEquals", ("10",), "11", False),
    # "If the key ... is not present in the request context, the values do not match."
    ("NumericLessThanEquals", ("10",), None, False),
    ("NumericEquals", ("10",), "10", True),
    ("NumericEquals", ("10",), "10.0", True),  # compared as numbers, not text
    ("NumericEquals", ("10",), "010", True),
    ("NumericEquals", ("0.1",), "0.10", True),
    ("NumericEquals", ("1e3",), "1000", True),
    ("NumericEquals", ("-5",), "-5.0", True),
    ("NumericEquals", ("10",), "11", False),
    ("NumericEquals", ("1", "2", "3"), "2", True),  # several values are OR-ed
    ("NumericEquals", ("10",), None, False),
    ("NumericNotEquals", ("10",), "11", True),
    ("NumericNotEquals", ("10",), "10.00", False),
    ("NumericNotEquals", ("1", "2"), "2", False),  # NOR over the values
    ("NumericNotEquals", ("1", "2"), "3", True),
    ("NumericNotEquals", ("10",), None, True),  # negated: true when the key is absent
    # The ordering operators read "context value <op> policy value".
    ("NumericLessThan", ("10",), "9.99", True),
    ("NumericLessThan", ("10",), "10", False),
    ("NumericLessThan", ("10",), None, False),
    ("NumericGreaterThan", ("10",), "10.01", True),
    ("NumericGreaterThan", ("10",), "10", False),
    ("NumericGreaterThanEquals", ("10",), "10", True),
    ("NumericGreaterThanEquals", ("10",), "9", False),
    ("NumericLessThan", ("5", "20"), "10", True),  # OR: 10 < 20
    ("NumericGreaterThan", ("5", "20"), "10", True),  # OR: 10 > 5
    ("NumericLessThan", ("-1",), "-2", True),
    # Exact decimals: 0.1 + 0.2 style binary rounding must not leak in.
    ("NumericLessThan", ("0.3",), "0.30000000000000001", False),
    ("NumericGreaterThan", ("0.3",), "0.30000000000000001", True),
    ("NumericEquals", ("12345678901234567890",), "12345678901234567890.0", True),
    # A context value that is not a number cannot be compared: it matches nothing, for the
    # negated operator too (iam-simulate, src/condition/numeric/numeric.ts).
    ("NumericEquals", ("10",), "ten", False),
    ("NumericNotEquals", ("10",), "ten", False),
    # An empty value is null — an absent key — not a non-number: the negated operator holds.
    ("NumericLessThan", ("10",), "", False),
    ("NumericNotEquals", ("10",), "", True),
    ("NumericLessThanIfExists", ("10",), "", True),
    ("NumericLessThan", ("10",), "NaN", False),
    ("NumericGreaterThan", ("10",), "Infinity", False),
    # IfExists.
    ("NumericLessThanIfExists", ("10",), None, True),
    ("NumericLessThanIfExists", ("10",), "20", False),
    ("NumericNotEqualsIfExists", ("10",), None, True),
    ("NumericEqualsIfExists", ("10",), "10", True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), CASES)
def test_numeric_operators(
    operator: str, values: tuple[str, ...], context: str | None, expected: bool
) -> None:
    assert holds(operator, values, context) is expected


def test_no_policy_variables_in_numeric() -> None:
    # "You can not use a policy variable with the Numeric condition operator."
    keys = ContextKeys({"s3:max-keys": "10", "aws:limit": "10"})
    condition = Condition("NumericEquals", "s3:max-keys", ("${aws:limit}",))
    assert not conditions_match([condition], keys, variables_enabled=True)


@pytest.mark.parametrize(
    "values", [("10",), ("-1", "0", "+2"), ("3.14",), (".5",), ("5.",), ("1e3", "2E-2")]
)
def test_numbers_are_accepted(values: tuple[str, ...]) -> None:
    assert validate_condition_values("NumericLessThan", "s3:max-keys", values) is None


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        (("ten",), "ten"),
        (("10", "ten"), "ten"),
        (("",), ""),
        (("1,000",), "1,000"),
        ((" 10",), " 10"),
        (("NaN",), "NaN"),
        (("Infinity",), "Infinity"),
        (("0x10",), "0x10"),
        (("${aws:limit}",), "${aws:limit}"),
        (("\u0661\u0660",), "\u0661\u0660"),  # Arabic-Indic digits: not what AWS reads
    ],
)
def test_non_numbers_are_rejected(values: tuple[str, ...], bad: str) -> None:
    message = validate_condition_values("NumericLessThan", "s3:max-keys", values)
    assert message == f'Numeric operator NumericLessThan needs numbers, got "{bad}"'


def test_message_names_the_operator_as_written() -> None:
    message = validate_condition_values("ForAnyValue:NumericEqualsIfExists", "k", ["x"])
    assert message == 'Numeric operator ForAnyValue:NumericEqualsIfExists needs numbers, got "x"'
