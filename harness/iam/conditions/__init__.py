"""IAM condition operators: does a statement's Condition block hold for a request?

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

One module per operator family (string, numeric, date, boolean, binary, ip, arn, null), the
operator names in `registry`, and the block logic — missing keys, IfExists, ForAllValues /
ForAnyValue, AND/OR — in `block`. The policy parser calls `is_known_operator` and
`validate_condition_values`; the evaluator calls `conditions_match`.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.iam.conditions import null
from harness.iam.conditions.block import block_holds, report_missing
from harness.iam.conditions.registry import parse_operator
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition

__all__ = ["conditions_match", "is_known_operator", "validate_condition_values"]


def conditions_match(
    conditions: Sequence[Condition],
    keys: ContextKeys,
    *,
    variables_enabled: bool,
    missing: set[str] | None = None,
) -> bool:
    """True if the whole Condition block holds (AND across operators and keys, OR across a key's
    values).

    When `missing` is given, add to it the name (as written in the policy) of every condition
    key the block refers to that is absent from `keys` — for all conditions of the block, not
    only up to the first false one (AWS's simulator reports every missing key:
    MissingContextValues). Keys that policy variables in String*/Arn*/Bool values refer to count
    too. Never raises on a Condition that passed `validate_condition_values`; a value that
    cannot be compared simply doesn't match, and an operator AWS doesn't know never holds.
    """
    if missing is not None:
        report_missing(conditions, keys, variables_enabled, missing)
    return block_holds(conditions, keys, variables_enabled)


def is_known_operator(operator: str) -> bool:
    """True for every operator AWS documents, with optional IfExists suffix and optional
    ForAllValues:/ForAnyValue: prefix, e.g. 'ForAnyValue:StringLikeIfExists'. Names are
    case-sensitive, as IAM's own validation is. Null takes no IfExists."""
    return parse_operator(operator) is not None


def validate_condition_values(operator: str, key: str, values: Sequence[str]) -> str | None:
    """None if the values suit the operator, else a one-line problem description in the spirit
    of IAM's MalformedPolicyDocument / Access Analyzer messages, e.g.
    'Numeric operator NumericLessThan needs numbers, got "ten"', or for an unknown operator
    'Invalid Condition type : StringEqual'."""
    parsed = parse_operator(operator)
    if parsed is None:
        return f"Invalid Condition type : {operator}"
    if not key:
        return f"Condition key under {operator} must not be empty"
    if parsed.base is None:
        return null.validate(operator, values)
    return parsed.base.validate(operator, values)
