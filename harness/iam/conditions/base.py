"""The shapes every operator family shares.

An operator family (string, numeric, date, …) turns the values a policy lists for one condition
key into a *binder*: given the request's keys it returns a *value test*, or None when a policy
variable in those values cannot be resolved. The value test answers, for one context value,
whether it matches at least one policy value (True/False) — or None when the context value
cannot be compared at all (a non-number for Numeric*, a non-ARN for Arn*), which never matches,
not even for the negated operators.

Negation, IfExists, the set qualifiers and missing keys are handled once, in `block.py`, so a
family only says what "matches" means for its positive operators.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal, TypeVar

from harness.iam.context import ContextKeys
from harness.iam.variables import variable_keys
from harness.iam.wildcard import Parts, compile_glob, compile_parts

ValueTest = Callable[[str], bool | None]
Binder = Callable[[ContextKeys], ValueTest | None]
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


def glob_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """A test for "matches any of these IAM globs". Literal patterns — most policy values —
    become a set lookup, the others one alternation compiled once."""
    literals = frozenset(p for p in patterns if not _is_glob(p))
    globs = tuple(sorted({p for p in patterns if _is_glob(p)}))
    if not globs:
        return literals.__contains__
    if "*" in globs:
        return _anything
    search = _alternation(globs).match
    if not literals:
        return lambda value: search(value) is not None
    return lambda value: value in literals or search(value) is not None


def _anything(_value: str) -> bool:
    return True


def _is_glob(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=4096)
def _alternation(globs: tuple[str, ...]) -> re.Pattern[str]:
    # Each compiled glob ends in \Z, so the alternatives can simply be joined.
    return re.compile("|".join(f"(?:{compile_glob(g).pattern})" for g in globs), re.DOTALL)


def parts_matcher(patterns: Sequence[Parts]) -> Callable[[str], bool]:
    """`glob_matcher` for patterns whose policy variables have been substituted."""
    if not patterns:
        return _nothing
    search = _parts_alternation(tuple(patterns)).match
    return lambda value: search(value) is not None


def _nothing(_value: str) -> bool:
    return False


@lru_cache(maxsize=4096)
def _parts_alternation(patterns: tuple[Parts, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{compile_parts(p).pattern})" for p in patterns), re.DOTALL)


def memoize_by_variables(values: Sequence[str], bind: Binder) -> Binder:
    """Cache what `bind` returns by the values of the keys the policy variables in `values`
    refer to. Resolution (harness.iam.variables) reads nothing else of the request — a key's
    values and whether it is multivalued — and is costly next to a comparison, while a run
    sees the same few principals over and over. Bounded: cleared when it fills."""
    names = tuple(dict.fromkeys(name for value in values for name in variable_keys(value)))
    cache: dict[Hashable, ValueTest | None] = {}

    def signature(keys: ContextKeys) -> Hashable:
        return tuple((keys.get_values(name), keys.is_multivalued(name)) for name in names)

    if len(names) == 1:  # the usual case, e.g. ${aws:username}: skip the generator
        (name,) = names

        def signature(keys: ContextKeys) -> Hashable:
            return (keys.get_values(name), keys.is_multivalued(name))

    def bind_cached(keys: ContextKeys) -> ValueTest | None:
        key = signature(keys)
        try:
            return cache[key]
        except KeyError:
            pass
        if len(cache) >= _MEMO_SIZE:
            cache.clear()
        test = cache[key] = bind(keys)
        return test

    return bind_cached


_MEMO_SIZE = 256


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
