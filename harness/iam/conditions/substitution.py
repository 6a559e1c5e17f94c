"""Policy variables in condition values: when they are substituted, and a cache of the result.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

Variables are substituted only in the operators that take them (String*, Arn*, Bool — see
`BaseOperator.takes_variables`) and only under Version 2012-10-17; the substitution itself is
harness.iam.variables'.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from harness.iam.conditions.base import Binder, ValueTest
from harness.iam.context import ContextKeys
from harness.iam.variables import has_variables, variable_keys

_MEMO_SIZE = 256


def uses_variables(values: Sequence[str], variables_enabled: bool) -> bool:
    return variables_enabled and any(has_variables(value) for value in values)


def memoize_by_variables(values: Sequence[str], bind: Binder) -> Binder:
    """Cache what `bind` returns by the values of the keys the policy variables in `values`
    refer to. Resolution (harness.iam.variables) reads nothing else of the request — a key's
    values and whether it is multivalued — and is costly next to a comparison, while a run
    sees the same few principals over and over. Bounded: cleared when it fills."""
    names = tuple(dict.fromkeys(name for value in values for name in variable_keys(value)))
    cache: dict[Hashable, ValueTest] = {}

    signature = _signature_of(names)

    def bind_cached(keys: ContextKeys) -> ValueTest:
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


def _signature_of(names: tuple[str, ...]) -> Callable[[ContextKeys], Hashable]:
    if len(names) == 1:  # the usual case, e.g. ${aws:username}: no generator
        (name,) = names
        return lambda keys: (keys.get_values(name), keys.is_multivalued(name))
    return lambda keys: tuple((keys.get_values(n), keys.is_multivalued(n)) for n in names)
