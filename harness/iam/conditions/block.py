"""Evaluating a Condition block: missing keys, IfExists, the set qualifiers, AND and OR.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html

- Several operators in a block, and several keys under one operator, are AND-ed; several values
  for one key are OR-ed (NOR for a negated operator — see `base.BaseOperator`).
- A key absent from the request makes the condition false, except for the negated operators,
  which are then true; `…IfExists` makes it true whatever the operator
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists).
- A key that is present but null — no value, or only empty strings — is read as absent by every
  operator, as Null reads it ("false (the key exists and its value is not null)"); see
  `harness.iam.context.present_values`. So `StringEquals {"s3:prefix": ""}` never matches: an
  empty s3:prefix is no prefix, and `StringNotEquals`, `…IfExists` and `ForAllValues` hold on it
  as on a missing key. The only difference left between a null key and a missing one is that the
  simulator does not report the null key in MissingContextValues: the caller did provide it.
- Without a set qualifier, an operator compares one context value. A key holding several values
  (or marked multivalued — an ArrayOf… key) then never matches, not even a negated operator:
  "Multivalued context keys require a condition set operator"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html),
  and iam-simulate does the same, "confirmed this at re:Inforce 2025 IAM431"
  (cloud-copilot/iam-simulate, src/condition/condition.ts, singleValueMatch).
- ForAllValues holds when every context value matches (each value tested with the base
  operator, negation included: ForAllValues:StringNotEquals means no context value equals any
  policy value); ForAnyValue when at least one does. "If the key values in the request resolve
  to an empty data set (for example, an empty string), a condition operator modified by
  ForAllValues returns true, and a condition operator modified by ForAnyValue returns false"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html);
  so empty strings are left out of the set, and an absent key is an empty set. A single-valued
  key under a qualifier is a set of one — AWS warns this "can lead to overly permissive
  policies", which means it is evaluated, not refused.
- A policy value whose variable cannot be resolved (its key absent or null) is a null value that
  no context value equals or is like: the positive operators do not match it and the negated
  ones hold against it, with or without a set qualifier or IfExists — "Inverted condition
  operators like StringNotEquals or StringNotLike do match against a null value"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value).
  The families leave such values out (`base.py`); here they need nothing of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from harness.iam.conditions import null
from harness.iam.conditions.base import Binder, ValueTest
from harness.iam.conditions.registry import FOR_ALL_VALUES, Operator, parse_operator
from harness.iam.context import ContextKeys, present_values
from harness.iam.policy import Condition
from harness.iam.variables import has_variables, variable_keys

Evaluate = Callable[[ContextKeys], bool]


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a Condition compiles to, once per (condition, variables_enabled): a function of the
    request's keys, specialised for its operator, and the keys its variables refer to."""

    holds: Evaluate
    variable_keys: tuple[str, ...]


def block_holds(
    conditions: Iterable[Condition], keys: ContextKeys, variables_enabled: bool
) -> bool:
    return all(_plan_of(condition, variables_enabled).holds(keys) for condition in conditions)


def report_missing(
    conditions: Iterable[Condition], keys: ContextKeys, variables_enabled: bool, missing: set[str]
) -> None:
    """Add every key the conditions refer to — directly or through a policy variable — that the
    request lacks, as AWS's simulator lists them all in MissingContextValues."""
    for condition in conditions:
        if condition.key not in keys:
            missing.add(condition.key)
        for name in _plan_of(condition, variables_enabled).variable_keys:
            if name not in keys:
                missing.add(name)


# Plans by the identity of the Condition object, one table per variables_enabled. A parsed
# policy's conditions live as long as the policy, and hashing a Condition by value costs more
# than most evaluations; each entry holds its Condition, so an id cannot be reused while its
# entry exists. Bounded: cleared when full (plans themselves stay in `_plan`'s cache).
_BY_IDENTITY: tuple[dict[int, tuple[Condition, _Plan]], dict[int, tuple[Condition, _Plan]]] = (
    {},
    {},
)
_IDENTITY_TABLE_SIZE = 16384


def _plan_of(condition: Condition, variables_enabled: bool) -> _Plan:
    table = _BY_IDENTITY[variables_enabled]
    entry = table.get(id(condition))
    if entry is not None and entry[0] is condition:
        return entry[1]
    plan = _plan(condition, variables_enabled)
    if len(table) >= _IDENTITY_TABLE_SIZE:
        table.clear()
    table[id(condition)] = (condition, plan)
    return plan


@lru_cache(maxsize=16384)
def _plan(condition: Condition, variables_enabled: bool) -> _Plan:
    """Compile a condition; equal conditions (the same policy read twice) share the result."""
    operator = parse_operator(condition.operator)
    if operator is None:
        return _Plan(_never, ())
    key, values = condition.key, condition.values
    if operator.base is None:
        return _Plan(_null_evaluator(operator, key, values), ())
    bind = operator.base.compile(values, variables_enabled)
    referenced: tuple[str, ...] = ()
    if variables_enabled and operator.base.takes_variables:
        referenced = tuple(
            name for value in values if has_variables(value) for name in variable_keys(value)
        )
    if operator.qualifier is None:
        return _Plan(_single_evaluator(operator, key, bind), referenced)
    return _Plan(_set_evaluator(operator, key, bind), referenced)


def _never(_keys: ContextKeys) -> bool:
    """An operator AWS doesn't know never holds."""
    return False


def _single_evaluator(operator: Operator, key: str, bind: Binder) -> Evaluate:
    when_absent = operator.if_exists or operator.negated
    negated = operator.negated

    def holds(keys: ContextKeys) -> bool:
        values = present_values(keys.get_values(key))
        if not values:
            return when_absent
        if len(values) > 1 or keys.is_multivalued(key):
            return False
        matched = bind(keys)(values[0])  # None: not comparable, which never holds
        return matched is not None and matched != negated

    return holds


def _set_evaluator(operator: Operator, key: str, bind: Binder) -> Evaluate:
    when_empty = operator.if_exists or operator.qualifier == FOR_ALL_VALUES
    quantifier = all if operator.qualifier == FOR_ALL_VALUES else any
    negated = operator.negated

    def holds(keys: ContextKeys) -> bool:
        members = present_values(keys.get_values(key))
        if not members:
            return when_empty
        test = bind(keys)
        return quantifier(_value_holds(test, value, negated) for value in members)

    return holds


def _null_evaluator(operator: Operator, key: str, policy_values: Sequence[str]) -> Evaluate:
    when_present = null.holds(policy_values, key_is_null=False)
    when_null = null.holds(policy_values, key_is_null=True)
    if operator.qualifier is not None:
        # Qualified Null, as the IAM simulator evaluates it (PMapper's recorded observations):
        # a set operator over the non-empty values — each of them present, so "false" matches —
        # true on an empty set for ForAllValues, false for ForAnyValue.
        when_null = operator.qualifier == FOR_ALL_VALUES

    def holds(keys: ContextKeys) -> bool:
        return when_null if null.is_null(keys.get_values(key)) else when_present

    return holds


def _value_holds(test: ValueTest, value: str, negated: bool) -> bool:
    matched = test(value)
    if matched is None:  # not comparable (not a number, not an ARN, …): never holds
        return False
    return matched != negated
