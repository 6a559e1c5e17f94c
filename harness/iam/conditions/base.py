"""The shapes every operator family shares.

An operator family (string, numeric, date, …) turns the values a policy lists for one condition
key into a *binder*: given the request's keys it returns a *value test*. The value test answers,
for one context value, whether it matches at least one policy value (True/False) — or None when
the context value cannot be compared at all (a non-number for Numeric*, a non-ARN for Arn*),
which never matches, not even for the negated operators.

A policy value whose variable cannot be resolved is null: the family leaves it out, so no context
value matches it. AWS: "the value is effectively null. There is no equal or like value", so
StringEquals and StringLike "do not match", while "Inverted condition operators like
StringNotEquals or StringNotLike do match against a null value, as the value of the condition
key they are testing against is not equal to or like the effectively null value"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value).
Leaving the null value out gives both answers through the negation in `block.py`.

Negation, IfExists, the set qualifiers and missing keys are handled once, in `block.py`, so a
family only says what "matches" means for its positive operators.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeVar

from harness.iam.context import ContextKeys

ValueTest = Callable[[str], bool | None]
Binder = Callable[[ContextKeys], ValueTest]
# (policy values, whether policy variables are substituted) -> binder
Compiler = Callable[[tuple[str, ...], bool], Binder]
# (operator as written, policy values) -> problem description or None
Validator = Callable[[str, Sequence[str]], str | None]


@dataclass(frozen=True, slots=True)
class BaseOperator:
    """One operator without qualifier or IfExists suffix, e.g. StringNotLike.

    `negated` operators are true when no policy value matches (a logical NOR), and true when
    the key is absent — AWS: "If the policy condition requires that the key is not matched,
    such as StringNotLike or ArnNotLike, and the right key is not present, the condition is
    true." Several values under a negated operator are "evaluated using a logical NOR"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """

    name: str
    compile: Compiler
    validate: Validator
    negated: bool = False
    # Whether `${…}` in the policy values is substituted (under Version 2012-10-17).
    takes_variables: bool = False


def constant(test: ValueTest) -> Binder:
    """A binder for policy values that hold no variables: the same test for every request."""

    def bind(_keys: ContextKeys) -> ValueTest:
        return test

    return bind


def first_invalid(values: Sequence[str], is_valid: Callable[[str], bool]) -> str | None:
    for value in values:
        if not is_valid(value):
            return value
    return None


Point = TypeVar("Point", Decimal, int)
Comparison = Literal["eq", "lt", "le", "gt", "ge"]


def comparison_test(comparison: Comparison, points: Sequence[Point]) -> Callable[[Point], bool]:
    """A test for "context value <comparison> at least one policy point". Several policy values
    are OR-ed, so only the most lenient one matters: the largest for lt/le, the smallest for
    gt/ge; eq is a set lookup."""
    if not points:
        return lambda _point: False
    if comparison == "eq":
        return frozenset(points).__contains__
    largest, smallest = max(points), min(points)
    tests: dict[Comparison, Callable[[Point], bool]] = {
        "lt": lambda point: point < largest,
        "le": lambda point: point <= largest,
        "gt": lambda point: point > smallest,
        "ge": lambda point: point >= smallest,
    }
    return tests[comparison]
