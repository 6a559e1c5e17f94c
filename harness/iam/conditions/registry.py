"""Operator names: which ones AWS knows, and what each is made of.

An operator as written is `[ForAllValues:|ForAnyValue:]<base>[IfExists]`, e.g.
`ForAnyValue:StringLikeIfExists`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

- Names are case-sensitive: IAM rejects `stringEquals` with "MalformedPolicyDocument: Invalid
  Condition type : stringEquals" (observed on CreateRole, e.g.
  https://github.com/ministryofjustice/modernisation-platform-environments/pull/8893).
- "You can add IfExists to the end of any condition operator name except the Null condition."
- The set qualifiers combine with every base operator, Null included: `ForAllValues:Null` and
  `ForAnyValue:Null` are accepted by AWS's policy simulator, and PMapper recorded how it
  evaluates them (nccgroup/PMapper, tests/test_local_policy_sim.py, "Validated against the
  Simulator API"); `block.py` follows those observations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from harness.iam.conditions import arn, binary, boolean, date, ip, numeric, string
from harness.iam.conditions.base import BaseOperator

FOR_ALL_VALUES = "ForAllValues"
FOR_ANY_VALUE = "ForAnyValue"
IF_EXISTS = "IfExists"
NULL = "Null"

BASE_OPERATORS: dict[str, BaseOperator] = {
    operator.name: operator
    for operator in chain(
        string.OPERATORS,
        numeric.OPERATORS,
        date.OPERATORS,
        boolean.OPERATORS,
        binary.OPERATORS,
        ip.OPERATORS,
        arn.OPERATORS,
    )
}


@dataclass(frozen=True, slots=True)
class Operator:
    """A parsed operator name. `base` is None for Null, which compares no values."""

    written: str
    base: BaseOperator | None
    qualifier: str | None = None
    if_exists: bool = False

    @property
    def negated(self) -> bool:
        return self.base is not None and self.base.negated


@lru_cache(maxsize=1024)
def parse_operator(written: str) -> Operator | None:
    """The operator `written` names, or None if AWS knows no such operator."""
    qualifier, colon, rest = written.rpartition(":")
    if colon and qualifier not in (FOR_ALL_VALUES, FOR_ANY_VALUE):
        return None
    if_exists = rest.endswith(IF_EXISTS)
    name = rest.removesuffix(IF_EXISTS)
    if name == NULL and not if_exists:
        return Operator(written, None, qualifier or None)
    base = BASE_OPERATORS.get(name)
    if base is None:
        return None
    return Operator(written, base, qualifier or None, if_exists)
