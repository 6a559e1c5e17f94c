"""The binary condition operator: BinaryEquals.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals

"It compares the value of the specified key byte for byte against a base-64 encoded
representation of the binary value in the policy." Context keys hold text, so a binary context
value is carried the same way, base64-encoded; both sides are decoded and the bytes compared —
two encodings of the same bytes are equal. A policy value that is not base64 is rejected by
validation; a context value that is not base64 matches nothing. No policy variables.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from functools import lru_cache

from harness.iam.conditions.base import BaseOperator, Binder, constant, first_invalid


@lru_cache(maxsize=1024)
def decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def compile_equals(values: tuple[str, ...], _variables_enabled: bool) -> Binder:
    wanted = frozenset(b for b in map(decode, values) if b is not None)

    def test(value: str) -> bool | None:
        decoded = decode(value)
        return None if decoded is None else decoded in wanted

    return constant(test)


def validate(operator_name: str, values: Sequence[str]) -> str | None:
    bad = first_invalid(values, lambda value: decode(value) is not None)
    if bad is None:
        return None
    return f'Binary operator {operator_name} needs base64-encoded values, got "{bad}"'


OPERATORS = (BaseOperator("BinaryEquals", compile_equals, validate),)
