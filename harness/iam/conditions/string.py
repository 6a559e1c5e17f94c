"""String condition operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
StringNotEqualsIgnoreCase, StringLike, StringNotLike.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String

- The Equals forms compare exactly (case-sensitive, or ignoring case); only the Like forms give
  `*` and `?` their wildcard meaning ("You must specify wildcards to achieve partial string
  matches").
- Policy variables may be used with string operators
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-conditionelement).
  A value whose variable has no value is null: nothing equals it or is like it, so the negated
  forms hold against it (see base.py).
  In the Like forms the text a variable brings in is literal — a user named `a*` matches only
  `a*` — while the policy's own text keeps its wildcards; `${*}`, `${?}` and `${$}` stand for
  the literal characters.
- Any string is a valid policy value, so these operators never reject a policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.iam.conditions.base import BaseOperator, Binder, Compiler, ValueTest, constant
from harness.iam.conditions.patterns import glob_matcher, parts_matcher
from harness.iam.conditions.substitution import memoize_by_variables, uses_variables
from harness.iam.context import ContextKeys
from harness.iam.variables import resolve, resolve_literal
from harness.iam.wildcard import Parts


def _same(text: str) -> str:
    return text


def _equals_binder(values: tuple[str, ...], variables_enabled: bool, ignore_case: bool) -> Binder:
    fold: Callable[[str], str] = str.lower if ignore_case else _same

    def test_for(wanted: frozenset[str]) -> ValueTest:
        return lambda value: fold(value) in wanted

    if not uses_variables(values, variables_enabled):
        return constant(test_for(frozenset(fold(value) for value in values)))

    def bind(keys: ContextKeys) -> ValueTest:
        # A value whose variable has no value is null and equals nothing (see base.py).
        resolved = (resolve_literal(value, keys) for value in values)
        return test_for(frozenset(fold(text) for text in resolved if text is not None))

    return memoize_by_variables(values, bind)


def compile_equals(values: tuple[str, ...], variables_enabled: bool) -> Binder:
    return _equals_binder(values, variables_enabled, ignore_case=False)


def compile_equals_ignore_case(values: tuple[str, ...], variables_enabled: bool) -> Binder:
    return _equals_binder(values, variables_enabled, ignore_case=True)


def compile_like(values: tuple[str, ...], variables_enabled: bool) -> Binder:
    if not uses_variables(values, variables_enabled):
        return constant(glob_matcher(values))

    def bind(keys: ContextKeys) -> ValueTest:
        # A value whose variable has no value is null and is like nothing (see base.py).
        resolved = (resolve(value, keys) for value in values)
        patterns: list[Parts] = [parts for parts in resolved if parts is not None]
        return parts_matcher(patterns)

    return memoize_by_variables(values, bind)


def validate(_operator: str, _values: Sequence[str]) -> str | None:
    return None


def _operator(name: str, compile_values: Compiler, negated: bool = False) -> BaseOperator:
    return BaseOperator(name, compile_values, validate, negated=negated, takes_variables=True)


OPERATORS = (
    _operator("StringEquals", compile_equals),
    _operator("StringNotEquals", compile_equals, negated=True),
    _operator("StringEqualsIgnoreCase", compile_equals_ignore_case),
    _operator("StringNotEqualsIgnoreCase", compile_equals_ignore_case, negated=True),
    _operator("StringLike", compile_like),
    _operator("StringNotLike", compile_like, negated=True),
)
