"""The Null condition operator: does the request carry the key at all?

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null

"Use a Null condition operator to check if a condition key is absent at the time of
authorization. In the policy statement, use either true (the key doesn't exist — it is null) or
false (the key exists and its value is not null)." The values are read without regard to case;
several values are OR-ed like any other operator's. Null takes no IfExists suffix and no policy
variables.

A key that is present but holds no value, or only empty strings, counts as null: AWS pairs
`"Null": {"aws:TagKeys": "false"}` with ForAllValues precisely "to prevent missing context keys
or context keys with empty values from evaluating to true"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html).
Every other operator reads such a key as absent too (`harness.iam.context.present_values`), so
Null and, say, StringEquals never disagree on whether a key is there.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.iam.conditions.base import first_invalid
from harness.iam.context import present_values

_BOOLEANS = frozenset({"true", "false"})


def is_null(key_values: tuple[str, ...] | None) -> bool:
    return not present_values(key_values)


def holds(policy_values: Sequence[str], key_is_null: bool) -> bool:
    wanted = "true" if key_is_null else "false"
    return any(value.lower() == wanted for value in policy_values)


def validate(operator_name: str, values: Sequence[str]) -> str | None:
    bad = first_invalid(values, lambda value: value.lower() in _BOOLEANS)
    if bad is None:
        return None
    return f'{operator_name} needs "true" (key absent) or "false" (key present), got "{bad}"'
