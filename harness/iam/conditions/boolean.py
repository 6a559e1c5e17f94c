"""The Boolean condition operator: Bool.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean

"Boolean conditions let you construct Condition elements that restrict access based on comparing
a key to "true" or "false"." Both sides are read without regard to case ("True" is true). A
context value that is neither matches nothing.

Policy variables: the condition operators page says "You can use a policy variable with the
Boolean condition operator", while the policy variables page lists Boolean among the operators
that take none. We follow the operator reference (as iam-simulate does, src/condition/boolean/
Bool.ts): a value such as "${aws:MultiFactorAuthPresent}" is substituted under 2012-10-17.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.iam.conditions.base import BaseOperator, Binder, ValueTest, constant, first_invalid
from harness.iam.conditions.substitution import memoize_by_variables, uses_variables
from harness.iam.context import ContextKeys
from harness.iam.variables import has_variables, resolve_literal

_BOOLEANS = frozenset({"true", "false"})


def _test_for(wanted: frozenset[str]) -> ValueTest:
    def test(value: str) -> bool | None:
        lowered = value.lower()
        if lowered not in _BOOLEANS:
            return None
        return lowered in wanted

    return test


def compile_bool(values: tuple[str, ...], variables_enabled: bool) -> Binder:
    if not uses_variables(values, variables_enabled):
        return constant(_test_for(frozenset(value.lower() for value in values)))

    def bind(keys: ContextKeys) -> ValueTest:
        # A value whose variable has no value is null and equals nothing (see base.py).
        resolved = (resolve_literal(value, keys) for value in values)
        return _test_for(frozenset(text.lower() for text in resolved if text is not None))

    return memoize_by_variables(values, bind)


def validate(operator_name: str, values: Sequence[str]) -> str | None:
    bad = first_invalid(values, lambda value: value.lower() in _BOOLEANS or has_variables(value))
    if bad is None:
        return None
    return f'Boolean operator {operator_name} needs "true" or "false", got "{bad}"'


OPERATORS = (BaseOperator("Bool", compile_bool, validate, takes_variables=True),)
