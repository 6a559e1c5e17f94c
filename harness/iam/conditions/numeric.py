"""Numeric condition operators: NumericEquals, NumericNotEquals, NumericLessThan,
NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric

"Numeric condition operators let you construct Condition elements that restrict access based on
comparing a key to an integer or decimal value." Numbers are compared as exact decimals, so
"10" equals "10.0" and "0.1" is exactly one tenth. A policy value that is not a number is
rejected by validation; a context value that is not a number matches nothing (for
NumericNotEquals too: it cannot be compared). Policy variables are not substituted ("You can not
use a policy variable with the Numeric condition operator").

The ordering operators read "context value <op> policy value": NumericLessThan 10 holds for a
request whose s3:max-keys is 9.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from harness.iam.conditions.ordered import ordered_operators

# Integers and decimals, with an optional sign and exponent: every JSON number, written as the
# policy parser turns it into text, and what a service puts in a numeric context key.
# re.ASCII: \d would otherwise match the digits of every script ("١٢٣"), which AWS does not read.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    if _NUMBER.match(text) is None:
        return None
    return Decimal(text)


OPERATORS = ordered_operators("Numeric", parse_number, "numbers")
